"""The narration ends sentences and counts words as each language writes them (ICU, not a regex).

Sentences are hand-written in each language; the expected counts come from the input: the
sentence punctuation written, the spaces between words, a Thai sentence given as its words,
one syllable per Japanese letter.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from packager.source import read_article
from packager.speech.lexicon import Lexicon
from packager.speech.script import build_script, count_words

HEADER = """---
title: {title}
slug: test
language: {locale}
version: 1.0.0
reviewed: 2026-11-01
summary: {summary}
authors: [Test]
medical_reviewers: []
licence: CC BY 4.0
source: tests
---

## {heading}

{paragraph}
"""

#: (locale, heading without end punctuation, a paragraph of two sentences and their terminal)
CASES = [
    ("hi", "दवा के बारे में", "यह पहला वाक्य है। डॉक्टर से बात करें।", "।"),
    ("am", "ስለ መድኃኒቱ", "ይህ የመጀመሪያው ዓረፍተ ነገር ነው። ከሐኪምዎ ጋር ይነጋገሩ።", "።"),
    ("ur", "دوا کے بارے میں", "یہ پہلا جملہ ہے۔ اپنے ڈاکٹر سے بات کریں۔", "۔"),
    ("ja", "薬について", "これは最初の文です。医師に相談してください。", "。"),
    ("ar", "عن الدواء", "هذه هي الجملة الأولى. هل تحدثت مع طبيبك؟", "؟"),
]


def _script(tmp_path: Path, locale: str, heading: str, paragraph: str):
    text = HEADER.format(locale=locale, title=heading, summary=paragraph, heading=heading, paragraph=paragraph)
    path = tmp_path / "test.md"
    path.write_text(text, encoding="utf-8")
    return build_script(read_article(path), Lexicon(locale=locale))


@pytest.mark.parametrize(("locale", "heading", "paragraph", "terminal"), CASES, ids=[c[0] for c in CASES])
def test_a_sentence_ending_in_its_own_terminal_gets_no_full_stop(
    tmp_path: Path, locale: str, heading: str, paragraph: str, terminal: str
) -> None:
    script = _script(tmp_path, locale, heading, paragraph)
    utterances = list(script.chapters[1].utterances)
    said = [u.text for u in utterances]
    first = next(n for n, t in enumerate(said) if t.startswith(paragraph[:4]))
    sentences = [utterances[first], *itertools.takewhile(lambda u: u.joins, utterances[first + 1 :])]
    assert len(sentences) == 2  # the paragraph's two sentences, each its own utterance (timed on its own)
    # Each ends with "।", "።", "۔", "。", "؟" as written: nothing added, nothing lost.
    assert "".join(u.text for u in sentences).replace(" ", "") == paragraph.replace(" ", "")
    assert sentences[-1].text.endswith(terminal)
    spoken_heading = next(t for t in said if t.startswith(heading))
    assert spoken_heading[len(heading) :] in (".", "。")  # a heading has no terminal: one is added


def test_thai_has_no_sentence_punctuation_so_every_utterance_gets_a_pause(tmp_path: Path) -> None:
    words = ["นี่", "คือ", "ประโยค", "แรก"]  # "this is the first sentence", word by word
    paragraph = "".join(words)
    script = _script(tmp_path, "th", "เกี่ยวกับยา", paragraph)
    paragraph_said = next(u for u in script.chapters[1].utterances if u.text.startswith(paragraph))
    assert paragraph_said.text == paragraph + "."
    assert paragraph_said.words == len(words) == count_words(paragraph, "th")


@pytest.mark.parametrize(("locale", "heading", "paragraph", "terminal"), CASES, ids=[c[0] for c in CASES])
def test_words_are_counted_as_the_language_writes_them(
    locale: str, heading: str, paragraph: str, terminal: str
) -> None:
    if locale == "ja":  # every kana and kanji is a syllable: each counts one, as eSpeak's speeds are measured
        assert count_words(paragraph, locale) == sum(c.isalpha() for c in paragraph)
    else:
        assert paragraph.count(terminal) >= 1
        assert count_words(paragraph, locale) == len(paragraph.split())


def test_arabic_vowel_marks_do_not_split_words() -> None:
    """The old regex split a word at every short-vowel mark (a combining character, not \\w)."""
    assert count_words("ذَهَبَ الوَلَدُ إِلَى المَدْرَسَةِ", "ar") == 4
    assert count_words("CAR T-cell therapy doesn't hurt.", "en") == 6  # CAR, T, cell, therapy, doesn't, hurt

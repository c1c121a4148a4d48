"""Segmentation by language (ICU with CLDR's rules): sentence ends, abbreviations, word breaks."""

from __future__ import annotations

import itertools

import pytest
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.i18n.checks.rules import end_punctuation
from packager.segment import ZWSP, ends_sentence, mark_word_breaks, sentences


@pytest.mark.parametrize(
    ("text", "locale"),
    [("Il est parti.", "fr"), ("你好。", "zh_Hans"), ("كيف حالك؟", "ar"), ("ठीक है।", "hi"), ("ደህና ነው።", "am"),
     ("Τι κάνεις;", "el"), ("Ask your doctor!”", "en")],
)  # fmt: skip
def test_sentence_ends_of_every_script(text: str, locale: str) -> None:
    assert ends_sentence(text, locale)
    assert not ends_sentence(text.rstrip("”")[:-1], locale)


def test_an_abbreviation_does_not_end_a_sentence() -> None:
    assert sentences("Ask Mr. Thomas about it. Then decide.", "en") == ["Ask Mr. Thomas about it. ", "Then decide."]


def test_an_amharic_translation_ending_in_its_full_stop_is_not_warned() -> None:
    assert list(end_punctuation("Talk with your doctor.", "ከሐኪምዎ ጋር ይነጋገሩ።", "am")) == []
    assert [c for c, _ in end_punctuation("Talk with your doctor.", "ከሐኪምዎ ጋር ይነጋገሩ", "am")] == ["end-punctuation"]


@pytest.mark.parametrize("locale", ["th", "lo", "km", "my"])
def test_words_written_without_spaces_get_break_opportunities_between_them(locale: str) -> None:
    """Language names from CLDR, written one after another as these scripts do, split back into them."""
    names = [Locale.parse(locale).languages[code] for code in ("en", "fr", "ja")]
    marked = mark_word_breaks("".join(names), locale)
    assert marked.replace(ZWSP, "") == "".join(names)
    assert set(names) <= set(marked.split(ZWSP)) or len(marked.split(ZWSP)) >= len(names)


def test_text_with_spaces_is_left_alone() -> None:
    assert mark_word_breaks("Lupus and CAR T-cell therapy", "en") == "Lupus and CAR T-cell therapy"


def test_a_korean_term_is_found_with_the_particle_written_onto_it() -> None:
    """Korean glossary terms: "관해에" (in remission) is a use of 관해; an English plural is not."""
    from packager.segment import find_word

    text = "루푸스가 관해에 들어갔습니다. B 세포를 없앱니다."
    assert text[slice(*find_word(text, "관해", "ko"))] == "관해"
    assert text[slice(*find_word(text, "B 세포", "ko"))] == "B 세포"
    assert find_word("many remissions", "remission", "en") is None
    assert find_word("그 관해", "해", "ko") is None  # a term never starts inside a word


#: Characters outside the BMP, which ICU counts as two (UTF-16) and Python as one: an emoji, and
#: Adlam (Fula's own script, CLDR's ff_Adlm).
ASTRAL = ["😀 ", "𞤀𞤣𞤤𞤢𞤥 "]


@pytest.mark.parametrize("before", ASTRAL)
def test_offsets_after_a_character_outside_the_bmp_are_pythons(before: str) -> None:
    from packager.segment import find_word, sentence_starts, word_spans

    text = f"{before}Ask your doctor. {before}Then remission may come."
    second = text.index("Then") - len(before)  # the second sentence starts with its own emoji or word
    assert sentence_starts(text, "en") == [second]
    assert find_word(text, "remission", "en") == (text.index("remission"), text.index("remission") + len("remission"))
    spans = word_spans(text, "en")
    assert [start for start, _ in spans[:1]] + [end for _, end in spans[-1:]] == ([0, len(text)] if text else [])
    assert "".join(text[start:end] for start, end in spans) == text
    assert (text.index("doctor"), text.index("doctor") + len("doctor")) in spans
    assert ends_sentence(f"{before}{before}Done.", "en") and not ends_sentence(f"{before}{before}Done", "en")


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_icus_pieces_of_any_text_are_python_indices_that_rebuild_it(text: str) -> None:
    """Whatever the script (the BMP or past it): word pieces tile the text, sentence starts fall inside it."""
    from packager.segment import sentence_starts, word_spans

    spans = word_spans(text, "en")
    assert [start for start, _ in spans[:1]] + [end for _, end in spans[-1:]] == ([0, len(text)] if text else [])
    assert "".join(text[start:end] for start, end in spans) == text
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(spans))
    assert all(0 < start < len(text) for start in sentence_starts(text, "en"))

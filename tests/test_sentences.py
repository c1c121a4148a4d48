"""Paragraphs cut into sentences the same way for the narration and the page that highlights it.

The expected pieces are written by hand, sentence by sentence, as a reader of each language
would cut them; the property checks that a cut never loses or breaks a character of the
Markdown, whatever the text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager import inline

CASES = [
    # (locale, the sentences as written; the paragraph is them joined)
    ("en", ["Talk to your doctor. ", "Ask about the risks. ", "Bring a friend."]),
    ("en", ["Call [the clinic](https://example.org/a.b). ", "They answer **every day**."]),
    ("en", ["It costs $1.5 million. ", "Insurance may pay part of it."]),
    ("en", ["Most people stay in hospital.[^1] ", "Some stay longer."]),  # the note stays with its sentence
    ("en", ["Take it at 8 a.m. ", "*Never* double a dose."]),  # opening emphasis goes with its sentence
    ("fr", ["Le traitement dure 2 semaines. ", "Posez vos questions ! ", "Merci."]),
    ("es", ["¿Qué es la terapia? ", "Es un tratamiento nuevo."]),
    ("ar", ["هذه هي الجملة الأولى. ", "هل تحدثت مع طبيبك؟"]),
    ("hi", ["यह पहला वाक्य है। ", "डॉक्टर से बात करें।"]),
    ("am", ["ይህ የመጀመሪያው ዓረፍተ ነገር ነው። ", "ከሐኪምዎ ጋር ይነጋገሩ።"]),
    ("zh_Hans", ["这是第一句。", "请咨询医生。"]),  # no space between sentences
    ("ja", ["これは最初の文です。", "医師に相談してください。"]),
]


@pytest.mark.parametrize(("locale", "expected"), CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_a_paragraph_is_cut_after_each_sentence_as_written(locale: str, expected: list[str]) -> None:
    assert list(inline.sentences("".join(expected), locale)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "**Stop the drug. Call us now.** Then rest.",  # a cut inside the emphasis would break it
        "Read [the guide. It helps](https://example.org). Then ask.",  # inside a link's text
    ],
)
def test_a_sentence_end_inside_emphasis_or_a_link_is_not_a_cut(text: str) -> None:
    pieces = inline.sentences(text, "en")
    assert "".join(pieces) == text
    assert len(pieces) == 2  # the cut after the emphasis or the link is still made
    assert [m for piece in pieces for m in inline.structure(piece)] == inline.structure(text)
    for piece in pieces:  # each piece is whole Markdown: no "*" or "[" left over as text
        assert not set("*[]") & set(inline.plain(piece))


def test_one_sentence_is_one_piece() -> None:
    assert inline.sentences("CAR T-cell therapy is new", "en") == ("CAR T-cell therapy is new",)


_WORDS = st.sampled_from(["lupus", "dose", "5 mg", "Dr", "e.g.", "CAR-T", "1.5", "«oui»", "数", "دواء", "x"])
_ENDS = st.sampled_from([". ", "? ", "! ", "。", "؟ ", ", ", " ", ".", "\\. "])
_MARKUP = st.sampled_from(["{}", "**{}**", "*{}*", "[{}](https://example.org/p.q)", "{}[^1]", "`{}`"])


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 8))):
        phrase = " ".join(draw(st.lists(_WORDS, min_size=1, max_size=4)))
        parts.append(draw(_MARKUP).format(phrase) + draw(_ENDS))
    return "".join(parts).strip()


@settings(max_examples=300, deadline=None)
@given(paragraphs(), st.sampled_from(["en", "fr", "ar", "zh_Hans", "hi"]))
def test_the_pieces_are_the_paragraph_and_each_reads_as_its_words(text: str, locale: str) -> None:
    pieces = inline.sentences(text, locale)
    assert "".join(pieces) == text  # nothing lost, nothing added
    words = [inline.plain(piece) for piece in pieces]
    assert " ".join("".join(words).split()) == " ".join(inline.plain(text).split())
    markup = [m for piece in pieces for m in inline.structure(piece)]
    assert sorted(markup) == sorted(inline.structure(text))  # no link or emphasis cut in two

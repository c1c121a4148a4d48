"""Line breaking where words have no spaces, verified on the PDF.

A one-paragraph article is translated into Thai, Lao, Khmer and Burmese with a
paragraph of CLDR's language names (in the language, as one runs on without
spaces) and into Japanese; the handouts are built by the command line and read
back with pdfplumber: every line of the paragraph must end at a word end and stay
inside the text column, and no Japanese line may
start with a closing mark (CLDR's and UAX #14's line-breaking rules).
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from babel import Locale

from packager.i18n.pofile import read_catalog, write_catalog

from .conftest import run_packager

NO_SPACES = ("th", "lo", "km", "my")
CODES = ("en", "fr", "de", "es", "ja", "zh", "ko", "ru", "ar", "hi", "vi", "it", "pt", "nl", "sv", "pl", "tr", "el")
SOURCE = """---
title: Words
slug: words
language: en
version: 1.0.0
reviewed: 2026-11-01
summary: Words.
authors: [Test]
medical_reviewers: []
licence: CC BY 4.0
source: Test.
---

## Words

Many words in a row, as long as a paragraph.
"""


def names(locale: str) -> list[str]:
    languages = Locale.parse(locale).languages
    return [languages[code] for code in CODES if code in languages]


def paragraph(locale: str) -> str:
    if locale == "ja":  # sentences with commas, full stops and brackets, which must not start a line
        return "".join(f"「{name}」、{name}。" for name in names(locale))
    if locale == "ko":  # words between spaces, each of several Hangul syllables
        return " ".join(names(locale) * 4)
    return "".join(names(locale) * 3)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("segmentation") / "project"
    (root / "source").mkdir(parents=True)
    (root / "source" / "words.md").write_text(SOURCE, encoding="utf-8")
    (root / "packager.yaml").write_text("", encoding="utf-8")
    for locale in (*NO_SPACES, "ja", "ko"):
        assert run_packager("-C", str(root), "init", locale).returncode == 0
        path = root / "locales" / locale / "LC_MESSAGES" / "words.po"
        catalog = read_catalog(path)
        for message in catalog:
            if message.id:
                own = Locale.parse(locale).get_language_name(locale)
                message.string = paragraph(locale) if message.id.startswith("Many") else f"{own} {message.id}"
        write_catalog(path, catalog)
    result = run_packager("-C", str(root), "build", "--quiet", "--format", "handout", "--format", "large-print")
    assert result.returncode == 0, result.stderr[-2000:]
    return root


def _paragraph_lines(path: Path, text: str, own: str) -> list[dict]:
    """The lines of the translated paragraph, in order: those made only of its characters."""
    with pdfplumber.open(path) as pdf:
        lines = [(line, page.width) for page in pdf.pages for line in page.extract_text_lines()]
    return [
        {**line, "page_width": width}
        for line, width in lines
        if set(line["text"]) <= set(text) | {" "} and len(line["text"].replace(" ", "")) > len(own) + 2
    ]


@pytest.mark.parametrize("locale", NO_SPACES)
def test_lines_break_between_words(built: Path, locale: str) -> None:
    """Every line stays inside the text column, and ends where ICU's dictionary (CLDR's segmentation
    data) ends a word. pdfplumber may list a line's combining marks out of order, never on another
    line, so the count of characters up to each line end says where it broke (where pdfplumber
    gives each line its own characters: it moves some Khmer and Burmese marks to a neighbour)."""
    from icu4py.breakers import WordBreaker

    text = paragraph(locale)
    own = Locale.parse(locale).get_language_name(locale)
    lines = _paragraph_lines(built / "build" / locale / "words.pdf", text, own)
    assert len(lines) >= 3, [ln["text"] for ln in lines]  # the paragraph is long enough to wrap
    for line in lines:
        assert line["x1"] <= line["page_width"] - 15 * 72 / 25.4, line["text"][-8:]  # inside the margin
    chunks = [ln["text"].replace(" ", "") for ln in lines]
    position, ends = 0, []
    for chunk in chunks:
        if sorted(chunk) != sorted(text[position : position + len(chunk)]):
            return  # pdfplumber listed some marks with another line (Khmer, Burmese): no positions
        position += len(chunk)
        ends.append(position)
    word_ends = {start for start, _ in WordBreaker(text, locale).segments()} | {len(text)}
    inside = [chunk[-8:] for chunk, end in zip(chunks, ends, strict=True) if end not in word_ends]
    assert inside == [], "lines end inside words"


def test_japanese_lines_never_start_with_a_closing_mark(built: Path) -> None:
    with pdfplumber.open(built / "build" / "ja" / "words.pdf") as pdf:
        lines = [line["text"] for line in pdf.pages[0].extract_text_lines()]
    assert len([ln for ln in lines if "。" in ln]) >= 3
    assert not [ln for ln in lines if re.match(r"[、。」）]", ln)], lines


@pytest.mark.parametrize("pdf_name", ["words.pdf", "words.large-print.pdf"])
def test_korean_lines_break_between_words_never_inside_one(built: Path, pdf_name: str) -> None:
    """UAX 14 lets a line break between any two Hangul syllables; Korean readers expect whole words
    (CSS word-break: keep-all), so every line starts and ends with a whole word of the paragraph."""
    text = paragraph("ko")
    words = set(text.split())
    lines = _paragraph_lines(built / "build" / "ko" / pdf_name, text, Locale.parse("ko").get_language_name("ko"))
    assert len(lines) >= 3, [ln["text"] for ln in lines]  # the paragraph wraps
    broken = [ln["text"] for ln in lines if not set(ln["text"].split()) <= words]
    assert broken == [], "lines break inside Korean words"

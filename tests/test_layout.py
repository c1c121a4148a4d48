"""Right-to-left layout asserted on the PDF itself: the document's language, body lines flush with
the right margin and ragged on the left, an address printed in reading order.

Arabic is the shipped translation; Hebrew, Persian and Urdu are pseudo-translations made from
CLDR only: every word of the source becomes the language's own name in its own script (the
helper of tests/test_new_languages.py), links, numbers and markup are kept, so paragraphs of
right-to-left words wrap over several lines around left-to-right runs. English is the control:
the same measure finds its lines flush left. Glyph positions come from pdfplumber; the margin
from the theme's start margin (the page CSS mirrors it to the right in right-to-left pages).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from babel import Locale

from benchmarks.page_quality import _elements, _mcids
from packager.builders import no_progress
from packager.document import Article, Text
from packager.i18n.translate import localized
from packager.project import Project, load_project
from packager.render.html import points
from packager.render.pdf import HandoutBuilder, LargePrintBuilder, PrintBuilder
from packager.source import read_article

from .conftest import REPO, SLUG, copy_project, po_strings
from .test_new_languages import own_name

BUILDERS: dict[str, type[PrintBuilder]] = {"handout": HandoutBuilder, "large-print": LargePrintBuilder}
#: Every right-to-left locale in the handout, Arabic in large print too, English as the control.
CASES = [("en", "handout"), ("ar", "handout"), ("ar", "large-print"), ("he", "handout"), ("fa", "handout"),
         ("ur", "handout")]  # fmt: skip
#: What a pseudo-translation keeps as it is: Markdown links and autolinks, bare addresses.
_KEPT = re.compile(r"(\[[^\]]*\]\([^)]*\)|<https?://[^>]+>|https?://\S+)")
TOLERANCE = 1.5  # pt: glyph side bearings


def rtl_words(text: Text, locale: str) -> Text:
    """Every Latin word outside links and addresses replaced by the language's own name (CLDR)."""
    name = own_name(locale)
    parts = _KEPT.split(text.markdown)
    parts[0::2] = [re.sub(r"[A-Za-z][A-Za-z'’-]*", name, part) for part in parts[0::2]]
    return dataclasses.replace(text, markdown="".join(parts))


def article_in(project: Project, locale: str) -> Article:
    article = read_article(project.source_dir / f"{SLUG}.md")
    if locale in ("en", "ar"):
        return localized(project, article, locale)
    return dataclasses.replace(article.map_texts(lambda t: rtl_words(t, locale)), locale=locale, draft=True)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, PrintBuilder]]:
    project = load_project(copy_project(tmp_path_factory.mktemp("layout") / "project"))
    out = {}
    for locale, fmt in CASES:
        builder = BUILDERS[fmt]()
        (name, data), *_ = builder.build(article_in(project, locale), project, no_progress).files.items()
        path = project.root / f"{locale}-{name}"
        path.write_bytes(data)
        out[locale, fmt] = (path, builder)
    return out


def body_lines(path: Path) -> list[list[tuple[float, float]]]:
    """For each body paragraph (a P of the structure tree directly in the article or a section, not
    in a list, table or notice box): its lines as (left edge, right edge) in points, from the glyphs."""
    paragraphs = []
    with pdfplumber.open(path) as pdf:
        glyphs: dict[tuple[int, int], list[dict]] = {}
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                if char.get("mcid") is not None and char["text"].strip():
                    glyphs.setdefault((number, char["mcid"]), []).append(char)
        for element, ancestors in _elements(pdf.structure_tree):
            if element.get("type") != "P" or any(a.get("type") not in ("Document", "Sect") for a in ancestors):
                continue
            chars = sorted((c for key in _mcids(element) for c in glyphs.get(key, ())), key=_baseline)
            lines: list[list[dict]] = []
            for char in chars:  # one line: the same page and baseline (fonts of two scripts share it)
                if lines and _baseline(lines[-1][0]) == pytest.approx(_baseline(char), abs=3):
                    lines[-1].append(char)
                else:
                    lines.append([char])
            paragraphs.append([(min(c["x0"] for c in line), max(c["x1"] for c in line)) for line in lines])
    return paragraphs


def _start(line: tuple[float, float], rtl: bool) -> float:
    """Where a line begins: its right edge in right-to-left text, its left edge otherwise."""
    return line[1] if rtl else line[0]


def _baseline(char: dict) -> tuple[int, float]:
    return char["page_number"], -char["matrix"][5]


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_body_lines_are_flush_with_the_start_margin_and_ragged_at_the_end(locale: str, fmt: str, pdfs) -> None:
    path, builder = pdfs[locale, fmt]
    rtl = Locale.parse(locale).character_order == "right-to-left"
    with pdfplumber.open(path) as pdf:
        width = float(pdf.pages[0].width)
    start = points(builder.theme.margins[3])
    flush = width - start if rtl else start  # where every line starts
    # Paragraphs that start at the margin (a glossary entry or a call-out box is indented on purpose):
    # every one of their lines starts there too. Were the text set the other way, none would count.
    paragraphs = [lines for lines in body_lines(path) if abs(_start(lines[0], rtl) - flush) <= TOLERANCE]
    assert len(paragraphs) >= 10
    for lines in paragraphs:
        assert [_start(line, rtl) for line in lines] == pytest.approx([flush] * len(lines), abs=TOLERANCE), lines
    # Ragged, not justified: the last line of a paragraph of several ends short of the far margin.
    ends = [lines[-1][0] - start if rtl else width - start - lines[-1][1] for lines in paragraphs if len(lines) > 1]
    assert ends and sum(end > 20 for end in ends) >= len(ends) / 2, ends


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_the_pdf_declares_the_language_of_the_text(locale: str, fmt: str, pdfs) -> None:
    with pikepdf.open(pdfs[locale, fmt][0]) as pdf:
        assert str(pdf.Root.Lang) == locale.replace("_", "-")


def printed_addresses(locale: str) -> list[str]:
    """The addresses the catalog's translations print: an autolink's, a link's target, or a link's
    text where that is the address itself ("clinicaltrials.gov" for https://clinicaltrials.gov/)."""
    found = set()
    for text in po_strings(REPO / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po").values():
        found.update(re.findall(r"<(https?://[^>\s]+)>", text))
        for label, href in re.findall(r"\[([^\]]*)\]\((https?://[^)\s]+)\)", text):
            bare = re.sub(r"^https?://(www\.)?", "", href).rstrip("/")
            found.add(label if label == bare else href)
    return sorted(found)


def latin_lines(path: Path) -> list[str]:
    """Each line's Latin glyphs, left to right as printed (right-to-left letters left out)."""
    lines = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            by_line: dict[float, list[dict]] = {}
            for char in page.chars:
                if char["text"].isascii() and char["text"].strip():
                    by_line.setdefault(round(-char["matrix"][5]), []).append(char)
            lines += ["".join(c["text"] for c in sorted(by_line[y], key=lambda c: c["x0"])) for y in sorted(by_line)]
    return lines


def reads_in_order(address: str, lines: list[str]) -> bool:
    """Whole on one line, or its start ending one line and its rest on the next."""
    if any(address in line for line in lines):
        return True
    return any(
        first.endswith(address[:cut]) and address[cut:] in second
        for first, second in itertools.pairwise(lines)
        for cut in range(1, len(address))
    )


@pytest.mark.parametrize("fmt", ["handout", "large-print"])
def test_every_address_in_arabic_text_prints_in_reading_order(fmt: str, pdfs) -> None:
    """Glyph by glyph, left to right, each address reads as the PO file writes it (never '//:https'
    or a path before its host), also where a line break falls inside it."""
    addresses = printed_addresses("ar")
    assert len(addresses) >= 4
    lines = latin_lines(pdfs["ar", fmt][0])
    assert [a for a in addresses if not reads_in_order(a, lines)] == []

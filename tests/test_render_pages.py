"""Pages a clinic would hand out: pagination, large-print fill, and page furniture as artifacts.

Read from the real PDFs (structure tree and glyphs through pdfplumber, content streams
through pikepdf) by benchmarks/page_quality.py. The shipped article is checked in every
locale; synthetic articles then slide a heading, a lead-in and a table across the foot
of page 1, one line at a time, in both themes, so the rules are seen to hold where they
are needed and not only where the shipped text happens to fall.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from benchmarks.page_quality import Quality, analyse, build_and_analyse, content_areas
from packager.builders import no_progress
from packager.i18n.translate import localized
from packager.i18n.ui import ui_gettext
from packager.project import ClinicSettings, Project, Settings, load_project
from packager.render.html import DRAFT_LINE, DRAFT_NOTICE, render
from packager.render.pdf import HandoutBuilder, LargePrintBuilder, PrintBuilder
from packager.source import read_article

from .conftest import ALL_LOCALES, REPO, SLUG, copy_project

FORMATS = ("handout", "large-print")
BUILDERS: dict[str, type[PrintBuilder]] = {"handout": HandoutBuilder, "large-print": LargePrintBuilder}
CASES = [pytest.param(loc, fmt, id=f"{loc}-{fmt}") for loc in ALL_LOCALES for fmt in FORMATS]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Quality]]:
    root = copy_project(tmp_path_factory.mktemp("pages") / "project")
    out = {}
    for quality in build_and_analyse(root, list(ALL_LOCALES), list(FORMATS)):
        locale, name = quality.name.split("/")
        fmt = "large-print" if name.endswith(".large-print.pdf") else "handout"
        out[locale, fmt] = (root / "build" / locale / name, quality)
    return out


def assert_paginated(q: Quality) -> None:
    """The rules for any article: no heading or lead-in at a page foot, no lone row, visual reading order."""
    assert not q.headings_ending_page, q.headings_ending_page
    assert not q.lead_ins_ending_page, q.lead_ins_ending_page
    assert not q.lone_rows, q.lone_rows
    assert not q.out_of_order, q.out_of_order


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_shipped_pagination(locale: str, fmt: str, shipped: dict) -> None:
    _path, q = shipped[locale, fmt]
    assert_paginated(q)
    about = max(b.table for b in q.blocks if b.table is not None)
    assert about not in [table for table, _rows in q.split_tables], "About this handout is split"


def assert_half_full(q: Quality) -> None:
    """Every page at least half full but the last, and the last page of a section whose next
    (top-level) section starts a page."""
    for number, fill in enumerate(q.fills[:-1], start=1):
        if fill >= 0.5:
            continue
        first_next = next(b for b in q.blocks if b.page == number + 1)
        assert first_next.kind in ("H1", "H2"), (q.name, number, fill, first_next.text)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_large_print_pages_are_at_least_half_full(locale: str, shipped: dict) -> None:
    assert_half_full(shipped[locale, "large-print"][1])


def _orphan_mcids(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page, MCID) of marked content that no structure element reaches: neither artifact nor real content."""
    reached: set[tuple[int, int]] = set()  # (page objgen, mcid)
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
        elif isinstance(item, pikepdf.Dictionary) and "/K" in item:
            kids = item.K if isinstance(item.K, pikepdf.Array) else [item.K]
            for kid in kids:
                if isinstance(kid, int):
                    reached.add((item.Pg.objgen, kid))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    reached.add((kid.get("/Pg", item.get("/Pg")).objgen, int(kid.MCID)))
                else:
                    stack.append(kid)
    out = []
    for number, page in enumerate(pdf.pages, start=1):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                if (page.obj.objgen, int(operands[1].MCID)) not in reached:
                    out.append((number, int(operands[1].MCID)))
    return out


PAINTING = frozenset("f F f* S s B B* b b* sh Do Tj TJ ' \"".split())


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_everything_painted_is_tagged_content_or_an_artifact(locale: str, fmt: str, shipped: dict) -> None:
    """Rules, borders and backgrounds included: nothing is painted outside marked content (PDF/UA-1 7.1)."""
    path, _q = shipped[locale, fmt]
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            marks: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    tagged = op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
                    marks.append("artifact" if operands[0] == "/Artifact" else "content" if tagged else "other")
                elif op == "EMC":
                    marks.pop()
                elif op in PAINTING:
                    assert {"artifact", "content"} & set(marks), (number, op)


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_furniture_is_artifact_and_the_first_notice_is_content(locale: str, fmt: str, shipped: dict) -> None:
    path, q = shipped[locale, fmt]
    with pikepdf.open(path) as pdf:
        assert _orphan_mcids(pdf) == []
    _ = ui_gettext(REPO / "locales", locale)
    draft = locale != "en"
    top = {"handout": 17 * 72 / 25.4, "large-print": 71.0}[fmt]
    running = {"handout": 25 * 72 / 25.4, "large-print": 1.4 * 72}[fmt]
    bottom = {"handout": 21 * 72 / 25.4, "large-print": 1.2 * 72}[fmt]
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = [c for c in page.chars if c["text"].strip()]
            body = {c.get("mcid") is not None for c in chars if c["tag"] != "Artifact"}
            assert body == {True}, "every glyph is either tagged content or an artifact"
            footer = [c for c in chars if c["top"] > page.height - bottom]
            assert footer and all(c["tag"] == "Artifact" and c.get("mcid") is None for c in footer)
            header = [c for c in chars if c["bottom"] < (running if draft and number > 1 else top)]
            assert all(c["tag"] == "Artifact" for c in header)
            assert bool(header) == (draft and number > 1)  # the running draft line, and nothing else
    tagged = [_squash("".join(b.text for b in q.blocks if b.page == n)) for n in range(1, q.pages + 1)]
    assert (_squash(DRAFT_NOTICE) in tagged[0]) == draft  # read once, on page 1
    assert not any(_squash(DRAFT_NOTICE) in text or _squash(_(DRAFT_LINE)) in text for text in tagged[1:])


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_a_pdf_ua_checker_finds_nothing(locale: str, fmt: str, shipped: dict) -> None:
    """pdfua checks the machine-checkable part of PDF/UA-1 (table header scope among it) with pikepdf."""
    from pdfua import validate

    path, _q = shipped[locale, fmt]
    report = validate(str(path))
    assert not report.findings, [(f.rule_id, f.message) for f in report.findings]


def test_tighter_spacing_saves_pages_where_a_section_would_end_on_a_loose_page(shipped: dict) -> None:
    """Some shipped large print at normal spacing leaves a page holding a section's last lines (the
    next section's heading, lead-in and table keep together); the builder's tighter layout saves
    pages, with 18 pt text and 1.5 line spacing kept (test_render_pdf checks those on these PDFs).
    Which language it is depends on the article's wording, so every shipped one is tried."""
    builder = LargePrintBuilder()
    tried = []
    for (locale, fmt), (path, q) in sorted(shipped.items()):
        if fmt != "large-print":
            continue
        project = load_project(path.parents[2])
        article = localized(project, read_article(project.source_dir / f"{SLUG}.md"), locale)
        normal = builder.layout(render(article, project, builder.theme), project)
        tried.append(locale)
        if builder.loose_pages(normal, article.draft) != (0, 0):
            assert q.pages <= len(normal.pages)
            assert builder.loose_pages(normal, article.draft) > builder.loose_pages(
                builder.layout(render(article, project, builder.theme, tight=True), project), article.draft
            ) or q.pages < len(normal.pages)
            return
    pytest.fail(f"no shipped large print has a loose page at normal spacing ({tried}): use a synthetic article")


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_reading_order_follows_the_page_with_a_masthead(locale: str, tmp_path: Path) -> None:
    """Clinic name and contact beside the audio QR code: the tree still reads down the page, in
    Arabic (mirrored) too."""
    root = copy_project(tmp_path / "project")
    clinic = ClinicSettings(name="Riverside Lupus Clinic", contact="(555) 010-0199", country="US")
    project = Project(root=root, settings=Settings(clinic=clinic, publish_url="https://clinic.example.org/h"))
    article = localized(project, read_article(project.source_dir / f"{SLUG}.md"), locale)
    for fmt in FORMATS:
        builder = BUILDERS[fmt]()
        product = builder.build(article, project, no_progress)
        (name, data), *_ = product.files.items()
        path = tmp_path / f"{locale}-{name}"
        path.write_bytes(data)
        q = analyse(path, content_areas(builder.theme, product.info["pages"], article.draft))
        assert_paginated(q)
        first = [b.text for b in q.blocks if b.page == 1][:6]
        assert any("Riverside" in text for text in first), first  # the masthead is in the tree, early


# -- synthetic articles: a heading, a lead-in and a table row brought to the foot of page 1 -----

FRONT = """---
title: Pagination test
slug: pages
language: en
version: 1.0.0
reviewed: 2026-11-01
summary: Short lines, then a heading, a lead-in, a table and a list at the foot of a page.
authors: [Test writers]
medical_reviewers: []
licence: CC BY 4.0
source: Made for the tests.
---

## Filler
"""

TAIL = """
## The heading that must not end a page

Here are the six studies, one a row:

| Study | What it found |
| --- | --- |
{rows}

These are the things to ask your doctor:

- Is this treatment right for me?
- What are its risks, and how often do they happen?
- How long would I stay in hospital?

A closing paragraph that follows the list and ends the section.
"""


def _article(root: Path, lines: int) -> Path:
    filler = "\n\n".join(f"Short line {n}." for n in range(1, lines + 1))
    rows = "\n".join(f"| Study {n} | Result {n} of the study, in one short line. |" for n in range(1, 7))
    path = root / "source" / "pages.md"
    path.write_text(FRONT + "\n" + filler + "\n" + textwrap.dedent(TAIL).format(rows=rows), encoding="utf-8")
    return path


def _build(root: Path, fmt: str, lines: int) -> Quality:
    project = load_project(root)
    article = read_article(_article(root, lines))
    builder = BUILDERS[fmt]()
    product = builder.build(article, project, no_progress)
    (name, data), *_ = product.files.items()
    path = root / "build" / f"{lines}-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return analyse(path, content_areas(builder.theme, product.info["pages"], article.draft))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rules_hold_wherever_the_page_foot_falls(fmt: str, tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    # How many one-line paragraphs fill page 1: then slide the rest across its foot, a line at a time.
    probe = _build(tmp_path, fmt, 80)
    per_page = sum(1 for b in probe.blocks if b.page == 1 and b.text.startswith("Short line"))
    heading_pages, lead_in_pages, table_splits = set(), set(), []
    for lines in range(per_page - 12, per_page + 1):
        q = _build(tmp_path, fmt, lines)
        assert_paginated(q)
        if fmt == "large-print":
            assert_half_full(q)
        heading_pages.add(next(b.page for b in q.blocks if b.kind == "H2" and "must not" in b.text))
        lead_in_pages.add(next(b.page for b in q.blocks if b.text.startswith("Here are the six studies")))
        table_splits += [rows for _table, rows in q.split_tables if _table == 1]
        rows = [b for b in q.blocks if b.table == 1]
        for page in sorted({b.page for b in rows}):  # each page of the table starts with its header
            assert next(b for b in rows if b.page == page).header, (lines, page)
    # The slide really brought each kind of block to the foot of page 1.
    assert heading_pages == {1, 2} and lead_in_pages == {1, 2}
    assert table_splits and all(min(rows) >= 2 for rows in table_splits), table_splits

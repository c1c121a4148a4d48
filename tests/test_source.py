"""The Markdown reader builds the document model, and refuses what it cannot represent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from packager.document import Figure, ListBlock, Paragraph, Quote, Table
from packager.errors import PackagerError
from packager.source import read_article
from tests.conftest import REPO, SLUG

FRONT = """---
title: A test
slug: a-test
language: en
version: 2.1
reviewed: 2026-01-02
summary: One line.
authors: [Someone]
medical_reviewers: []
licence: CC BY 4.0
source: Here.
---
"""


def write(tmp_path: Path, body: str, front: str = FRONT) -> Path:
    path = tmp_path / "a-test.md"
    path.write_text(front + body, encoding="utf-8")
    return path


def test_shipped_article_structure() -> None:
    article = read_article(REPO / "source" / f"{SLUG}.md")
    assert article.meta.slug == SLUG
    assert article.meta.reviewed.year >= 2025
    ids = [s.id for s in article.sections]
    for wanted in ("key-points", "what-are-the-side-effects", "references", "medical-disclaimer"):
        assert wanted in ids
    kinds = {type(b) for s in article.sections for b in s.blocks}
    assert {Paragraph, ListBlock, Table} <= kinds
    keys = [t.key for t in article.texts()]
    assert len(keys) == len(set(keys)), "message contexts must be unique"


def test_shipped_article_keeps_both_cost_estimates_and_pointers() -> None:
    text = (REPO / "source" / f"{SLUG}.md").read_text(encoding="utf-8")
    assert "$375,000 to $475,000" in text and "$375,000 to $425,000" in text
    assert "EurekAlert!, 2024" in text
    assert "https://clinicaltrials.gov/" in text
    assert "## Medical disclaimer" in text


def test_shipped_article_reads_at_grade_8_or_below() -> None:
    from packager.document import iter_texts
    from packager.i18n.readability import grade_level
    from packager.inline import plain

    article = read_article(REPO / "source" / f"{SLUG}.md")
    prose = [plain(t.markdown) for s in article.sections if s.id != "references" for t in iter_texts(s.blocks)]
    # List items and headings are sentences too; give them an end mark so they count as such.
    text = " ".join(p if p.rstrip().endswith((".", "?", "!")) else p + "." for p in prose)
    grade = grade_level(text, "en")
    assert grade is not None and 3.0 <= grade <= 8.0, grade


def test_texts_carry_lines_comments_and_inline_markdown(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Intro **bold** text.\n\n## First part\n\n- one [link](https://example.org/)\n- two\n\n"
        "| A | B |\n| --- | --- |\n| c | d |\n\n![A chart of results](chart.png)\n\n> quoted words\n",
    )
    article = read_article(path)
    intro, first = article.sections
    assert intro.heading is None and intro.blocks[0].text.markdown == "Intro **bold** text."
    assert intro.blocks[0].text.line == 13
    assert first.heading.key == "first-part/heading" and first.heading.line == 15
    items = first.blocks[0]
    assert isinstance(items, ListBlock) and [i.text.line for i in items.items] == [17, 18]
    assert items.items[0].text.markdown == "one [link](https://example.org/)"
    assert items.items[0].text.comment == "list item, section 'First part'"
    table = first.blocks[1]
    assert isinstance(table, Table) and table.rows[0][1].key == "first-part/table1/r1c2"
    figure = first.blocks[2]
    assert isinstance(figure, Figure) and figure.alt.markdown == "A chart of results" and figure.src == "chart.png"
    assert isinstance(first.blocks[3], Quote)
    assert article.meta.version == "2.1"


@pytest.mark.parametrize(
    ("body", "front", "message", "line"),
    [
        ("Text\n", "title: x\n", "must start with YAML front matter", 1),
        ("Text\n", FRONT.replace("summary: One line.", "summary: [unclosed"), "invalid front matter", 8),
        ("Text\n", FRONT.replace("licence:", "colour: red\nlicence:"), "unknown front-matter field 'colour'", 10),
        ("Text\n", FRONT.replace("reviewed: 2026-01-02", "reviewed: soon"), "'reviewed' must be a date", 6),
        ("Text\n", FRONT.replace("slug: a-test", "slug: ../../etc"), "'slug' must be lower-case", 3),
        ("Text\n", FRONT.replace("version: 2.1\n", ""), "lacks the required field 'version'", 2),
        ("Fine.\n\nA <script>alert(1)</script> here.\n", FRONT, "raw HTML is not allowed", 15),
        ("Fine.\n\n<div>block</div>\n", FRONT, "raw HTML is not allowed", 15),
        ("Fine.\n\n    code block\n", FRONT, "code block is not supported", 15),
        ("# Title again\n", FRONT, "level-1 heading is not allowed", 13),
        ("- a\n  - b\n    - c\n      - d\n", FRONT, "nested more than 3 levels deep", 16),
        ("- a\n\n  more text\n", FRONT, "a list item holds one paragraph", 15),
        ("![](x.png)\n", FRONT, "needs alternative text", 13),
        ("See [the guide][g].\n\n[g]: https://example.org/\n", FRONT, "link reference definition", 15),
        ("Click [here](javascript:alert(1)).\n", FRONT, "is not an http(s), mailto or tel address", 13),
    ],
)
def test_bad_input_is_one_line_error_with_file_and_line(
    tmp_path: Path, body: str, front: str, message: str, line: int
) -> None:
    path = write(tmp_path, body, front)
    with pytest.raises(PackagerError, match=re.escape(message)) as info:
        read_article(path)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert info.value.path == path and info.value.line == line, text


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(FRONT.encode() + b"ok\n\nbad \xff byte\n")
    with pytest.raises(PackagerError, match="not valid UTF-8") as info:
        read_article(path)
    assert info.value.line == 15


def test_a_heading_named_introduction_keeps_its_own_section(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "Opening words.\n\n## Introduction\n\nMore words.\n"))
    opening, intro = article.sections
    assert opening.id == "introduction" and opening.heading is None
    assert intro.id == "introduction-2" and intro.heading.key == "introduction-2/heading"
    assert len({t.key for t in article.texts()}) == len(list(article.texts()))


def test_numeric_looking_front_matter_keeps_what_the_author_wrote(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "Text.\n", FRONT.replace("version: 2.1", "version: 1.10")))
    assert article.meta.version == "1.10"


def test_lists_as_commonmark_reads_them(tmp_path: Path) -> None:
    """Nesting by the item's content column (2, 3 or 4 spaces), a new list when the marker
    changes, an ordered list's first number kept, loose and tight lists."""
    body = (
        "1. one\n2. two:\n   - two a\n   - two b\n     1. deep\n3. three\n   still three\n\n"
        "- x\n\n- y\n\nThen:\n\n3. from three\n4. four\n    - four a\n"
    )
    lists = [b for s in read_article(write(tmp_path, body)).sections for b in s.blocks if isinstance(b, ListBlock)]

    def shape(block: ListBlock) -> list:
        return [(i.text.markdown, shape(i.sublist) if i.sublist else None) for i in block.items]

    assert [(b.ordered, b.start, b.loose) for b in lists] == [(True, 1, False), (False, 1, True), (True, 3, False)]
    assert shape(lists[0]) == [
        ("one", None),
        ("two:", [("two a", None), ("two b", [("deep", None)])]),
        ("three still three", None),
    ]
    assert shape(lists[1]) == [("x", None), ("y", None)]
    assert shape(lists[2]) == [("from three", None), ("four", [("four a", None)])]
    deep = lists[0].items[1].sublist.items[1].sublist.items[0].text  # type: ignore[union-attr]
    assert deep.key == "introduction/list1/item2/list1/item2/list1/item1" and deep.line == 17

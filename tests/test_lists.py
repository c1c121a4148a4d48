"""Lists as CommonMark defines them.

First the spec's own list examples (tests/data/commonmark_lists.json, a vendored subset of the
CommonMark Spec 0.31.2): packager reads exactly the lists of the spec's HTML, or refuses the
example in one line naming the line. Then a second article, with lists nested three deep at two-
and four-space indents, a numbered list starting at 3 and a bullet list right after a numbered
one, built in a pseudo-translated locale: the PDF text, the PDF tags and the speech script.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from packager.document import Block, ListBlock, Paragraph, Quote
from packager.errors import PackagerError
from packager.i18n.pofile import read_catalog, write_catalog
from packager.source import read_article
from tests.conftest import run_packager
from tests.test_source import FRONT

SPEC = json.loads((Path(__file__).parent / "data" / "commonmark_lists.json").read_text(encoding="utf-8"))
BODY_LINE = FRONT.count("\n") + 1  # the article line of an example's first line


def _squash(text: str) -> str:
    return " ".join(text.split())


# -- the spec's expected HTML, as nested (kind, ...) tuples -----------------------------------


_VOID = frozenset({"hr", "br", "img"})


class _Tree(HTMLParser):
    """The spec's HTML as (tag, attrs, children) nodes; children are nodes or strings."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: tuple[str, dict, list] = ("root", {}, [])
        self.stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: tuple[str, dict, list] = (tag, dict(attrs), [])
        self.stack[-1][2].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1][0] == tag, (tag, self.stack[-1][0])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].append(data)


def _text(node: Any) -> str:
    return node if isinstance(node, str) else "".join(_text(child) for child in node[2])


def _html_block(node: tuple[str, dict, list]) -> tuple:
    tag, attrs, children = node
    if tag == "p":
        return ("p", _squash(_text(node)))
    if tag == "blockquote":
        return ("quote", [_html_block(c) for c in children if not isinstance(c, str)])
    if tag in ("ul", "ol"):
        items, loose = [], False
        for li in (c for c in children if not isinstance(c, str)):
            assert li[0] == "li"
            words = [c if isinstance(c, str) else _text(c) for c in li[2] if isinstance(c, str) or c[0] == "p"]
            lists = [_html_block(c) for c in li[2] if not isinstance(c, str) and c[0] in ("ul", "ol")]
            assert len(lists) <= 1
            loose = loose or any(not isinstance(c, str) and c[0] == "p" for c in li[2])
            items.append((_squash("".join(words)), lists[0] if lists else None))
        return (tag, int(attrs.get("start", 1)), loose, items)
    return (tag,)  # anything else must not be in a supported example


def _model_block(block: Block) -> tuple:
    if isinstance(block, Paragraph):
        return ("p", _squash(block.text.markdown))
    if isinstance(block, Quote):
        return ("quote", [_model_block(b) for b in block.blocks])
    if isinstance(block, ListBlock):
        items = [(_squash(i.text.markdown), _model_block(i.sublist) if i.sublist else None) for i in block.items]
        return ("ol" if block.ordered else "ul", block.start, block.loose, items)
    return (type(block).__name__,)


def _example_id(example: dict) -> str:
    return f"example-{example['example']}"


def test_the_vendored_examples_name_their_spec_version_and_licence() -> None:
    assert SPEC["spec"]["version"] == "0.31.2" and "0.31.2" in SPEC["spec"]["url"]
    assert "CC BY-SA 4.0" in SPEC["licence"] and "John MacFarlane" in SPEC["licence"]
    examples = SPEC["supported"] + SPEC["refused"]
    numbers = [e["example"] for e in examples]
    assert len(numbers) == len(set(numbers)) and 20 <= len(numbers) <= 40
    assert {e["section"] for e in examples} == {"List items", "Lists"}


@pytest.mark.parametrize("example", SPEC["supported"], ids=_example_id)
def test_lists_read_as_the_spec_renders_them(tmp_path: Path, example: dict) -> None:
    """Nesting, order, first numbers, new lists on a marker change, loose and tight: the
    blocks packager reads are exactly the blocks of the spec's HTML."""
    path = tmp_path / "a-test.md"
    path.write_text(FRONT + example["markdown"], encoding="utf-8")
    article = read_article(path)
    read = [_model_block(b) for s in article.sections for b in s.blocks]
    expected = [_html_block(n) for n in _Tree(example["html"]).root[2] if not isinstance(n, str)]
    assert read == expected


@pytest.mark.parametrize("example", SPEC["refused"], ids=_example_id)
def test_lists_packager_cannot_keep_are_refused_naming_the_line(tmp_path: Path, example: dict) -> None:
    path = tmp_path / "a-test.md"
    path.write_text(FRONT + example["markdown"], encoding="utf-8")
    with pytest.raises(PackagerError, match=re.escape(example["message"])) as info:
        read_article(path)
    text = str(info.value)
    assert example["message"] in text and "\n" not in text
    assert info.value.path == path and info.value.line == BODY_LINE + example["line"] - 1, text


# -- a second article, built ------------------------------------------------------------------

SLUG = "clinic-visit"
ARTICLE = """---
title: Getting ready for your clinic visit
slug: clinic-visit
language: en
version: 1.0
reviewed: 2026-11-01
summary: What to do before and during a visit.
authors: [Test Clinic]
medical_reviewers: []
licence: CC BY 4.0
source: Written for the tests.
---
Read this before you come.

## Before your visit

1. Write down your questions.
2. Gather your medicines:
   - Pills you take every day
     - Blood pressure pills
     - Vitamins
   - Creams and sprays
3. Ask a friend to come with you.
- Your insurance card
- A list of your doctors:
  - Your family doctor
    - Their phone number
  - Your kidney doctor

## At the clinic

3. Check in at the front desk.
4. Wait for the nurse:
    - She takes your blood pressure.
        - Tell her if you feel dizzy.
    - She asks about your pain.
5. See the doctor.
"""

# The lists of ARTICLE, section by section: (ordered, start, [(text, sublist or None)]).
# Three-space indents under "2." and two-space under "- A list", four and eight under "4.".
LISTS = {
    "before-your-visit": [
        (
            True,
            1,
            [
                ("Write down your questions.", None),
                (
                    "Gather your medicines:",
                    (
                        False,
                        1,
                        [
                            (
                                "Pills you take every day",
                                (False, 1, [("Blood pressure pills", None), ("Vitamins", None)]),
                            ),
                            ("Creams and sprays", None),
                        ],
                    ),
                ),
                ("Ask a friend to come with you.", None),
            ],
        ),
        (
            False,
            1,
            [
                ("Your insurance card", None),
                (
                    "A list of your doctors:",
                    (
                        False,
                        1,
                        [
                            ("Your family doctor", (False, 1, [("Their phone number", None)])),
                            ("Your kidney doctor", None),
                        ],
                    ),
                ),
            ],
        ),
    ],
    "at-the-clinic": [
        (
            True,
            3,
            [
                ("Check in at the front desk.", None),
                (
                    "Wait for the nurse:",
                    (
                        False,
                        1,
                        [
                            ("She takes your blood pressure.", (False, 1, [("Tell her if you feel dizzy.", None)])),
                            ("She asks about your pain.", None),
                        ],
                    ),
                ),
                ("See the doctor.", None),
            ],
        )
    ],
}
BULLETS = {1: "•", 2: "◦", 3: "▪"}  # CSS's default list-style-type by nesting depth: disc, circle, square


def pseudo(text: str) -> str:
    return "[fr] " + text


def _model_list(block: ListBlock) -> tuple:
    items = [(i.text.markdown, _model_list(i.sublist) if i.sublist else None) for i in block.items]
    return (block.ordered, block.start, items)


def _printed(lst: tuple, depth: int = 1) -> list[tuple[int, str, str]]:
    """(depth, marker, text) of every item in reading order, as the page shows them."""
    ordered, start, items = lst
    out = []
    for n, (text, sub) in enumerate(items, start=start):
        out.append((depth, f"{n}." if ordered else BULLETS[depth], pseudo(text)))
        if sub:
            out.extend(_printed(sub, depth + 1))
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding only ARTICLE, with a pseudo-translated French catalog made by
    'packager init fr', and its handout and large print built in French."""
    root = tmp_path_factory.mktemp("lists") / "project"
    (root / "source").mkdir(parents=True)
    (root / "source" / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    result = run_packager("-C", str(root), "init", "fr")
    assert result.returncode == 0, result.stderr
    po = root / "locales" / "fr" / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(po, "fr")
    for message in catalog:
        if message.id:
            message.string = pseudo(message.id)
    write_catalog(po, catalog)
    result = run_packager(
        "-C", str(root), "build", "--format", "handout", "--format", "large-print", "--locale", "fr", "--json"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {row["status"] for row in json.loads(result.stdout)} == {"built"}
    return root


def test_the_article_reads_as_written(project: Path) -> None:
    article = read_article(project / "source" / f"{SLUG}.md")
    lists = {s.id: [_model_list(b) for b in s.blocks if isinstance(b, ListBlock)] for s in article.sections}
    assert {k: v for k, v in lists.items() if v} == LISTS


def test_nested_items_tell_translators_their_parent(project: Path) -> None:
    catalog = read_catalog(project / "locales" / "fr" / "LC_MESSAGES" / f"{SLUG}.po", "fr")
    comments = {m.context: " ".join(m.auto_comments) for m in catalog if m.id}
    assert comments["before-your-visit/list1/item2"] == "list item, section 'Before your visit'"
    assert comments["before-your-visit/list1/item2/list1/item1"] == (
        "list item under 'Gather your medicines:', section 'Before your visit'"
    )
    assert comments["before-your-visit/list1/item2/list1/item1/list1/item2"] == (
        "list item under 'Pills you take every day', section 'Before your visit'"
    )
    assert comments["at-the-clinic/list1/item2/list1/item1/list1/item1"] == (
        "list item under 'She takes your blood pressure.', section 'At the clinic'"
    )


@pytest.mark.parametrize("pdf_name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_pdf_text_prints_items_in_order_with_their_numbers_and_nesting(project: Path, pdf_name: str) -> None:
    with pdfplumber.open(project / "build" / "fr" / pdf_name) as pdf:
        text = _squash("\n".join(page.extract_text() or "" for page in pdf.pages))
    at = 0
    for section in LISTS.values():
        for lst in section:
            for _depth, marker, words in _printed(lst):
                found = text.find(f"{marker} {words}", at)
                assert found >= 0, (marker, words, text[at : at + 300])
                at = found + 1
    assert "1. [fr] Check in" not in text and "4. [fr] Write down" not in text


class _Tags:
    """A tagged PDF's structure tree, and the text of each structure element by its MCIDs."""

    def __init__(self, path: Path) -> None:
        self.chars: dict[tuple[int, int], str] = defaultdict(str)
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages):
                for char in page.chars:
                    if char.get("mcid") is not None:
                        self.chars[number, char["mcid"]] += char["text"]
        self.pdf = pikepdf.open(path)
        self.pages = {page.obj.objgen: number for number, page in enumerate(self.pdf.pages)}

    def text(self, node: Any, page: int | None = None) -> str:
        if isinstance(node, int):
            return self.chars.get((page, node), "") if page is not None else ""
        if isinstance(node, pikepdf.Array):
            return "".join(self.text(kid, page) for kid in node)
        if isinstance(node, pikepdf.Dictionary):
            if "/Pg" in node:
                page = self.pages[node.Pg.objgen]
            if "/MCID" in node:
                return self.chars.get((page, int(node.MCID)), "")
            if "/K" in node:
                return self.text(node.K, page)
        return ""

    @staticmethod
    def kids(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
        k = node.get("/K")
        kids = list(k) if isinstance(k, pikepdf.Array) else [k]
        return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]

    def lists(self, node: Any = None) -> list[pikepdf.Dictionary]:
        """The outermost /L elements, in reading order."""
        node = self.pdf.Root.StructTreeRoot if node is None else node
        out = []
        for kid in self.kids(node):
            out.extend([kid] if kid.S == "/L" else self.lists(kid))
        return out

    def items(self, lst: pikepdf.Dictionary, depth: int = 1) -> list[tuple[int, str, str]]:
        """(depth, Lbl text, LBody text) of every /LI, a nested /L one level deeper."""
        out = []
        for kid in self.kids(lst):
            if kid.S == "/LI":
                parts = {str(part.S): _squash(self.text(part)) for part in self.kids(kid)}
                assert set(parts) == {"/Lbl", "/LBody"}, parts
                out.append((depth, parts["/Lbl"], parts["/LBody"]))
            else:
                assert kid.S == "/L", kid.S
                out.extend(self.items(kid, depth + 1))
        return out


@pytest.mark.parametrize("pdf_name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_pdf_tags_nest_lists_as_written(project: Path, pdf_name: str) -> None:
    """Every item is an /LI with its /Lbl (number or bullet) and /LBody, a nested list an /L
    inside its parent's /L right after the parent's /LI (WeasyPrint's placement), at its depth."""
    tags = _Tags(project / "build" / "fr" / pdf_name)
    tagged = [item for lst in tags.lists() for item in tags.items(lst)]
    assert tagged == [item for section in LISTS.values() for lst in section for item in _printed(lst)]


def test_handout_tags_each_list_as_one_l(project: Path) -> None:
    """On the handout each list fits its page, so each Markdown list is exactly one outer /L.
    (The large print splits a list that crosses a page break into one /L per page:
    WeasyPrint's tagging, Kozea/WeasyPrint#2903; not asserted here.)"""
    tags = _Tags(project / "build" / "fr" / f"{SLUG}.pdf")
    tagged = [tags.items(lst) for lst in tags.lists()]
    assert tagged == [_printed(lst) for section in LISTS.values() for lst in section]


# What a listener hears, item by item: a step's number; "Step N, point M." for a point inside
# step N; "Step N, point M, sub-point K." one level deeper; bullets outside a step plainly.
SPOKEN = {
    "before-your-visit": [
        "1. [fr] Write down your questions.",
        "2. [fr] Gather your medicines:",
        "Step 2, point 1. [fr] Pills you take every day",
        "Step 2, point 1, sub-point 1. [fr] Blood pressure pills",
        "Step 2, point 1, sub-point 2. [fr] Vitamins",
        "Step 2, point 2. [fr] Creams and sprays",
        "3. [fr] Ask a friend to come with you.",
        "[fr] Your insurance card",
        "[fr] A list of your doctors:",
        "[fr] Your family doctor",
        "[fr] Their phone number",
        "[fr] Your kidney doctor",
    ],
    "at-the-clinic": [
        "3. [fr] Check in at the front desk.",
        "4. [fr] Wait for the nurse:",
        "Step 4, point 1. [fr] She takes your blood pressure.",
        "Step 4, point 1, sub-point 1. [fr] Tell her if you feel dizzy.",
        "Step 4, point 2. [fr] She asks about your pain.",
        "5. [fr] See the doctor.",
    ],
}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_speech_says_items_in_order_with_steps_and_points(project: Path) -> None:
    from packager.i18n.translate import localize
    from packager.project import load_project
    from packager.speech.lexicon import load_lexicon
    from packager.speech.script import build_script

    loaded = load_project(project)
    article = localize(loaded, read_article(project / "source" / f"{SLUG}.md"), "fr").article
    script = build_script(article, load_lexicon(loaded.locales_dir, "fr"))
    chapters = {chapter.id: chapter for chapter in script.chapters}
    for section, lines in SPOKEN.items():
        said = [_words(u.text) for u in chapters[section].utterances[2:]]  # after "Part N of M." and the heading
        assert said == [_words(line) for line in lines], section

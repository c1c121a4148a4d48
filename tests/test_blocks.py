"""What patient articles use, beyond paragraphs and lists: call-outs, a checklist to tick,
figures with captions, glossary terms, definition lists and footnotes.

A second article (tests/data/articles/clinic-visit.md) uses every one of them, with lists nested
three deep at two- and four-space indents and a numbered list starting at 3. It is
pseudo-translated into French (every vowel accented, footnote references kept) and built as
handout, large print, narration, braille and EPUB. Expected words come from the PO file and
the interface catalogs read as text (tests.conftest.po_strings, ui_string), never from the code
under test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from packager.errors import PackagerError
from packager.i18n.pofile import read_catalog, write_catalog
from packager.segment import find_word
from packager.source import read_article
from tests.conftest import REPO, figure_alts, po_strings, run_packager, ui_string
from tests.test_braille import braille, flow, pef_pages
from tests.test_epub import EPUBCHECK
from tests.test_lists import _squash, _Tags
from tests.test_source import FRONT, write

ARTICLES = Path(__file__).parent / "data" / "articles"
SLUG = "clinic-visit"
LOCALE = "fr"
#: The footnotes' numbers: the order the source first refers to them.
NOTES = {"flare": 1, "visits": 2}
BULLETS = {1: "•", 2: "◦", 3: "▪"}  # CSS's default list-style-type by nesting depth
FRENCH_BRAILLE = "fr-bfu-g2.ctb"  # liblouis's table for French literary braille, by its metadata
_ACCENTED = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")


def pseudo(text: str) -> str:
    """Every vowel accented; footnote references ("[^flare]") kept, as a translator must keep them.
    The glossary terms change exactly as the text's words do, so each is still found at its use."""
    return "".join(
        part if part.startswith("[^") else part.translate(_ACCENTED) for part in re.split(r"(\[\^[^\]]+\])", text)
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article with a pseudo-French catalog made by 'packager init', built in every format."""
    root = tmp_path_factory.mktemp("blocks") / "project"
    shutil.copytree(ARTICLES, root / "source")
    interface = root / "locales" / LOCALE / "LC_MESSAGES"
    interface.mkdir(parents=True)
    shutil.copy(REPO / "locales" / LOCALE / "LC_MESSAGES" / "packager.po", interface)  # init keeps it
    assert run_packager("-C", str(root), "init", LOCALE, "-q").returncode == 0
    po = root / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(po, LOCALE)
    for message in catalog:
        if message.id:
            message.string = pseudo(message.id)
    write_catalog(po, catalog)
    result = run_packager("-C", str(root), "build", "--locale", LOCALE, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {row["status"] for row in json.loads(result.stdout)} == {"built"}
    return root


@pytest.fixture(scope="module")
def po(project: Path) -> dict[str, str]:
    return po_strings(project / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po")


def printed(text: str, large: bool = False) -> str:
    """A message as print shows it: footnote references as their numbers (raised in the handout,
    in brackets on the line in large print, where nothing is set smaller)."""
    return re.sub(r"\[\^([^\]]+)\]", lambda m: f"[{NOTES[m[1]]}]" if large else str(NOTES[m[1]]), text)


def spoken(text: str) -> str:
    """A message as the narration says it: footnote references left out."""
    return re.sub(r"\[\^[^\]]+\]", "", text)


def definition_line(po: dict[str, str], term: str) -> str:
    """The printed definition box: the UI's "{term}: {definition}", the term starting a sentence."""
    word = po[f"glossary/{term}/term"]
    line = ui_string(LOCALE, "{term}: {definition}")
    return line.format(term=word[:1].upper() + word[1:], definition=po[f"glossary/{term}/definition"])


def expected_print(po: dict[str, str], large: bool) -> list[str]:
    """Everything the article prints, in reading order, from the catalog."""

    def label(kind: str) -> str:
        return ui_string(LOCALE, kind)

    bullets = [
        (1, "before-your-visit/list1/item1"),
        (1, "before-your-visit/list1/item2"),
        (2, "before-your-visit/list1/item2/list1/item1"),
        (3, "before-your-visit/list1/item2/list1/item1/list1/item1"),
        (3, "before-your-visit/list1/item2/list1/item1/list1/item2"),
        (2, "before-your-visit/list1/item2/list1/item2"),
        (1, "before-your-visit/list1/item3"),
    ]
    numbered = [
        ("3.", "at-the-clinic/list1/item1"),
        ("4.", "at-the-clinic/list1/item2"),
        (BULLETS[2], "at-the-clinic/list1/item2/list1/item1"),
        (BULLETS[3], "at-the-clinic/list1/item2/list1/item1/list1/item1"),
        (BULLETS[2], "at-the-clinic/list1/item2/list1/item2"),
        ("5.", "at-the-clinic/list1/item3"),
    ]
    return [
        po["meta/title"],
        po["introduction/p1"],
        definition_line(po, "remission"),
        label("Important"),
        po["introduction/callout1/p1"],
        po["before-your-visit/heading"],
        *(f"{BULLETS[depth]} {po[key]}" for depth, key in bullets),
        printed(po["before-your-visit/p1"], large),
        definition_line(po, "flare"),
        po["before-your-visit/quote1/p1"],
        po["at-the-clinic/heading"],
        *(f"{marker} {po[key]}" for marker, key in numbered),
        label("Warning"),
        po["at-the-clinic/callout1/p1"],
        po["at-the-clinic/figure1/caption"],
        po["questions-to-ask/heading"],
        *(po[f"questions-to-ask/checklist1/item{n}"] for n in (1, 2, 3)),
        po["words-you-may-hear/heading"],
        po["words-you-may-hear/deflist1/term1"],
        po["words-you-may-hear/deflist1/term1/def1"],
        po["words-you-may-hear/deflist1/term2"],
        po["words-you-may-hear/deflist1/term2/def1"],
        po["words-you-may-hear/deflist1/term2/def2"],
        printed(po["words-you-may-hear/p1"], large),
        ui_string(LOCALE, "Notes"),
        f"1. {po['notes/flare']}",
        f"2. {po['notes/visits']}",
        ui_string(LOCALE, "About this handout"),
    ]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return _squash("\n".join(page.extract_text() or "" for page in pdf.pages))


@pytest.mark.parametrize("pdf_name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_pdf_prints_every_construct_in_order(project: Path, po: dict[str, str], pdf_name: str) -> None:
    text = pdf_text(project / "build" / LOCALE / pdf_name)
    at = 0
    for wanted in expected_print(po, large="large-print" in pdf_name):
        found = text.find(_squash(wanted), at)
        assert found >= 0, (wanted, text[at : at + 300])
        at = found + len(_squash(wanted))
    for term in ("remission", "flare"):  # defined once, at the first use only
        assert text.count(po[f"glossary/{term}/definition"]) == 1
    assert po["at-the-clinic/figure1/alt"] not in text and po["at-the-clinic/figure2/alt"] not in text
    assert "[^" not in text and "[ ]" not in text and "[!" not in text


@pytest.mark.parametrize(("pdf_name", "smallest"), [(f"{SLUG}.pdf", 10), (f"{SLUG}.large-print.pdf", 18)])
def test_captions_definitions_and_notes_keep_the_smallest_size(project: Path, pdf_name: str, smallest: int) -> None:
    """Handout text is never under 10 pt; large print, to its guidance, never under 18 pt."""
    with pdfplumber.open(project / "build" / LOCALE / pdf_name) as pdf:
        small = {(c["text"], round(c["size"], 1)) for p in pdf.pages for c in p.chars if c["size"] < smallest - 0.05}
    assert not small, sorted(small)[:10]


def test_glossary_term_is_marked_at_its_first_use(project: Path, po: dict[str, str]) -> None:
    """The first use of the term is bold (<dfn>); its later uses are not."""
    with pdfplumber.open(project / "build" / LOCALE / f"{SLUG}.pdf") as pdf:
        words = [w for page in pdf.pages for w in page.extract_words(extra_attrs=["fontname"])]
    term = po["glossary/remission/term"]
    uses = [w for w in words if w["text"].strip(".,:") == term]
    assert len(uses) >= 2
    assert "Bold" in uses[0]["fontname"] and "Bold" not in uses[-1]["fontname"], [w["fontname"] for w in uses]


def _unspaced(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _elements(node: object, kind: str) -> list[pikepdf.Dictionary]:
    out: list[pikepdf.Dictionary] = []
    if isinstance(node, pikepdf.Array):
        for kid in node:
            out += _elements(kid, kind)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == kind:
            out.append(node)
        if "/K" in node:
            out += _elements(node.K, kind)
    return out


@pytest.mark.parametrize("pdf_name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_pdf_tags_call_outs_figures_lists_and_checklist(project: Path, po: dict[str, str], pdf_name: str) -> None:
    tags = _Tags(project / "build" / LOCALE / pdf_name)
    root = tags.pdf.Root.StructTreeRoot
    asides = _elements(root.K, "/Aside")
    said = [[_unspaced(tags.text(p)) for p in tags.kids(aside)] for aside in asides]  # lines join unspaced
    assert said == [
        [_unspaced(ui_string(LOCALE, "Important")), _unspaced(po["introduction/callout1/p1"])],
        [_unspaced(ui_string(LOCALE, "Warning")), _unspaced(po["at-the-clinic/callout1/p1"])],
    ]
    assert root.RoleMap.Aside == "/Sect"  # PDF/UA-1 readers know PDF 1.7's types
    assert sorted(figure_alts(root)) == sorted([po["at-the-clinic/figure1/alt"], po["at-the-clinic/figure2/alt"]])
    assert [_squash(tags.text(c)) for c in _elements(root.K, "/Caption")] == [po["at-the-clinic/figure1/caption"]]

    def starting(message: str) -> pikepdf.Dictionary:
        return next(lst for lst in tags.lists() if _unspaced(message) in _unspaced(tags.text(lst)))

    # Items of the numbered and bulleted lists in reading order (the large print splits a list that
    # crosses a page into one /L per page: WeasyPrint's tagging, see tests/test_lists.py).
    labelled = [
        item
        for lst in tags.lists()
        if any(part.S == "/Lbl" for li in tags.kids(lst) if li.S == "/LI" for part in tags.kids(li))
        for item in tags.items(lst)
    ]
    texts = [_unspaced(text) for _, _, text in labelled]
    at = texts.index(_unspaced(po["before-your-visit/list1/item1"]))
    assert [(d, label) for d, label, _ in labelled[at : at + 7]] == [
        (1, "•"),
        (1, "•"),
        (2, "◦"),
        (3, "▪"),
        (3, "▪"),
        (2, "◦"),
        (1, "•"),
    ]
    at = texts.index(_unspaced(po["at-the-clinic/list1/item1"]))
    numbered = [(d, label) for d, label, _ in labelled[at : at + 6]]
    assert numbered == [(1, "3."), (1, "4."), (2, "◦"), (3, "▪"), (2, "◦"), (1, "5.")]
    # The checklist: one /LI per item, with no /Lbl: its box is drawn, not a character.
    checklist = next(
        lst for lst in tags.lists() if _squash(tags.text(lst)).startswith(po["questions-to-ask/checklist1/item1"])
    )
    items = [kid for kid in tags.kids(checklist) if kid.S == "/LI"]
    assert [_squash(tags.text(i)) for i in items] == [po[f"questions-to-ask/checklist1/item{n}"] for n in (1, 2, 3)]
    assert not any(part.S == "/Lbl" for item in items for part in tags.kids(item))


@pytest.mark.parametrize("pdf_name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_checklist_items_have_an_empty_box_to_tick(project: Path, po: dict[str, str], pdf_name: str) -> None:
    """A square before each item's first word, on its line, as tall as most of the text; no glyph."""
    with pdfplumber.open(project / "build" / LOCALE / pdf_name) as pdf:
        for n in (1, 2, 3):
            words = po[f"questions-to-ask/checklist1/item{n}"].split()
            page, first = next(
                (page, found[i])
                for page, found in ((page, page.extract_words()) for page in pdf.pages)
                for i in range(len(found))
                if [x["text"] for x in found[i : i + len(words)]] == words
            )
            height = first["bottom"] - first["top"]
            boxes = [
                r
                for r in page.rects
                if abs(r["width"] - r["height"]) < 0.5
                and r["width"] >= 0.6 * height
                and r["x1"] <= first["x0"]
                and r["top"] < first["bottom"]
                and r["bottom"] > first["top"]
            ]
            assert boxes, (n, first)
            before = [c for c in page.chars if abs(c["top"] - first["top"]) < 2 and c["x1"] <= first["x0"]]
            assert not before, before  # nothing printed before the item's words but the box


def utterances(project: Path) -> dict[str, list[str]]:
    """By part, what the narration says for each element: a paragraph's sentences (each its own
    utterance, the later ones marked ``joins``) put back together."""
    timings = json.loads((project / "build" / LOCALE / f"{SLUG}.timings.json").read_text(encoding="utf-8"))
    parts: dict[str, list[str]] = {}
    for part in timings["sections"]:
        said = parts.setdefault(part["id"], [])
        for u in part["utterances"]:
            if u.get("joins"):
                said[-1] += " " + u["text"]
            else:
                said.append(u["text"])
    return parts


def test_narration_announces_call_outs_checklists_definitions_and_reads_notes_last(
    project: Path, po: dict[str, str]
) -> None:
    parts = utterances(project)
    speech = lambda message: ui_string(LOCALE, message)  # noqa: E731
    opening = parts["introduction"]
    # The glossary term's definition right after the paragraph that first uses it.
    at = opening.index(po["introduction/p1"])
    definition = speech("{term} means: {definition}").format(
        term=po["glossary/remission/term"], definition=po["glossary/remission/definition"]
    )
    assert opening[at + 1 : at + 4] == [definition + ".", speech("Important") + ".", po["introduction/callout1/p1"]]
    visit = parts["before-your-visit"]
    at = visit.index(spoken(po["before-your-visit/p1"]))  # the note's reference is not read in the sentence
    flare = speech("{term} means: {definition}").format(
        term=po["glossary/flare/term"], definition=po["glossary/flare/definition"]
    )
    assert visit[at + 1] == flare + "."
    everything = [u for said in parts.values() for u in said]
    assert everything.count(definition + ".") == 1 and everything.count(flare + ".") == 1
    assert not any("[^" in u or "flare]" in u for u in everything)
    clinic = parts["at-the-clinic"]
    assert clinic[clinic.index(speech("Warning") + ".") + 1].startswith(po["at-the-clinic/callout1/p1"][:10])
    figure = speech("Figure: {description}").format(description=po["at-the-clinic/figure1/alt"])
    assert f"{figure}. {po['at-the-clinic/figure1/caption']}." in clinic  # the description, then the caption
    questions = parts["questions-to-ask"]
    items = [f"{n}. {po[f'questions-to-ask/checklist1/item{n}']}" for n in (1, 2, 3)]
    assert questions[2:] == [speech("A list to tick:"), *items]
    words = parts["words-you-may-hear"]
    term2 = po["words-you-may-hear/deflist1/term2"]
    defs2 = [po[f"words-you-may-hear/deflist1/term2/def{k}"] for k in (1, 2)]
    assert f"{term2}: {defs2[0]} {defs2[1]}" in words
    # The notes: a part of their own after the last section, numbered as printed, before the closing.
    order = list(parts)
    assert order[-3:] == ["words-you-may-hear", "endnotes", "closing"]
    notes = parts["endnotes"]
    assert notes[1:] == [speech("Notes") + ".", f"1. {po['notes/flare']}", f"2. {po['notes/visits']}"]


def test_braille_has_labels_captions_definitions_and_notes(project: Path, po: dict[str, str]) -> None:
    """In reading order: the call-out's label before its text, the glossary definition after its
    first use, the picture's caption, the checklist's announcement, the notes after the text."""
    text = flow([row for page in pef_pages(project / "build" / LOCALE / f"{SLUG}.pef")[1] for row in page])
    wanted = [
        po["introduction/p1"],
        po["glossary/remission/definition"],
        ui_string(LOCALE, "Important"),
        po["introduction/callout1/p1"],
        po["at-the-clinic/figure1/caption"],
        ui_string(LOCALE, "A list to tick:"),
        po["questions-to-ask/checklist1/item1"],
        ui_string(LOCALE, "Notes"),
        po["notes/flare"],
        po["notes/visits"],
    ]
    at = 0
    for message in wanted:
        found = text.find(braille(message, FRENCH_BRAILLE), at)
        assert found >= 0, message
        at = found + 1


def test_epub_passes_epubcheck(project: Path) -> None:
    if not EPUBCHECK.exists():
        pytest.fail("epubcheck is not installed (debian-packages.txt lists it)")
    path = project / "build" / LOCALE / f"{SLUG}.epub"
    result = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=600)
    report = result.stdout + result.stderr
    assert result.returncode == 0 and "Messages: 0 fatals / 0 errors / 0 warnings" in report, report


def test_translators_see_each_construct_with_its_own_context(project: Path) -> None:
    catalog = read_catalog(project / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po", LOCALE)
    comments = {m.context: " ".join(m.auto_comments) for m in catalog if m.id}
    assert "'important' call-out" in comments["introduction/callout1/p1"]
    assert "checklist item" in comments["questions-to-ask/checklist1/item2"]
    assert (
        "caption" in comments["at-the-clinic/figure1/caption"] and "read aloud" in comments["at-the-clinic/figure1/alt"]
    )
    assert "glossary term" in comments["glossary/remission/term"]
    assert "'remission'" in comments["glossary/remission/definition"]
    assert "'Infusion'" in comments["words-you-may-hear/deflist1/term2/def2"]
    assert "footnote" in comments["notes/visits"]
    assert "at-the-clinic/figure2/caption" not in comments  # no caption, no message


def test_check_warns_when_the_translated_term_is_not_used_in_the_text(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(project / "source", root / "source")
    shutil.copytree(project / "locales", root / "locales")
    po = root / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(po, LOCALE)
    catalog.get("remission", context="glossary/remission/term").string = "accalmie"  # the text says rémíssíón
    write_catalog(po, catalog)
    result = run_packager("-C", str(root), "check", "--locale", LOCALE, "--json")
    found = [f for r in json.loads(result.stdout) for f in r["findings"] if f["code"] == "glossary-term-unused"]
    assert [(f["severity"], f["key"]) for f in found] == [("warning", "glossary/remission/term")], result.stdout
    assert "'accalmie'" in found[0]["message"]


# -- what is refused, in one line naming the file and line --------------------------------------


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("- [ ] First question\n- [x] Second question\n", r"a checklist item is ticked \('\[x\]'\)", 2),
        ("- [ ] First question\n- Second\n", r"every item of a checklist starts with '\[ \]'", 2),
        ("- An item\n\n  > [!WARNING]\n  > Inside.\n", "not a call-out", 3),
        ("- An item\n  - [ ] A question\n", "a checklist cannot be inside a list", 2),
        ("> [!NOTE]\n> > [!TIP]\n> > Nested.\n", "a call-out cannot hold another call-out", 2),
        ("Text.\n\n> [!DANGER]\n> Unknown kind.\n", r"a call-out starts with one of \[!NOTE\]", 3),
        ("> [!NOTE] A title of my own\n> Text.\n", r"alone on its first line", 1),
        ("| a | b |\n| - | - |\n| ![x](x.png) | y |\n", "an image must stand alone", 3),
        ("Text.\n\n[^1]: A note nobody refers to.\n", r"footnote \[\^1\] is never referred to", 3),
        ("Text with a note.[^2]\n", r"footnote \[\^2\] has no note", 1),
    ],
)
def test_unsupported_constructs_are_refused_naming_the_line(tmp_path: Path, body: str, message: str, line: int) -> None:
    path = write(tmp_path, body)
    first = FRONT.count("\n") + 1
    with pytest.raises(PackagerError, match=message) as info:
        read_article(path)
    assert "\n" not in str(info.value) and info.value.path == path and info.value.line == first + line - 1


def test_a_glossary_term_the_text_never_uses_is_refused_naming_its_line(tmp_path: Path) -> None:
    front = FRONT.replace("source: Here.\n", "source: Here.\nglossary:\n  - term: flare\n    definition: worse days\n")
    path = write(tmp_path, "Lupus can be quiet for years.\n", front)
    with pytest.raises(PackagerError, match="glossary term 'flare' is never used in the text") as info:
        read_article(path)
    assert info.value.path == path and info.value.line == front[: front.index("  - term")].count("\n") + 1


@pytest.mark.parametrize(
    ("text", "term", "locale", "found"),
    [
        ("Lupus can go into Remission.", "remission", "en", True),  # any case
        ("Two remissions so far.", "remission", "en", False),  # whole words only
        ("ผู้ป่วยโรคลูปัสควรพบแพทย์", "ลูปัส", "th", True),  # no spaces: ICU's dictionary finds the word
        ("ผู้ป่วยโรคลูปัสควรพบแพทย์", "ปัส", "th", False),  # part of a word is not the word
    ],
)
def test_a_term_is_found_as_whole_words_in_any_script(text: str, term: str, locale: str, found: bool) -> None:
    span = find_word(text, term, locale)
    assert (span is not None) == found
    if found:
        start = text.lower().index(term.lower())
        assert span == (start, start + len(term))


def test_every_glossary_term_of_the_shipped_article_is_bold_at_its_first_use(shipped_build: Path) -> None:
    """Several terms may be first used in one sentence ("a clinical trial ... the FDA"): each is marked."""
    import yaml

    from tests.conftest import SLUG as SHIPPED

    front = (shipped_build / "source" / f"{SHIPPED}.md").read_text(encoding="utf-8").split("---")[1]
    terms = [entry["term"] for entry in yaml.safe_load(front)["glossary"]]
    with pdfplumber.open(shipped_build / "build" / "en" / f"{SHIPPED}.pdf") as pdf:
        words = [w for page in pdf.pages for w in page.extract_words(extra_attrs=["fontname", "size"])]
    body = max({round(w["size"], 1) for w in words}, key=lambda size: sum(round(w["size"], 1) == size for w in words))
    words = [w for w in words if round(w["size"], 1) == body]  # body text: not headings or the title
    squashed = [re.sub(r"\W", "", w["text"]).lower() for w in words]
    for term in terms:
        parts = [re.sub(r"\W", "", part).lower() for part in term.split()]
        first = next(i for i in range(len(squashed)) if squashed[i : i + len(parts)] == parts)
        assert all("Bold" in w["fontname"] for w in words[first : first + len(parts)]), term

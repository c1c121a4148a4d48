"""The handout and large-print PDFs, read back: text, sizes, fonts, structure, per shipped locale.

All ten PDFs (5 locales x 2 formats) are built once for this module by the real
builders; every test reads those bytes with pdfplumber, pikepdf or poppler.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import itertools
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from packager import inline
from packager.builders import no_progress
from packager.document import Article, Heading, ListBlock, Paragraph, Table
from packager.i18n.translate import localized
from packager.project import ClinicSettings, Project, Settings
from packager.render.html import DRAFT_LINE, DRAFT_NOTICE
from packager.render.pdf import HandoutBuilder, LargePrintBuilder, PrintBuilder
from packager.source import read_article

from .conftest import ALL_LOCALES, REPO, SLUG, expected_article, figure_alts, po_strings, ui_string

PUBLISH = "https://clinic.example.org/handouts"
CLINIC = ClinicSettings(name="Riverside Rheumatology Clinic", contact="Tel. 555 0100 · rheum@riverside.example")
LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)
INCH = 72.0
FORMATS = ("handout", "large-print")
BUILDERS: dict[str, type[PrintBuilder]] = {"handout": HandoutBuilder, "large-print": LargePrintBuilder}
#: Content area (top, bottom) cut off by the themes' margins, in points: generous, to drop only running text.
MARGINS = {"handout": (17 * 72 / 25.4, 21 * 72 / 25.4), "large-print": (INCH - 1, 1.2 * INCH)}
DRAFT_MARGIN_TOP = {"handout": 25 * 72 / 25.4, "large-print": 1.4 * INCH}


def make_project(root: Path, country: str = "US", publish_url: str = PUBLISH) -> Project:
    settings = Settings(clinic=dataclasses.replace(CLINIC, country=country), publish_url=publish_url)
    return Project(root=root, settings=settings)


@dataclass
class Built:
    locale: str
    fmt: str
    article: Article
    path: Path
    pages: int

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("render") / "project"
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, root / name)
    return make_project(root)


@pytest.fixture(scope="module")
def built(project: Project) -> dict[tuple[str, str], Built]:
    """Every shipped locale in both formats, built once."""
    source = read_article(project.source_dir / f"{SLUG}.md")
    out = {}
    for locale in ALL_LOCALES:
        article = localized(project, source, locale)
        for fmt in FORMATS:
            product = BUILDERS[fmt]().build(article, project, no_progress)
            (name, data), *_ = product.files.items()
            path = project.root / "build" / locale / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            out[locale, fmt] = Built(locale, fmt, article, path, product.info["pages"])
    return out


CASES = [pytest.param(loc, fmt, id=f"{loc}-{fmt}") for loc in ALL_LOCALES for fmt in FORMATS]


@pytest.fixture(scope="module")
def plumbed(built: dict[tuple[str, str], Built]) -> dict[tuple[str, str], list[dict]]:
    """Per PDF, per page: chars, full text and content-area text (pdfplumber runs once per file)."""
    out = {}
    for key, b in built.items():
        pages = []
        with pdfplumber.open(b.path) as pdf:
            for number, page in enumerate(pdf.pages):
                top, bottom = MARGINS[b.fmt]
                if b.article.draft and number > 0:
                    top = DRAFT_MARGIN_TOP[b.fmt]
                body = page.crop((0, top, page.width, page.height - bottom))
                pages.append(
                    {
                        "size": (float(page.width), float(page.height)),
                        "chars": page.chars,
                        "text": page.extract_text() or "",
                        "body_chars": body.chars,
                        "body_text": body.extract_text() or "",
                    }
                )
        out[key] = pages
    return out


# -- the words ---------------------------------------------------------------------------------


def _shown(markdown: str) -> str:
    """What a Text prints as: inline HTML with tags dropped (link addresses included)."""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", inline.to_html(markdown, print_urls=True)))


def _flow_texts(article: Article) -> list[str]:
    """Texts that print as one run of lines (not table cells, which interleave when extracted)."""
    texts = [article.meta.title.markdown, article.meta.summary.markdown]
    for section in article.sections:
        if section.heading:
            texts.append(section.heading.markdown)
        for block in section.blocks:
            if isinstance(block, (Heading, Paragraph)):
                texts.append(block.text.markdown)
            elif isinstance(block, ListBlock):
                texts.extend(i.text.markdown for i in block.items)
    return [_shown(t) for t in texts]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_ARABIC_WORD = re.compile(r"[\u0621-\u064A\u066E-\u06D3]+")


def _arabic_words(text: str) -> list[str]:
    bare = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _ARABIC_WORD.findall(bare)


def _logical_rtl(chars: list[dict]) -> str:
    """Right-to-left lines back in reading order: per line, glyphs from right to left."""
    lines: dict[int, list[dict]] = {}
    for char in chars:
        if _spacing(char):  # combining marks may sit off the line and off their letter's x
            lines.setdefault(-round(char["matrix"][5]), []).append(char)  # the baseline: same in every font
    out = []
    for _, line in sorted(lines.items()):
        text, left = "", None
        for char in sorted(line, key=lambda c: -c["x0"]):
            if left is not None and left - char["x1"] > 2:  # a gap between table cells or boxes
                text += " "
            text += char["text"]
            left = char["x0"]
        out.append(text)
    return "\n".join(out)


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_translated_text_is_printed(locale: str, fmt: str, built: dict, plumbed: dict) -> None:
    article = expected_article(read_article(REPO / "source" / f"{SLUG}.md"), locale)  # from the PO files
    pages = plumbed[locale, fmt]
    if locale == "ar":
        text = "\n".join(_logical_rtl(p["body_chars"]) for p in pages)
        printed = set(_arabic_words(text))
        printed_texts = [t for t in article.texts() if not t.key.endswith("/alt")]  # alt text is for readers of tags
        expected = {w for t in printed_texts for w in _arabic_words(inline.plain(t.markdown))}
        assert expected, "the Arabic article has Arabic words"
        assert expected <= printed, sorted(expected - printed)[:20]
        # Reading order: each heading's words, in order, as a run of the page text.
        flowing = " ".join(_arabic_words(text))
        for section in article.sections:
            if section.heading:
                assert " ".join(_arabic_words(inline.plain(section.heading.markdown))) in flowing
        return
    text = _squash("".join(p["body_text"] for p in pages))
    missing = [t for t in _flow_texts(article) if _squash(t) not in text]
    assert not missing, missing[:5]
    # Table cells interleave line by line when extracted: compare their words (CJK: characters).
    cells = " ".join(
        inline.plain(t.markdown)
        for s in article.sections
        for b in s.blocks
        if isinstance(b, Table)
        for row in (b.header, *b.rows)
        for t in row
    )
    printed = " ".join(p["text"] for p in pages)
    if locale.startswith("zh"):
        assert set(_squash(cells)) <= set(printed)
    else:
        assert set(re.findall(r"\w+", cells)) <= set(re.findall(r"\w+", printed))


def test_arabic_is_not_reversed(plumbed: dict) -> None:
    """A reversed line (glyphs left to right) must not pass as Arabic text: the check above can fail."""
    chars = plumbed["ar", "handout"][0]["body_chars"]
    backwards = "".join(c["text"] for c in sorted(chars, key=lambda c: (-round(c["matrix"][5]), c["x0"])))
    forwards = _logical_rtl(chars)
    assert "الذئبة" in forwards.replace("\n", "")
    assert "الذئبة" not in backwards


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_page_size_is_letter_for_a_us_clinic(locale: str, fmt: str, plumbed: dict) -> None:
    for page in plumbed[locale, fmt]:
        assert page["size"] == pytest.approx(LETTER, abs=0.5)


def test_page_size_is_a4_elsewhere(tmp_path: Path, project: Project) -> None:
    german = make_project(project.root, country="DE")
    article = read_article(project.source_dir / f"{SLUG}.md")
    data = HandoutBuilder().build(article, german, no_progress).files[f"{SLUG}.pdf"]
    with pikepdf.open(_write(tmp_path / "a4.pdf", data)) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
    assert box[2:] == pytest.approx(A4, abs=0.5)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- sizes, faces, colours ---------------------------------------------------------------------


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_large_print_has_nothing_under_18pt_and_no_italics(locale: str, plumbed: dict) -> None:
    chars = [c for p in plumbed[locale, "large-print"] for c in p["chars"] if c["text"].strip()]
    assert chars
    small = {(c["text"], round(c["size"], 1)) for c in chars if c["size"] < 17.95}
    assert not small, sorted(small)[:10]
    italic = {c["fontname"] for c in chars if re.search(r"italic|oblique", c["fontname"], re.I)}
    assert not italic
    # Headings are larger than the text and bold.
    big = [c for c in chars if c["size"] > 20.5]
    assert big and all("Bold" in c["fontname"] for c in big)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_handout_has_nothing_under_10pt_and_body_at_12pt(locale: str, plumbed: dict) -> None:
    chars = [c for p in plumbed[locale, "handout"] for c in p["chars"] if c["text"].strip()]
    assert min(c["size"] for c in chars) >= 9.95
    sizes = [round(c["size"]) for c in chars]
    assert max(set(sizes), key=sizes.count) >= 12  # the body text


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_large_print_line_height_is_at_least_1_5(locale: str, plumbed: dict) -> None:
    """Baseline to baseline, between consecutive 18 pt lines set in the same font (a line in
    another font sits differently in its 27 pt line box)."""
    for page in plumbed[locale, "large-print"]:
        glyphs = sorted(
            ((c["matrix"][5], c["fontname"]) for c in page["body_chars"] if 17.9 < c["size"] < 18.1 and _spacing(c)),
            reverse=True,
        )
        lines: list[tuple[float, list[str]]] = []  # baseline, fonts: fonts' baselines differ by a point or two
        for y, font in glyphs:
            if lines and lines[-1][0] - y < 4:
                lines[-1][1].append(font)
            else:
                lines.append((y, [font]))
        main = [(y, max(set(fonts), key=fonts.count)) for y, fonts in lines]
        gaps = [a[0] - b[0] for a, b in itertools.pairwise(main) if a[1] == b[1]]
        assert gaps and min(gaps) >= 1.5 * 18 - 0.6, (min(gaps), page["text"][:80])


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_large_print_margins_are_an_inch(locale: str, plumbed: dict) -> None:
    """An inch of white around the text; the running draft notice and footer sit in it, as in a book,
    but never within half an inch of the paper's edge."""
    for page in plumbed[locale, "large-print"]:
        width, height = page["size"]
        inked = [c for c in page["chars"] if c["text"].strip()]
        assert min(c["x0"] for c in inked) >= INCH - 0.5
        assert max(c["x1"] for c in inked) <= width - INCH + 0.5
        assert min(c["top"] for c in inked) >= INCH / 2
        assert max(c["bottom"] for c in inked) <= height - INCH / 2
        body = [c for c in page["body_chars"] if c["text"].strip()]
        assert min(c["top"] for c in body) >= INCH - 0.5


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_text_contrast_is_at_least_7_to_1(locale: str, fmt: str, plumbed: dict) -> None:
    colours = {tuple(c["non_stroking_color"] or (0,)) for p in plumbed[locale, fmt] for c in p["chars"]}
    for colour in colours:
        assert _contrast_on_white(colour) >= 7, colour


def _spacing(char: dict) -> bool:
    """A glyph that sits on the line (not a combining mark, which may be raised or lowered)."""
    return bool(char["text"].strip()) and not any(unicodedata.category(c) == "Mn" for c in char["text"])


def _contrast_on_white(colour: tuple[float, ...]) -> float:
    rgb = colour * 3 if len(colour) == 1 else colour[:3]

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_no_heading_alone_at_the_foot_of_a_page(locale: str, plumbed: dict) -> None:
    pages = plumbed[locale, "large-print"]
    for page in pages[:-1]:
        chars = [c for c in page["body_chars"] if c["text"].strip()]
        last = max(round(c["bottom"]) for c in chars)
        assert not all(c["size"] > 20.5 for c in chars if round(c["bottom"]) == last), page["body_text"][-80:]


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_every_font_is_embedded(locale: str, fmt: str, built: dict) -> None:
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts not found: scripts/setup.sh installs poppler-utils")
    out = subprocess.run(["pdffonts", str(built[locale, fmt].path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        # name, type, encoding, emb, sub, uni, object, ID: "emb" is 5th from the end.
        emb = row.split()[-5]
        assert emb == "yes", row


def test_latin_large_print_uses_atkinson_and_vietnamese_uses_noto(plumbed: dict) -> None:
    def faces(locale: str) -> set[str]:
        return {c["fontname"].split("+")[-1] for p in plumbed[locale, "large-print"] for c in p["chars"]}

    assert {f.split("-")[0] for f in faces("en")} == {"Atkinson"}
    assert {f.split("-")[0] for f in faces("es")} == {"Atkinson"}
    assert any(f.startswith("Noto-Sans") for f in faces("vi"))
    assert any("Arabic" in f for f in faces("ar"))
    assert any("CJK-SC" in f for f in faces("zh_Hans"))


# -- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_pdf_is_tagged_with_language_title_and_bookmarks(locale: str, fmt: str, built: dict) -> None:
    b = built[locale, fmt]
    with pikepdf.open(b.path) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == locale.replace("_", "-")
        assert root.ViewerPreferences.DisplayDocTitle
        assert int(root.Outlines.Count) != 0
        info = pdf.docinfo
        assert str(info.Title) == inline.plain(b.article.meta.title.markdown)
        assert str(info.Author)
        assert str(info.Subject) == inline.plain(b.article.meta.summary.markdown)
        assert str(info.Keywords)
        assert str(info.CreationDate).startswith("D:" + b.article.meta.reviewed.strftime("%Y%m%d"))
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        levels = [int(s[2]) for s in _struct_types(root.StructTreeRoot) if re.fullmatch(r"/H[1-6]", s)]
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert titles and titles[0] == inline.plain(b.article.meta.title.markdown)


def _struct_types(node: pikepdf.Object) -> list[str]:
    out = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, pikepdf.Dictionary):
            if "/S" in item:
                out.append(str(item.S))
            if "/K" in item:
                stack.append(item.K)
    return out


def test_qr_code_figure_has_alt_text_and_the_station_page_address_is_printed(built: dict, plumbed: dict) -> None:
    for locale in ALL_LOCALES:
        page = plumbed[locale, "handout"][0]
        middle = page["size"][0] / 2
        end_side = [c for c in page["chars"] if (c["x0"] > middle) == (locale != "ar")]
        assert _squash(f"{PUBLISH}/site/{locale}/{SLUG}.html") in _squash("".join(c["text"] for c in end_side))
        assert CLINIC.name.replace(" ", "") in _squash(page["text"])
        with pikepdf.open(built[locale, "handout"].path) as pdf:
            alts = figure_alts(pdf.Root.StructTreeRoot)
        assert ui_string(locale, "Audio version of this handout") in alts


def test_link_addresses_are_printed_after_their_text(plumbed: dict) -> None:
    text = _squash("".join(p["text"] for p in plumbed["en", "handout"]))
    assert "lupusencyclopedia.com(https://www.lupusencyclopedia.com/car-t-cell-therapy-for-lupus/)" in text


# -- footer and draft notice ---------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_every_page_has_the_footer(locale: str, fmt: str, built: dict, plumbed: dict) -> None:
    b = built[locale, fmt]

    def _(msgid: str) -> str:
        return ui_string(locale, msgid)

    pages = plumbed[locale, fmt]
    assert len(pages) == b.pages
    title = _squash(inline.plain(b.article.meta.title.markdown))
    version = _squash(_("Version {version}").format(version=b.article.meta.version))
    for number, page in enumerate(pages, start=1):
        footer = [c for c in page["chars"] if c["top"] > page["size"][1] - MARGINS[fmt][1]]
        if fmt == "large-print":  # one line: "Page X of Y · title", the title shortened to fit
            assert len({round(c["matrix"][5]) for c in footer if _spacing(c)}) == 1, page["text"][-120:]
        if locale == "ar":
            words = " ".join(_arabic_words(_logical_rtl(page["chars"])))
            assert " ".join(_arabic_words(_("Page {page} of {pages}"))) in words
            continue
        text = _squash("".join(c["text"] for c in sorted(footer, key=lambda c: (round(c["top"]), c["x0"]))))
        phrase = _squash(_("Page {page} of {pages}").format(page=number, pages=len(pages)))
        assert phrase in text
        if fmt == "handout":
            assert title in text and version in text
        else:  # at least the title's first word, and whole words up to an ellipsis
            shown = text.split("·")[-1].removesuffix("…")
            assert shown and title.startswith(shown) and title.startswith(shown[: len(title.split()[0])])


def test_arabic_page_counter_reads_right_to_left(plumbed: dict) -> None:
    """ "Page 1 of 5" in Arabic: the page number stands right of the page count, as it is read."""
    pages = plumbed["ar", "handout"]
    total = str(len(pages))
    page = pages[0]
    footer = [c for c in page["chars"] if c["top"] > page["size"][1] - MARGINS["handout"][1]]
    first_line = min(-round(c["matrix"][5]) for c in footer)
    footer = [c for c in footer if -round(c["matrix"][5]) == first_line and c["text"].isdigit()]
    ones = [c["x0"] for c in footer if c["text"] == "1"]
    count = [c["x0"] for c in footer if c["text"] == total[0]]
    assert ones and count and max(ones) > max(count)


@pytest.mark.parametrize(("locale", "fmt"), CASES)
def test_draft_notice_in_full_on_page_1_and_as_a_line_on_every_other(
    locale: str, fmt: str, built: dict, plumbed: dict
) -> None:
    """Page 1 carries the full notice in both languages; every other page one short line in its own."""
    b = built[locale, fmt]
    english = _squash(DRAFT_NOTICE)

    def _(msgid: str) -> str:
        return ui_string(locale, msgid)

    for number, page in enumerate(plumbed[locale, fmt]):
        text = _squash(page["text"])
        if not b.article.draft:
            assert english not in text and _squash(DRAFT_LINE) not in text
            continue
        wanted = [DRAFT_NOTICE, _(DRAFT_NOTICE)] if number == 0 else [_(DRAFT_LINE)]
        assert _(DRAFT_NOTICE) != DRAFT_NOTICE and _(DRAFT_LINE) != DRAFT_LINE
        for notice in wanted:
            if locale == "ar" and notice != DRAFT_NOTICE:
                assert " ".join(_arabic_words(notice)) in " ".join(_arabic_words(_logical_rtl(page["chars"])))
            else:
                assert _squash(notice) in text
        if number:
            top = [c for c in page["chars"] if c["bottom"] < DRAFT_MARGIN_TOP[fmt] and _spacing(c)]
            assert len({round(c["matrix"][5]) for c in top}) == 1  # one line


def test_shipped_translations_are_drafts_and_english_is_not(built: dict) -> None:
    """The notice test above must see both cases: drafts now, and the reviewed source."""
    assert not built["en", "handout"].article.draft
    assert any(built[loc, "handout"].article.draft for loc in ALL_LOCALES if loc != "en")


# -- reproducibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh_Hans", "vi"])  # vi: laid out twice, tightened
def test_same_inputs_give_identical_bytes(locale: str, built: dict, project: Project) -> None:
    b = built[locale, "large-print"]
    again = LargePrintBuilder().build(b.article, project, no_progress).files[b.path.name]
    assert again == b.data


@pytest.mark.parametrize(("locale", "fmt"), [c for c in CASES if c.values[0] != "en"])
def test_no_english_source_sentence_is_left_in_a_translated_pdf(locale: str, fmt: str, plumbed: dict) -> None:
    """Every message the catalog translates differently is printed translated, not in English."""
    strings = po_strings(REPO / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po")
    source = read_article(REPO / "source" / f"{SLUG}.md")
    printed = _squash(" ".join(p["text"] for p in plumbed[locale, fmt]))
    left = [
        t.markdown
        for t in source.texts()
        if len(inline.plain(t.markdown)) >= 30
        and strings[t.key] != t.markdown
        and _squash(inline.plain(t.markdown)) in printed
    ]
    assert left == [], left[:3]

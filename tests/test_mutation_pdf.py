"""Fast checks of what the print renderer may read (render/pdf.py): exact refusals and what is served.

The limits are the module's documented ones: data: URLs up to 512 KiB of images, image files
up to 20 MiB, only our themes, fonts and the article's own images.
"""

from __future__ import annotations

import base64
import itertools
from pathlib import Path

import pytest

from packager.errors import PackagerError
from packager.project import Project, Settings
from packager.render.pdf import HandoutBuilder, LargePrintBuilder, make_fetcher

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "source").mkdir()
    return Project(root=tmp_path, settings=Settings())


def fetch(project: Project, url: str, extra: list[Path] | None = None) -> tuple[bytes, str]:
    response = make_fetcher(project, extra or []).fetch(url)
    return response.read(), response.headers["Content-Type"]


def test_a_small_data_image_is_decoded(project: Project) -> None:
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert fetch(project, url) == (PNG, "image/png")
    assert fetch(project, "data:image/svg+xml,%3Csvg%2F%3E") == (b"<svg/>", "image/svg+xml")
    assert fetch(project, "data:image/jpeg;base64,") == (b"", "image/jpeg")


def test_a_data_url_at_the_limit_is_read_and_one_byte_more_is_refused(project: Project) -> None:
    limit = 512 * 1024
    at_limit = "data:image/png;base64," + base64.b64encode(b"\x00" * limit).decode()
    assert len(fetch(project, at_limit)[0]) == limit
    over = "data:image/png;base64," + base64.b64encode(b"\x00" * (limit + 3)).decode()
    with pytest.raises(PackagerError, match=r"^data: URL larger than 524288 bytes refused$"):
        fetch(project, over)
    with pytest.raises(PackagerError, match=r"^data: URL larger than 524288 bytes refused$"):
        fetch(project, "data:image/png;base64")  # no comma: no payload


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("data:text/html,<b>x</b>", r"^data: URL of type 'text/html' refused$"),
        ("data:,plain", r"^data: URL of type '' refused$"),
        ("data:image/png;base64,%%%", r"^malformed data: URL$"),
        ("http://example.org/x.png", r"^the print renderer refuses to fetch 'http://example.org/x.png'$"),
        ("file://elsewhere/x.png", r"^the print renderer refuses to fetch 'file://elsewhere/x.png'$"),
    ],
)
def test_what_is_refused_and_why(project: Project, url: str, message: str) -> None:
    with pytest.raises(PackagerError, match=message):
        fetch(project, url)


def test_an_image_of_the_article_is_served_with_its_type(project: Project) -> None:
    for name, kind in (
        ("a.png", "image/png"),
        ("b.JPG", "image/jpeg"),
        ("c.jpeg", "image/jpeg"),
        ("d.svg", "image/svg+xml"),
    ):
        path = project.source_dir / name
        path.write_bytes(PNG)
        assert fetch(project, path.as_uri()) == (PNG, kind)
        assert fetch(project, "file://localhost" + path.as_uri()[len("file://") :])[1] == kind


def test_other_files_of_the_article_and_missing_ones_are_refused(project: Project) -> None:
    for name in ("notes.txt", "missing.png"):
        path = project.source_dir / name
        if name.endswith(".txt"):
            path.write_text("x", encoding="utf-8")
        with pytest.raises(PackagerError, match=f"^the print renderer refuses to read {path}$"):
            fetch(project, path.as_uri())
    folder = project.source_dir / "folder.png"
    folder.mkdir()
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to read .*folder\.png$"):
        fetch(project, folder.as_uri())


def test_a_font_file_given_for_this_document_is_served_and_no_other(project: Project, tmp_path: Path) -> None:
    font = tmp_path / "elsewhere" / "font.otf"
    font.parent.mkdir()
    font.write_bytes(b"OTTO")
    assert fetch(project, font.as_uri(), [font]) == (b"OTTO", "font/otf")
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to read .*font\.otf$"):
        fetch(project, font.as_uri())


def test_an_image_over_twenty_megabytes_is_refused(project: Project) -> None:
    path = project.source_dir / "huge.png"
    with path.open("wb") as f:
        f.truncate(20 * 1024 * 1024)
    assert len(fetch(project, path.as_uri())[0]) == 20 * 1024 * 1024
    with path.open("ab") as f:
        f.write(b"\x00")
    with pytest.raises(PackagerError, match=r"^image .*huge\.png is larger than 20971520 bytes$"):
        fetch(project, path.as_uri())


def test_the_two_builders_name_their_pdfs_by_theme() -> None:
    assert HandoutBuilder().name == "handout" and LargePrintBuilder().name == "large-print"


def test_a_pdfs_inputs_are_the_renderers_code_templates_themes_and_fonts(project: Project) -> None:
    from packager.render import pdf

    inputs = HandoutBuilder().inputs(project, "en")
    assert Path(pdf.__file__).resolve() in inputs
    assert any(isinstance(p, Path) and p.suffix == ".html" for p in inputs)
    assert any(isinstance(p, Path) and p.suffix == ".css" for p in inputs)
    assert "paper A4" in inputs or "paper Letter" in inputs or any(str(p).startswith("paper ") for p in inputs)


def test_a_data_url_is_split_at_its_first_comma_and_measured_exactly(project: Project) -> None:
    assert fetch(project, "data:image/svg+xml,a,b")[0] == b"a,b"
    limit = 512 * 1024 * 4 // 3 + 4  # the longest payload: 512 KiB in base64, and its padding
    assert len(fetch(project, "data:image/svg+xml," + "a" * limit)[0]) == limit
    with pytest.raises(PackagerError, match=r"^data: URL larger than 524288 bytes refused$"):
        fetch(project, "data:image/svg+xml," + "a" * (limit + 1))
    response = make_fetcher(project, []).fetch("data:image/svg+xml," + "a" * 100)
    assert response.geturl() == ("data:image/svg+xml," + "a" * 100)[:64]


def test_markup_is_named_in_words_a_translator_knows() -> None:
    from packager.i18n.checks import rules

    assert ("markup-changed", "`code`: 1 in the source, 0 in the translation") in rules.check_message(
        "Take `x` daily.", "Tome x al día.", "es"
    )


class Page:
    """A laid-out page as WeasyPrint gives it: anchors in CSS px from the page's top, height in px."""

    def __init__(self, anchors: dict[str, float], height_pt: float = 842.0) -> None:
        self.anchors = {name: (0.0, y, 0.0, 0.0) for name, y in anchors.items()}
        self.height = height_pt / 0.75


def px(pt_below_text_top: float, top_margin_pt: float) -> float:
    return (pt_below_text_top + top_margin_pt) / 0.75


def test_loose_pages_counts_short_tails_and_half_empty_pages() -> None:
    """A section ending within 3 lines of a page's top (on a page but the first), and a page
    but the last whose text ends a section above its middle (page rules of the print themes)."""
    from types import SimpleNamespace

    from packager.render.themes import HANDOUT, points

    builder = HandoutBuilder()
    top, line = points(HANDOUT.margins[0]), HANDOUT.line_pt
    height = 842.0 - top - points(HANDOUT.margins[2])  # the text area of an A4 page, in pt
    first = Page({"intro": px(0, top), "s1": px(100, top)})
    tail = Page({"s1": px(0, top), "end-s1": px(2 * line, top)})  # 2 lines of s1 carried over
    no_tail = Page({"s1": px(0, top), "end-s1": px(4 * line, top)})
    half = Page({"s2": px(10, top), "end-s2": px(height / 2 - 20, top)})  # a section ends above the middle
    full = Page({"s3": px(10, top), "end-s3": px(height / 2 + 20, top)})
    last = Page({"s4": px(10, top), "end-s4": px(50, top)})

    def loose(*pages: Page, draft: bool = False) -> tuple[int, int]:
        return builder.loose_pages(SimpleNamespace(pages=list(pages)), draft)

    assert loose(first, tail) == (1, 0)
    assert loose(first, no_tail) == (0, 0)
    assert loose(first, tail, last) == (1, 1)  # ending s1 high, it is half empty too
    assert loose(first, half, last) == (0, 1)
    assert loose(first, full, last) == (0, 0)
    assert loose(first, half) == (0, 0)  # the last page may end anywhere
    assert loose(first, tail, half, full, last) == (1, 2)
    assert loose(tail) == (0, 0)  # on the first page every section starts
    # A section starting on the page after its tail: the tail is still short.
    assert loose(first, Page({"s1": px(0, top), "end-s1": px(line, top), "s5": px(3 * line, top)}), last) == (0, 0)
    # A draft's running line deepens the top margin of every page but the first.
    deeper = points(HANDOUT.draft_top)
    drafted = Page({"s1": px(0, deeper), "end-s1": px(2 * line, deeper)})
    assert loose(first, drafted, draft=True) == (1, 0)
    assert loose(first, Page({"s1": px(0, top), "end-s1": px(2 * line + deeper - top, top)})) == (0, 0)


def test_the_handout_is_a_tagged_pdf_ua_document_with_an_identifier(tmp_path: Path) -> None:
    """PDF/UA-1 (ISO 14289-1): a structure tree, Marked content, the pdfuaid part in the XMP, an /ID."""
    import shutil

    import pikepdf

    from packager.source import read_article
    from tests.conftest import REPO, SLUG

    for name in ("source", "locales"):
        shutil.copytree(REPO / name, tmp_path / name)
    project = Project(root=tmp_path, settings=Settings())
    article = read_article(tmp_path / "source" / f"{SLUG}.md")
    steps: list[tuple[int, int, str]] = []
    data = HandoutBuilder().build(article, project, lambda *step: steps.append(step)).files[f"{SLUG}.pdf"]
    assert steps == [
        (0, 4, "handout: HTML"),
        (1, 4, "handout: layout"),
        (3, 4, "handout: PDF"),
        (4, 4, "handout: done"),
    ]
    (tmp_path / "h.pdf").write_bytes(data)
    with pikepdf.open(tmp_path / "h.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
        assert len(pdf.trailer.ID) == 2


def test_a_refused_address_is_named_up_to_200_characters(project: Project) -> None:
    url = "http://example.org/" + "a" * 300
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to fetch '(.{200})'$") as caught:
        fetch(project, url)
    assert caught.value.message.endswith(f"{url[:200]!r}")


def test_a_theme_stylesheet_is_served_as_css(project: Project) -> None:
    from packager.render.themes import HANDOUT

    css = next(p for p in HANDOUT.files() if p.suffix == ".css")
    assert fetch(project, css.as_uri()) == (css.read_bytes(), "text/css")


# --- the whole builder on small articles written here -------------------------------------------

FRONT = """---
title: Care at home
slug: care
language: en
version: 1.0.0
reviewed: 2026-01-01
summary: What to do at home.
authors: [Test writers]
medical_reviewers: []
licence: CC BY 4.0
source: Written for a test.
---

"""


def small_article(project: Project, body: str):
    from packager.source import read_article

    path = project.source_dir / "care.md"
    path.write_text(FRONT + body, encoding="utf-8")
    return read_article(path)


def pages_text(data: bytes, tmp_path: Path) -> list[str]:
    import pdfplumber

    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def points_and_signs(points: int, signs: int) -> str:
    """A section of one-line points, then a section that is one warning call-out (never split)."""
    body = "## Care at home\n\n" + "".join(f"Point {i}: take the tablet with water.\n\n" for i in range(points))
    lines = (f"> Sign {j}: call your care team at once if this happens.\n>\n" for j in range(signs))
    return body + "## When to call\n\n> [!WARNING]\n" + "".join(lines)


@pytest.mark.parametrize(
    ("points", "signs", "draft", "pages", "normal_pages"),
    [(38, 17, False, 3, 3), (35, 17, False, 2, 3), (38, 17, True, 3, 3)],  # (35, 17): a page saved
)
def test_tighter_spacing_pulls_a_section_up_onto_the_page_where_the_last_one_ends(
    project: Project, tmp_path: Path, points: int, signs: int, draft: bool, pages: int, normal_pages: int
) -> None:
    """At normal spacing the call-out does not fit under the first section's last lines and is
    pushed to the next page, leaving that page half empty; the builder's tighter spacing between
    blocks fits it there. In the PDF: the call-out's heading is on the page that ends the first
    section, every point and sign is printed once, and the page count is the one reported.
    In a draft, pages are judged below the running draft line: there, and only there, the first
    section ends above the middle of the page."""
    import dataclasses

    from packager.render.html import render

    builder = HandoutBuilder()
    article = dataclasses.replace(small_article(project, points_and_signs(points, signs)), draft=draft)
    normal = builder.layout(render(article, project, builder.theme), project)
    assert builder.loose_pages(normal, draft) != (0, 0), "no loose page at normal spacing: change the sizes"
    if draft:
        assert builder.loose_pages(normal, False) == (0, 0), "the draft's margin no longer decides: change the sizes"
    assert len(normal.pages) == normal_pages
    product = builder.build(article, project, lambda *_: None)
    texts = pages_text(product.files["care.pdf"], tmp_path)
    assert product.info == {"pages": len(texts)} and len(texts) == pages
    last_point = next(i for i, text in enumerate(texts) if f"Point {points - 1}:" in text)
    assert "When to call" in texts[last_point]
    whole = "\n".join(texts)
    assert all(whole.count(f"Point {i}:") == 1 for i in range(points))
    assert all(whole.count(f"Sign {j}:") == 1 for j in range(signs))


def test_an_address_the_renderer_refuses_stops_the_layout_with_its_reason(project: Project) -> None:
    """WeasyPrint would skip an image it cannot fetch and print the page without it; the fetcher's
    refusal must stop the layout instead, with the fetcher's own message."""
    import dataclasses

    from packager.render.html import render

    builder = HandoutBuilder()
    rendered = render(small_article(project, "## Care\n\nRest.\n"), project, builder.theme)
    image = '<p><img src="http://example.org/x.png" alt="x"></p></body>'
    remote = dataclasses.replace(rendered, html=rendered.html.replace("</body>", image))
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to fetch 'http://example.org/x.png'$"):
        builder.layout(remote, project)
    (project.source_dir / "notes.txt").write_text("x", encoding="utf-8")
    local = dataclasses.replace(rendered, html=rendered.html.replace("</body>", '<img src="notes.txt" alt="x"></body>'))
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to read .*notes\.txt$"):
        builder.layout(local, project)


def test_a_fetch_that_fails_for_another_reason_is_one_line_with_weasyprints_words() -> None:
    from packager.render import pdf

    weasyprint = pdf._weasyprint()
    try:
        raise weasyprint.urls.FatalURLFetchingError('Error fetching "file:///x.png"') from OSError("denied")
    except weasyprint.urls.FatalURLFetchingError as exc:
        error = pdf._fetch_error(exc)
    assert isinstance(error, PackagerError) and error.message == 'Error fetching "file:///x.png"'
    refused = PackagerError("the print renderer refuses to read /x.png")
    try:
        raise weasyprint.urls.FatalURLFetchingError("Error fetching") from refused
    except weasyprint.urls.FatalURLFetchingError as exc:
        assert pdf._fetch_error(exc) is refused


def test_the_renderer_version_names_the_three_libraries_that_shape_a_pdf() -> None:
    import pikepdf
    import pydyf
    import weasyprint

    from packager.render.pdf import weasyprint_version

    expected = f"weasyprint {weasyprint.__version__}; pydyf {pydyf.__version__}; pikepdf {pikepdf.__version__}"
    assert weasyprint_version() == expected


def font_covers(path: Path, char: str) -> bool:
    from fontTools.ttLib import TTCollection, TTFont

    fonts = TTCollection(path).fonts if path.suffix.lower() == ".ttc" else [TTFont(path)]
    return any(ord(char) in (font.getBestCmap() or {}) for font in fonts)


def is_italic(path: Path) -> bool:
    from fontTools.ttLib import TTCollection, TTFont

    fonts = TTCollection(path).fonts if path.suffix.lower() == ".ttc" else [TTFont(path)]
    return any(font["head"].macStyle & 2 for font in fonts)


def test_a_pdfs_inputs_hold_the_locales_own_fonts_and_interface_catalogs(tmp_path: Path) -> None:
    """Arabic needs a face that draws Arabic letters, and its interface words; italic faces only
    where the theme sets italics (never in large print). Read from the font files themselves.
    English, the shipped source language, has no interface catalog of its own (its words are the
    msgids)."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "locales", tmp_path / "locales")
    (tmp_path / "source").mkdir()
    project = Project(root=tmp_path, settings=Settings())
    handout = HandoutBuilder().inputs(project, "ar")
    fonts = [p for p in handout if isinstance(p, Path) and p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    assert any(font_covers(p, "\u0627") for p in fonts)  # ARABIC LETTER ALEF
    assert not any(font_covers(p, "\u0627") for p in HandoutBuilder().inputs(project, "en") if str(p).endswith("f"))
    assert any(is_italic(p) for p in fonts)
    large = LargePrintBuilder().inputs(project, "ar")
    assert not any(is_italic(p) for p in large if isinstance(p, Path) and p.suffix.lower() in (".ttf", ".otf"))
    # The interface words of the locale, and of the source language for what the locale lacks.
    french = Project(root=tmp_path, settings=Settings(source_language="fr"))
    for where, catalogs in ((project, {"ar"}), (french, {"ar", "fr"})):
        inputs = HandoutBuilder().inputs(where, "ar")
        assert {p.relative_to(tmp_path) for p in inputs if isinstance(p, Path) and p.suffix == ".po"} == {
            Path("locales", name, "LC_MESSAGES", "packager.po") for name in catalogs
        }


def test_preflight_names_the_missing_font_and_its_debian_package(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packager.render import fonts

    HandoutBuilder().preflight(project, ["en", "ar"])  # installed on this machine (debian-packages.txt)
    monkeypatch.setattr(fonts, "system_face", lambda family: None)
    HandoutBuilder().preflight(project, ["en"])  # English needs no script face of its own
    message = r"^locale ar needs the font 'Noto Sans Arabic': install the Debian package fonts-noto-core$"
    with pytest.raises(PackagerError, match=message):
        HandoutBuilder().preflight(project, ["en", "ar"])


def test_loose_pages_at_the_edges_of_its_rules() -> None:
    """Under 3 lines is a short tail, 3.5 lines is not; every short tail counts; the middle of the
    text area is measured between the top and the bottom margin (22 mm in the handout, not the
    18 mm side margins); a section ending at the very top of a page ends above its middle."""
    from types import SimpleNamespace

    from packager.render.themes import HANDOUT, points

    builder = HandoutBuilder()
    top, line = points(HANDOUT.margins[0]), HANDOUT.line_pt
    middle = (842.0 - top - points(HANDOUT.margins[2])) / 2

    def loose(*pages: Page) -> tuple[int, int]:
        return builder.loose_pages(SimpleNamespace(pages=list(pages)), False)

    first = Page({"s1": px(0, top), "s2": px(100, top)})
    last = Page({"s9": px(0, top), "end-s9": px(400, top)})
    assert loose(first, Page({"s1": px(0, top), "end-s1": px(2.5 * line, top)})) == (1, 0)
    assert loose(first, Page({"s1": px(0, top), "end-s1": px(3.5 * line, top)})) == (0, 0)
    both = Page({"s1": px(0, top), "s2": px(0, top), "end-s1": px(line, top), "end-s2": px(2 * line, top)})
    again = Page({"s2": px(0, top), "end-s2": px(2 * line, top)})
    tail_of_both = Page({"s1": px(0, top), "s2": px(0, top), "end-s1": px(line, top)})
    assert loose(first, tail_of_both, again) == (2, 1)
    assert loose(first, both) == (1, 0)
    assert loose(first, Page({"s3": px(0, top), "end-s3": px(middle - 2, top)}), last) == (0, 1)
    assert loose(first, Page({"s3": px(0, top), "end-s3": px(middle + 2, top)}), last) == (0, 0)
    assert loose(first, Page({"s1": px(0, top), "end-s1": px(0.5, top)}), last) == (1, 1)


def test_a_served_file_is_named_by_its_address_and_links_out_of_the_article_are_refused(
    project: Project, tmp_path: Path
) -> None:
    from packager.render import fonts

    spaced = project.source_dir / "my figure.png"
    spaced.write_bytes(PNG)
    response = make_fetcher(project, []).fetch(spaced.as_uri())  # the address has "%20" for the space
    assert (response.geturl(), response.read()) == (spaced.as_uri(), PNG)
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (project.source_dir / "link.png").symlink_to(secret)
    for address in ((project.source_dir / "link.png").as_uri(), f"{project.source_dir.as_uri()}/../secret.png"):
        with pytest.raises(PackagerError, match=r"^the print renderer refuses to read .*secret\.png$"):
            make_fetcher(project, []).fetch(address)
    bundled = fonts.atkinson().regular  # the bundled fonts' folder is served without being named
    assert fetch(project, bundled.as_uri()) == (bundled.read_bytes(), "font/ttf")


def test_large_print_is_set_in_the_bundled_atkinson_hyperlegible_without_italics(
    project: Project, tmp_path: Path
) -> None:
    """The theme's promise: Atkinson Hyperlegible (loaded with @font-face from the bundled files)
    at 18 pt, emphasis never in italics. Read from the PDF's fonts and glyph sizes."""
    import pdfplumber

    article = small_article(project, "## Care\n\nRest *every* day and drink water.\n")
    data = LargePrintBuilder().build(article, project, lambda *_: None).files["care.large-print.pdf"]
    path = tmp_path / "large.pdf"
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    body = [c for c in chars if c["text"] in "Restvydkw" and c["size"] >= 17.5]
    assert body and all("Atkinson-Hyperlegible" in c["fontname"] for c in body)
    assert not any("Italic" in c["fontname"] for c in chars)
    assert round(min(c["size"] for c in body)) == 18


def test_tighter_spacing_that_saves_nothing_is_not_kept(project: Project, tmp_path: Path) -> None:
    """The call-out does not fit under the first section's end at either spacing: the page stays
    half empty, the page count is the same, so the normal spacing is kept. In the PDF the signs
    stand one line plus the handout's 6 pt paragraph margin apart (handout.css), not 3 pt."""
    import pdfplumber

    from packager.render.html import render
    from packager.render.themes import HANDOUT

    builder = HandoutBuilder()
    sentences = " ".join(f"Point {i}: take the tablet with water." for i in range(126))
    body = f"## Care at home\n\n{sentences}\n\n## When to call\n\n> [!WARNING]\n"
    article = small_article(project, body + "".join(f"> Sign {j}: call your care team now.\n>\n" for j in range(25)))
    normal = builder.layout(render(article, project, builder.theme), project)
    tight = builder.layout(render(article, project, builder.theme, tight=True), project)
    judged = (len(normal.pages), builder.loose_pages(normal, False))
    assert judged[1] != (0, 0) and (len(tight.pages), builder.loose_pages(tight, False)) == judged, "sizes drifted"
    path = tmp_path / "kept.pdf"
    path.write_bytes(builder.build(article, project, lambda *_: None).files["care.pdf"])
    with pdfplumber.open(path) as pdf:
        tops = [w["top"] for page in pdf.pages for w in page.extract_words() if w["text"] == "Sign"]
    gaps = {round(b - a, 1) for a, b in itertools.pairwise(tops) if 0 < b - a < 40}
    assert gaps == {round(HANDOUT.line_pt + 6, 1)}


def test_a_refused_fetch_while_writing_the_pdf_is_the_fetchers_one_line_error() -> None:
    """WeasyPrint may fetch late (an image first drawn when the PDF is written)."""
    from packager.render import pdf

    weasyprint = pdf._weasyprint()
    refused = PackagerError("the print renderer refuses to read /x.png")

    class Late:
        def write_pdf(self, **options: object) -> bytes:
            raise weasyprint.urls.FatalURLFetchingError("Error fetching") from refused

    with pytest.raises(PackagerError, match=r"^the print renderer refuses to read /x\.png$"):
        HandoutBuilder().write_pdf(Late())


def test_a_bundled_font_that_cannot_be_read_stops_the_layout(project: Project, tmp_path: Path) -> None:
    """Large print names Atkinson Hyperlegible's files in @font-face rules; if one cannot be read,
    WeasyPrint alone would set the text in another font and say nothing. It stops instead, with the
    fetcher's one line (the files are fetched as the stylesheet is read: that refusal once escaped
    as WeasyPrint's FatalURLFetchingError, a BaseException the build's handlers do not catch)."""
    import dataclasses

    from packager.render import fonts
    from packager.render.html import render

    builder = LargePrintBuilder()
    rendered = render(small_article(project, "## Care\n\nRest.\n"), project, builder.theme)
    regular = fonts.atkinson().regular
    assert regular.as_uri() in rendered.css
    gone = regular.with_name("Missing-Regular.ttf")
    broken = dataclasses.replace(rendered, css=rendered.css.replace(regular.as_uri(), gone.as_uri()))
    with pytest.raises(PackagerError, match=r"^the print renderer refuses to read .*Missing-Regular\.ttf$"):
        builder.layout(broken, project)

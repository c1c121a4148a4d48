"""Fast checks of what the print renderer may read (render/pdf.py): exact refusals and what is served.

The limits are the module's documented ones: data: URLs up to 512 KiB of images, image files
up to 20 MiB, only our themes, fonts and the article's own images.
"""

from __future__ import annotations

import base64
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

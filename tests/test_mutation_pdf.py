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

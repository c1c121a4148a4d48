"""The handout and large-print builders: one code path, two themes.

WeasyPrint is imported here only, and this module only when a PDF is built.
Its URL fetcher is replaced by one that serves just this package's themes and
fonts and the article's own images under source/: never the network, never
another file.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import ui_paths
from packager.project import Project
from packager.render import fonts, tagging
from packager.render.themes import HANDOUT, LARGE_PRINT, TEMPLATES, THEMES, Theme, points

if TYPE_CHECKING:
    from packager.render.html import Rendered

MAX_DATA_URL_BYTES = 512 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_IMAGE_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
_FONT_SUFFIXES = {".ttf": "font/ttf", ".otf": "font/otf", ".ttc": "font/collection"}


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    import weasyprint

    # WeasyPrint logs missing glyphs and refused fetches as warnings; we check both ourselves.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint


@lru_cache(maxsize=1)
def font_configuration() -> Any:
    """One FontConfiguration per process: building it (fontconfig setup) is slow."""
    from weasyprint.text.fonts import FontConfiguration

    _weasyprint()
    return FontConfiguration()


@lru_cache(maxsize=1)
def weasyprint_version() -> str:
    """Asked once per process (every PDF target hashes it): reading package metadata is slow."""
    from importlib.metadata import version

    return f"weasyprint {version('weasyprint')}; pydyf {version('pydyf')}; pikepdf {version('pikepdf')}"


def allowed_roots(project: Project) -> list[Path]:
    """Folders whose files WeasyPrint may read: our themes, the bundled fonts, the article images."""
    return [THEMES, TEMPLATES, fonts.atkinson().regular.parent, project.source_dir.resolve()]


def make_fetcher(project: Project, extra_files: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that refuses everything but our own files and small data: URLs."""
    from urllib.request import url2pathname  # not at the top: planning imports this module

    weasyprint = _weasyprint()
    roots = [root.resolve() for root in allowed_roots(project)]
    files = {path.resolve() for path in extra_files}

    fetcher_base: Any = weasyprint.urls.URLFetcher

    class RestrictedFetcher(fetcher_base):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return _data_url(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise PackagerError(f"the print renderer refuses to fetch {url[:200]!r}")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            allowed = path in files or any(path.is_relative_to(root) for root in roots)
            kind = _IMAGE_SUFFIXES.get(path.suffix.lower()) or _FONT_SUFFIXES.get(path.suffix.lower())
            if path.suffix.lower() == ".css":
                kind = "text/css"
            if not allowed or kind is None or not path.is_file():
                raise PackagerError(f"the print renderer refuses to read {path}")
            if path.stat().st_size > MAX_IMAGE_BYTES and kind.startswith("image/"):
                raise PackagerError(f"image {path} is larger than {MAX_IMAGE_BYTES} bytes")
            return weasyprint.urls.URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    return RestrictedFetcher()


def _data_url(url: str) -> Any:
    weasyprint = _weasyprint()
    header, sep, payload = url[5:].partition(",")
    if not sep or len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
        raise PackagerError(f"data: URL larger than {MAX_DATA_URL_BYTES} bytes refused")
    media, *params = header.split(";")
    if media not in _IMAGE_SUFFIXES.values():
        raise PackagerError(f"data: URL of type {media!r} refused")
    try:
        body = base64.b64decode(payload, validate=True) if "base64" in params else unquote(payload).encode()
    except (binascii.Error, ValueError):
        raise PackagerError("malformed data: URL") from None
    return weasyprint.urls.URLFetcherResponse(url[:64], body, {"Content-Type": media})


class PrintBuilder:
    """Article -> PDF through one theme. Subclasses only choose the theme."""

    theme: Theme = HANDOUT
    preload = ("weasyprint", "pikepdf")

    @property
    def name(self) -> str:
        return self.theme.name

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}{self.theme.suffix}.pdf"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        here = Path(__file__).resolve().parent
        code = sorted(here.glob("*.py"))
        templates = sorted(TEMPLATES.glob("*.html"))
        return [
            *code,
            *templates,
            *self.theme.files(),
            *fonts.locale_font_files(locale, self.theme.italics),
            *ui_paths(project.locales_dir, locale, project.settings.source_language),
            weasyprint_version(),
            f"paper {project.settings.paper_size}",
        ]

    def preflight(self, project: Project, locales: list[str]) -> None:
        for locale in locales:
            fonts.check_installed(locale)

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.render.html import render

        progress(0, 4, f"{self.name}: HTML")
        rendered = render(article, project, self.theme)
        progress(1, 4, f"{self.name}: layout")
        document = self.layout(rendered, project)
        loose = self.loose_pages(document, article.draft)
        if any(loose):
            # A page holding only the last few lines of a section or of the text, or ending a
            # section half-way down: try tighter spacing between blocks (never the text) and keep
            # it if it saves a page, or leaves fewer such pages.
            tight = self.layout(render(article, project, self.theme, tight=True), project)
            if (len(tight.pages), self.loose_pages(tight, article.draft)) < (len(document.pages), loose):
                document = tight
        progress(3, 4, f"{self.name}: PDF")
        pdf = self.write_pdf(document)
        progress(4, 4, f"{self.name}: done")
        return Product(files={self.outputs(article)[0]: pdf}, info={"pages": len(document.pages)})

    def loose_pages(self, document: Any, draft: bool) -> tuple[int, int]:
        """Pages (but the first) whose text ends a section or the article less than 3 lines down,
        and pages (but the last) whose text ends a section above their middle."""
        bottom = points(self.theme.margins[2])
        tails = half_empty = 0
        for number, (before, page) in enumerate(itertools.pairwise([None, *document.pages])):
            before_anchors = before.anchors if before is not None else {}
            # The running draft line deepens the top margin of every page but the first.
            top = points(self.theme.draft_top if draft and number else self.theme.margins[0])
            # Positions in pt below the text area's top (anchors are in CSS px from the page's top).
            at = {name: y * 0.75 - top for name, (_x, y, *_) in page.anchors.items()}
            ends = [y for name, y in at.items() if name.startswith("end-")]
            if not ends:
                continue
            # A section's id is an anchor on every page the section runs over: new here, it starts here.
            starts = [y for name, y in at.items() if not name.startswith("end-") and name not in before_anchors]
            if not starts and min(ends) < 3 * self.theme.line_pt:
                tails += 1
            height = page.height * 0.75 - top - bottom
            if number < len(document.pages) - 1 and max(ends) > max(starts, default=-1) and max(ends) < height / 2:
                half_empty += 1
        return tails, half_empty

    def layout(self, rendered: Rendered, project: Project) -> Any:
        """HTML + CSS -> a laid-out WeasyPrint document; a refused fetch is a PackagerError."""
        weasyprint = _weasyprint()
        font_config = font_configuration()
        fetcher = make_fetcher(project, rendered.fonts.files(self.theme.italics))
        try:
            # Inside the try: a stylesheet's @font-face files are fetched as it is read.
            stylesheets = [
                weasyprint.CSS(filename=str(path), font_config=font_config, url_fetcher=fetcher)
                for path in self.theme.files()
            ]
            stylesheets.append(weasyprint.CSS(string=rendered.css, font_config=font_config, url_fetcher=fetcher))
            return weasyprint.HTML(
                string=rendered.html, base_url=project.source_dir.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, stylesheets=stylesheets, pdf_variant="pdf/ua-1", pdf_tags=True)
        except weasyprint.urls.FatalURLFetchingError as exc:
            raise _fetch_error(exc) from None

    def write_pdf(self, document: Any) -> bytes:
        """A laid-out document -> tagged PDF/UA-1 bytes, page furniture marked as artifacts."""
        weasyprint = _weasyprint()
        try:
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, pdf_identifier=True)
        except weasyprint.urls.FatalURLFetchingError as exc:
            raise _fetch_error(exc) from None
        return tagging.repair(data)


def _fetch_error(exc: Exception) -> PackagerError:
    cause = exc.__cause__
    return cause if isinstance(cause, PackagerError) else PackagerError(str(exc))


class HandoutBuilder(PrintBuilder):
    """The print-ready handout: clear print, paper size by country, QR code to the audio."""

    theme = HANDOUT


class LargePrintBuilder(PrintBuilder):
    """The large-print edition: 18 pt and up, Atkinson Hyperlegible, wide margins."""

    theme = LARGE_PRINT

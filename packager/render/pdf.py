"""The handout and large-print builders: one code path, two themes.

WeasyPrint is imported here only, and this module only when a PDF is built.
Its URL fetcher is replaced by one that serves just this package's themes and
fonts and the article's own images under source/: never the network, never
another file.
"""

from __future__ import annotations

import base64
import binascii
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import ui_paths
from packager.project import Project
from packager.render import artifacts, fonts
from packager.render.html import DOMAIN, HANDOUT, LARGE_PRINT, TEMPLATES, THEMES, Theme, render

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


def weasyprint_version() -> str:
    from importlib.metadata import version

    return f"weasyprint {version('weasyprint')}; pydyf {version('pydyf')}"


def allowed_roots(project: Project) -> list[Path]:
    """Folders whose files WeasyPrint may read: our themes, the bundled fonts, the article images."""
    return [THEMES, TEMPLATES, fonts.atkinson().regular.parent, project.source_dir.resolve()]


def make_fetcher(project: Project, extra_files: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that refuses everything but our own files and small data: URLs."""
    weasyprint = _weasyprint()
    roots = [root.resolve() for root in allowed_roots(project)]
    files = {path.resolve() for path in extra_files}

    class RestrictedFetcher(weasyprint.urls.URLFetcher):
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
            *ui_paths(DOMAIN, locale),
            weasyprint_version(),
            f"paper {project.settings.paper_size}",
        ]

    def preflight(self, project: Project, locales: list[str]) -> None:
        for locale in locales:
            fonts.check_installed(locale)

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        progress(0, 3, f"{self.name}: HTML")
        rendered = render(article, project, self.theme)
        progress(1, 3, f"{self.name}: layout")
        pdf, pages = self.write_pdf(rendered.html, rendered.css, rendered.fonts, project)
        progress(3, 3, f"{self.name}: done")
        return Product(files={self.outputs(article)[0]: pdf}, info={"pages": pages})

    def write_pdf(self, html: str, css: str, plan: fonts.FontPlan, project: Project) -> tuple[bytes, int]:
        """HTML + CSS -> tagged PDF/UA-1 bytes and the page count; a refused fetch is a PackagerError."""
        weasyprint = _weasyprint()
        font_config = font_configuration()
        fetcher = make_fetcher(project, plan.files(self.theme.italics))
        stylesheets = [
            weasyprint.CSS(filename=str(path), font_config=font_config, url_fetcher=fetcher)
            for path in self.theme.files()
        ]
        stylesheets.append(weasyprint.CSS(string=css, font_config=font_config, url_fetcher=fetcher))
        try:
            document = weasyprint.HTML(
                string=html, base_url=project.source_dir.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, stylesheets=stylesheets, pdf_variant="pdf/ua-1", pdf_tags=True)
            data = artifacts.mark_furniture(
                document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, pdf_identifier=True)
            )
        except weasyprint.urls.FatalURLFetchingError as exc:
            cause = exc.__cause__
            if isinstance(cause, PackagerError):
                raise cause from None
            raise PackagerError(str(exc)) from None
        return data, len(document.pages)


class HandoutBuilder(PrintBuilder):
    """The print-ready handout: clear print, paper size by country, QR code to the audio."""

    theme = HANDOUT


class LargePrintBuilder(PrintBuilder):
    """The large-print edition: 18 pt and up, Atkinson Hyperlegible, wide margins."""

    theme = LARGE_PRINT

"""Reading and writing PO files with Babel, keeping packager's review headers.

Babel drops header fields it does not know; the medical-review record lives
in ``X-Medical-Review-*`` fields (Poedit and Weblate keep ``X-`` fields), so
this module's Catalog keeps them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.pofile import PoFileError, PoFileParser, write_po

from packager.atomic import write_if_changed
from packager.errors import PackagerError

REVIEW_BY = "X-Medical-Review-By"
REVIEW_DATE = "X-Medical-Review-Date"
REVIEW_SOURCE_VERSION = "X-Medical-Review-Source-Version"
REVIEW_HEADERS = (REVIEW_BY, REVIEW_DATE, REVIEW_SOURCE_VERSION)

MAX_CATALOG_BYTES = 5_000_000
NO_WRAP = 1_000_000


class Catalog(BabelCatalog):
    """A Babel catalog that round-trips ``X-`` header fields."""

    def __init__(self, *args, **kwargs):
        self.extra_headers: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def _get_headers(self) -> list[tuple[str, str]]:
        headers = BabelCatalog._get_mime_headers(self)
        generated = headers.pop()  # keep Generated-By last, as Babel writes it
        return headers + list(self.extra_headers.items()) + [generated]

    def _set_headers(self, headers) -> None:
        headers = list(headers)
        for name, value in headers:
            if name.lower().startswith("x-"):
                canonical = next((h for h in REVIEW_HEADERS if h.lower() == name.lower()), name)
                self.extra_headers[canonical] = value.strip()
        BabelCatalog._set_mime_headers(self, headers)

    mime_headers = property(_get_headers, _set_headers)  # type: ignore[assignment]


@dataclass(frozen=True)
class Review:
    """Who reviewed a translation, when, and against which version of the source."""

    by: str
    date: str
    source_version: str

    def covers(self, version: str) -> bool:
        return bool(self.by and self.source_version) and self.source_version == version


def review_of(catalog: Catalog) -> Review:
    get = catalog.extra_headers.get
    return Review(get(REVIEW_BY, ""), get(REVIEW_DATE, ""), get(REVIEW_SOURCE_VERSION, ""))


def new_catalog(**kwargs) -> Catalog:
    catalog = Catalog(charset="utf-8", **kwargs)
    for name in REVIEW_HEADERS:
        catalog.extra_headers[name] = ""
    return catalog


def read_catalog(path: Path, locale: str | None = None, domain: str | None = None) -> Catalog:
    """Read a PO or POT file; any defect is a PackagerError naming the file and line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PackagerError("no such catalog", path) from None
    except OSError as exc:
        raise PackagerError(f"cannot read the catalog: {exc.strerror}", path) from None
    if len(data) > MAX_CATALOG_BYTES:
        raise PackagerError(f"the catalog is larger than {MAX_CATALOG_BYTES} bytes", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PackagerError("the catalog is not valid UTF-8 (save it as UTF-8)", path, line) from None
    catalog = Catalog(locale=locale, domain=domain, charset="utf-8")
    parser = PoFileParser(catalog, abort_invalid=True)
    try:
        parser.parse(io.StringIO(text.replace("\r\n", "\n")))
    except PoFileError as exc:
        raise PackagerError(f"PO syntax error: {exc}", path, exc.lineno + 1) from None
    except (ValueError, IndexError, TypeError) as exc:
        raise PackagerError(f"malformed catalog: {exc}", path) from None
    _drop_format_flags(catalog)
    return catalog


def _drop_format_flags(catalog: Catalog) -> None:
    """Babel guesses python-format from '%' in a message; ours are never format strings."""
    for message in list(catalog) + list(catalog.obsolete.values()):
        message.flags.discard("python-format")


def catalog_bytes(catalog: Catalog) -> bytes:
    _drop_format_flags(catalog)
    buffer = io.BytesIO()
    # Never wrap, so a translator's lines are never re-wrapped by us. (A huge width rather
    # than width=0: with 0, Babel still wraps "#|" previous-msgid comments mid-string.)
    write_po(buffer, catalog, width=NO_WRAP, include_previous=True)
    return buffer.getvalue()


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write atomically; returns False when the file already held exactly these bytes."""
    return write_if_changed(path, catalog_bytes(catalog))

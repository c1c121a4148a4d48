"""Reading and writing PO files with Babel, keeping packager's review headers.

Babel drops header fields it does not know; the medical-review record lives
in ``X-Medical-Review-*`` fields (Poedit and Weblate keep ``X-`` fields), so
this module's Catalog keeps them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.catalog import Message
from babel.messages.pofile import PoFileError, PoFileParser, write_po

from packager.atomic import write_if_changed
from packager.errors import PackagerError
from packager.project import read_text_limited

REVIEW_BY = "X-Medical-Review-By"
REVIEW_DATE = "X-Medical-Review-Date"
REVIEW_SOURCE_VERSION = "X-Medical-Review-Source-Version"
REVIEW_HEADERS = (REVIEW_BY, REVIEW_DATE, REVIEW_SOURCE_VERSION)

#: Written in every catalog and template instead of Babel's version, so that the bytes a
#: catalog gets do not depend on which Babel a fresh install picked.
GENERATED_BY = "packager\n"
MAX_CATALOG_BYTES = 5_000_000
NO_WRAP = 1_000_000


class Catalog(BabelCatalog):
    """A Babel catalog that round-trips ``X-`` header fields."""

    def __init__(self, *args, **kwargs):
        self.extra_headers: dict[str, str] = {}
        self.header_lineno = 1  # where the header entry was read, for findings about it
        self.raw_header: str | None = None  # the header as read, None when the file had none
        super().__init__(*args, **kwargs)

    def _get_headers(self) -> list[tuple[str, str]]:
        headers = BabelCatalog._get_mime_headers(self)
        headers.pop()  # Babel's "Generated-By: Babel X.Y": it would change every file on each Babel release
        return headers + list(self.extra_headers.items()) + [("Generated-By", GENERATED_BY)]

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
    """A catalog or template; review fields are no longer written (reviews live in reviews/)."""
    return Catalog(charset="utf-8", **kwargs)


def read_catalog(path: Path, locale: str | None = None, domain: str | None = None) -> Catalog:
    """Read a PO or POT file; any defect is a PackagerError naming the file and line.

    Catalogs come from volunteers, so this is stricter than Babel: a string
    that is not one well-formed quoted literal (a truncated file), a duplicate
    entry, a bad plural index, a Plural-Forms header Babel cannot use or that
    asks for more than MAX_PLURALS forms, and a non-UTF-8 charset are refused.
    A BOM and CRLF line ends are accepted.
    """
    text = read_text_limited(path, MAX_CATALOG_BYTES, "catalog")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise PackagerError("the catalog contains a NUL byte (is it a binary .mo file?)", path, line)
    catalog = Catalog(locale=locale, domain=domain, charset="utf-8")
    parser = _StrictParser(catalog)
    try:
        parser.parse(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    except PoFileError as exc:
        message = one_line(str(exc).rsplit(" on ", 1)[0])
        raise PackagerError(f"PO syntax error: {message}", path, exc.lineno + 1) from None
    except (ValueError, IndexError, TypeError, KeyError) as exc:  # pragma: no cover - Babel internals
        raise PackagerError(f"malformed catalog: {one_line(str(exc))}", path) from None
    _drop_format_flags(catalog)
    return catalog


def written(message: Message | None) -> bool:
    """Whether a translator has finished this entry (not empty, not fuzzy): what the checks read.
    A written plural entry is checked, and refused, but never :func:`usable`."""
    return message is not None and bool(message.string) and not message.fuzzy


def usable(message: Message | None) -> bool:
    """Whether packager may print ``message``'s translation: one string, written, not fuzzy.

    The one definition of a usable translation, for translating, checking and counting alike.
    """
    return written(message) and isinstance(message.string, str) and not message.pluralizable  # type: ignore[union-attr]


def find_entry(catalog: Catalog, msgid: str, context: str, earlier: bool = False) -> Message | None:
    """The entry translating ``msgid`` in ``context``; ``earlier`` also finds it where gettext kept it.

    ``earlier`` is for a text of an earlier version of the article, translated before the
    source changed: after ``packager update`` its translation sits in a fuzzy entry whose
    previous msgid (``#|``) is that text, or, if the text was removed, in an obsolete
    (``#~``) entry. Before an update it is still the entry's own msgid.
    """
    message = catalog.get(msgid, context=context)
    if not earlier or usable(message):
        return message
    kept = [m for m in catalog if m.fuzzy and m.previous_id and m.previous_id[0] == msgid]
    for entry in sorted(kept, key=lambda m: m.context != context):  # the same context first
        before = entry.clone()  # the entry as it was before the source changed
        before.id, before.lineno = msgid, entry.lineno
        before.flags.discard("fuzzy")
        if usable(before):
            return before
    obsolete = catalog.obsolete.get(catalog._key_for(msgid, context))
    return obsolete if usable(obsolete) else message


def one_line(text: str, limit: int = 200) -> str:
    """``text`` safe to print on one terminal line: control and format characters escaped, shortened.

    Parts of an error message can come from the catalog, so a newline or an ANSI escape in
    a msgid must not break the one-line error or reach the terminal.
    """
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


#: CLDR has at most 6 plural categories; more is an attack on memory, not a language.
MAX_PLURALS = 6
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
_PLURAL_EXPR = re.compile(r"[n0-9\s()?:<>=!&|%+*/-]{1,300}")
_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii", "charset")


class _StrictParser(PoFileParser):
    """Babel's parser, refusing what Babel would silently misread."""

    catalog: Catalog

    def __init__(self, catalog: Catalog):
        super().__init__(catalog, abort_invalid=True)
        self.first_line: dict[tuple[str, str | None], int] = {}
        self.previous: list[str] = []  # the "#|" lines of the entry being read

    def _process_message_line(self, lineno, line, obsolete=False) -> None:
        if obsolete and line.startswith("|"):  # msgmerge's "#~| msgid": an obsolete entry's earlier wording
            return
        super()._process_message_line(lineno, line, obsolete)

    def _process_comment(self, line) -> None:
        # Babel writes "#| msgid" (the text a fuzzy entry was translated from) but reads it
        # back as a user comment; keep it as the previous msgid, which is what it is.
        if line.startswith("#|"):
            self._finish_current_message()
            self.previous.append(line[2:].strip())
            return
        super()._process_comment(line)

    def _previous_id(self) -> str | None:
        """The msgid of the "#|" lines (a msgctxt, plural or continuation lines are allowed)."""
        from babel.messages.pofile import unescape

        parts: list[str] = []
        keyword = ""
        for line in self.previous:
            head, _, rest = line.partition(" ")
            if head in ("msgctxt", "msgid", "msgid_plural"):
                keyword, line = head, rest.strip()
            if keyword == "msgid" and _LITERAL.fullmatch(line):
                parts.append(unescape(line))
        self.previous = []
        return "".join(parts) if parts else None

    def _process_keyword_line(self, lineno, line, obsolete=False) -> None:
        keyword, _, arg = line.partition(" ")
        if keyword.startswith("msgstr["):
            if not re.fullmatch(r"msgstr\[[0-9]\]", keyword):
                self._invalid_pofile(line, lineno, f"bad plural index {keyword!r}")
        if keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr") or keyword.startswith("msgstr["):
            self._check_literal(arg.strip(), lineno)
        super()._process_keyword_line(lineno, line, obsolete)

    def _process_string_continuation_line(self, line, lineno) -> None:
        self._check_literal(line.strip(), lineno)
        super()._process_string_continuation_line(line, lineno)

    def _check_literal(self, literal: str, lineno: int) -> None:
        if not _LITERAL.fullmatch(literal):
            self._invalid_pofile(literal, lineno, "a string must be one quoted literal (truncated file?)")

    def _add_message(self) -> None:
        if self.obsolete:  # kept for 'packager update' and for earlier versions of the article
            self.previous = []
            super()._add_message()
            return
        msgid = self.messages[0].denormalize() if self.messages else ""
        context = self.context.denormalize() if self.context else None
        key = (msgid, context)
        if key in self.first_line:
            what = f"msgctxt {context!r} " if context is not None else ""
            self._invalid_pofile(
                "", self.offset, f"duplicate entry {what}msgid {msgid[:40]!r} (first on line {self.first_line[key]})"
            )
        self.first_line[key] = self.offset + 1
        if msgid == "" and context is None and self.translations:
            self.catalog.header_lineno = self.offset + 1
            self.catalog.raw_header = self.translations[0][1].denormalize()
            self._check_header(self.catalog.raw_header)
        previous = self._previous_id()
        try:
            super()._add_message()
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            self._invalid_pofile("", self.offset, f"bad header: {exc}")
        message = self.catalog.get(msgid, context=context)
        if previous is not None and message is not None:
            message.previous_id = [previous]

    def _check_header(self, header: str) -> None:
        for raw in header.split("\n"):
            name, _, value = raw.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "plural-forms":
                self._check_plural_forms(value)
            elif name == "content-type":
                charset = value.partition("charset=")[2].strip().strip(";").lower()
                if charset and charset not in _CHARSETS:
                    self._invalid_pofile("", self.offset, f"charset {charset!r} in Content-Type: only UTF-8 is read")

    def _check_plural_forms(self, value: str) -> None:
        params = dict(part.strip().partition("=")[::2] for part in value.split(";") if part.strip())
        nplurals, expr = params.get("nplurals", "").strip(), params.get("plural", "").strip()
        if not nplurals.isdigit() or not 1 <= int(nplurals) <= MAX_PLURALS or not _PLURAL_EXPR.fullmatch(expr):
            self._invalid_pofile(
                "", self.offset, f"bad Plural-Forms header {value[:80]!r} (want nplurals=1..{MAX_PLURALS}; plural=EXPR)"
            )


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

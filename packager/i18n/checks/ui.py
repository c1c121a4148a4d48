"""The words packager itself adds (page footers, spoken notices), checked like the article's.

They live in the project's ``locales/<ll>/LC_MESSAGES/packager.po`` and several go
through ``str.format`` ("Page {page} of {pages}"), so a translated
placeholder is code: ``{page.__class__}`` reads attributes, ``{page:>999999999}``
exhausts memory and ``{pgae}`` raises. A translation must keep exactly the
source's placeholders, each a plain ``{name}``.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from packager.i18n.checks.rules import check_message
from packager.i18n.pofile import read_catalog, written
from packager.i18n.ui import INTERFACE, ui_paths

_FORMATTER = string.Formatter()
#: How a finding on an interface message is keyed (and accepted in reviews/).
KEY_PREFIX = "interface:"


def _fields(text: str) -> list[tuple[str, str, str | None]]:
    return [(name, spec or "", conv) for _, name, spec, conv in _FORMATTER.parse(text) if name is not None]


def placeholders(source: str, translation: str) -> Iterator[tuple[str, str]]:
    """Findings for a format string whose placeholders differ from the source's."""
    try:
        wanted = _fields(source)
    except ValueError:
        return  # the source is not a format string: braces are literal text
    if not wanted:
        return
    try:
        fields = _fields(translation)
    except ValueError as exc:
        yield "placeholder-changed", f"not a valid format string ({exc}); keep {_names(wanted)}"
        return
    for name, spec, conversion in fields:
        if spec or conversion or not name.isidentifier():
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            yield "placeholder-changed", f"placeholder {shown!r} must be a plain {{name}}"
    if Counter(n for n, _, _ in fields) != Counter(n for n, _, _ in wanted):
        yield "placeholder-changed", f"placeholders {_names(fields)} differ from the source's {_names(wanted)}"


def _names(fields: list[tuple[str, str, str | None]]) -> str:
    return ", ".join("{" + name + "}" for name, _, _ in fields) or "none"


@lru_cache(maxsize=4096)  # the same words, checked for every article in the locale
def _checked(source: str, translation: str, locale: str) -> tuple[tuple[str, str], ...]:
    return (*placeholders(source, translation), *check_message(source, translation, locale))


def check_ui(
    locales_dir: Path, locale: str, accepts: Callable[[str, str, str], set[str]] | None = None
) -> list[tuple[Path, int | None, str, set[str], list]]:
    """(path, line, key, accepts, [(code, message)]) for every used message of the interface catalog.

    ``accepts(key, msgid, msgstr)``: what a reviewer accepted on that entry (``reviews/``); the
    catalog is a volunteer's file like the article's, so accept flags inside it count for nothing.
    """
    out = []
    for path in ui_paths(locales_dir, locale):
        catalog = read_catalog(path, locale=locale, domain=INTERFACE)
        for message in catalog:
            if not message.id or not written(message):
                continue
            key = f"{KEY_PREFIX}{message.context or message.id}"
            if isinstance(message.string, (tuple, list)) or message.pluralizable:
                found = [("plural-entry", "this entry has plural forms; packager asks for one string")]
                accepted: set[str] = set()
            else:
                source, translation = str(message.id), str(message.string)
                found = list(_checked(source, translation, locale))
                accepted = accepts(key, source, translation) if accepts else set()
            out.append((path, message.lineno, key, accepted, found))
    return out

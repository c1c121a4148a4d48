"""The words packager itself adds around an article: footers, notices, the spoken opening.

They are a catalog the project holds, beside the article catalogs, so volunteers translate
them the same way: ``locales/<ll>/LC_MESSAGES/packager.po``, merged from the template
``locales/packager.pot`` that ``packager update`` extracts from packager's own code (Babel's
extractor, keywords ``_`` and ``N_``, templates included). One catalog serves every
renderer, print, EPUB, braille and speech, rather than one per renderer: most words are
shared ("Version {version}", the draft notice), a volunteer opens one file, and a spoken
wording that must differ from the printed one is a message of its own.

The package ships no translations: a locale without the catalog, or a message it does not
translate (empty or fuzzy), is in English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from packager.document import Article
from packager.project import locale_fallbacks

if TYPE_CHECKING:
    from packager.i18n.pofile import Catalog

#: The interface catalog's domain: ``locales/<ll>/LC_MESSAGES/packager.po`` and ``locales/packager.pot``.
INTERFACE = "packager"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: Babel's extraction methods for packager's code and templates.
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.xhtml", "jinja2.ext:babel_extract"),
]
#: ``_("...")`` translates where it is called; ``N_("...")`` marks a constant translated later.
KEYWORDS = {"_": (1,), "N_": (1,)}
COMMENT_TAGS = ("Translators:",)


def N_(message: str) -> str:
    """Marks a constant as interface text for the extractor; it is translated where it is used."""
    return message


def interface_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{INTERFACE}.po"


def interface_template_path(locales_dir: Path) -> Path:
    return locales_dir / f"{INTERFACE}.pot"


def ui_paths(locales_dir: Path, *locales: str) -> list[Path]:
    """The interface catalogs each locale reads, most specific first (``es_MX``, then ``es``): build inputs."""
    found: list[Path] = []
    for locale in locales:
        for name in locale_fallbacks(locale):
            path = interface_path(locales_dir, name)
            if path.exists() and path not in found:
                found.append(path)
    return found


def ui_gettext(locales_dir: Path | None, locale: str) -> Callable[[str], str]:
    """``_ = ui_gettext(project.locales_dir, "es"); _("Page {page} of {pages}")``; None: English.

    A message ``es_MX`` leaves untranslated is taken from ``es``, then left in English."""
    paths = ui_paths(locales_dir, locale) if locales_dir is not None else []
    stats = [path.stat() for path in paths]
    return _gettext(tuple((path, s.st_mtime_ns, s.st_size) for path, s in zip(paths, stats, strict=True)), locale)


@lru_cache(maxsize=64)
def _gettext(files: tuple[tuple[Path, int, int], ...], locale: str) -> Callable[[str], str]:
    """Cached while the files are unchanged: a catalog edited between two builds is read again."""
    from packager.i18n.pofile import read_catalog, usable

    catalogs = [read_catalog(path, locale=locale, domain=INTERFACE) for path, _, _ in files]

    def gettext(message: str) -> str:
        for catalog in catalogs:
            entry = catalog.get(message)
            if usable(entry):
                return str(entry.string)  # type: ignore[union-attr]
        return message

    return gettext


def interface_template(creation_date: datetime | None = None) -> Catalog:
    """The template of packager's interface words, extracted from the installed code."""
    from babel.messages.extract import extract_from_dir

    from packager import __version__
    from packager.i18n.extract import _now
    from packager.i18n.pofile import new_catalog

    catalog = new_catalog(
        domain=INTERFACE,
        project="packager",
        version=__version__,
        copyright_holder=None,
        msgid_bugs_address="",
        creation_date=creation_date or _now(),
        header_comment=TEMPLATE_HEADER,
    )
    found = extract_from_dir(
        PACKAGE_DIR, METHODS, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    )
    for filename, _lineno, message, comments, context in sorted(found, key=lambda f: (f[0], f[1])):
        if not isinstance(message, str) or not message:
            continue
        # No line numbers: they would change the template with every edit of the code.
        location: tuple[str, int] = (f"packager/{Path(filename).as_posix()}", None)  # type: ignore[assignment]
        existing = catalog.get(message, context=context)
        if existing is None:
            catalog.add(message, context=context, auto_comments=comments, locations=[location])
        elif location not in existing.locations:
            existing.locations.append(location)
            existing.auto_comments.extend(c for c in comments if c not in existing.auto_comments)
    return catalog


TEMPLATE_HEADER = """\
# The words packager adds around every article: page footers, notices, "About
# this handout", braille transcriber's notes and the narration's spoken opening.
# The template, locales/packager.pot, is extracted from packager's code by
# 'packager update', which merges it into every locale's packager.po.
#
# Translators: translate each msgstr in locales/LL/LC_MESSAGES/packager.po. Keep
# every {placeholder} exactly as it is (packager fills them in: {page} is a page
# number, {date} a date). An untranslated message is printed and spoken in English.
# Medical reviewers: 'packager review LOCALE --by NAME' covers this catalog too."""


#: Written on every printed or brailled output of a translation not yet medically reviewed.
DRAFT_NOTICE = N_("Draft translation: not yet reviewed by a qualified medical translator.")
#: Written on every output of a translation of an earlier version of the article.
OUTDATED_NOTICE = N_("This translation is of version {version}; the {language} article is now {current}.")
#: Its spoken form: version numbers read aloud help nobody, and engines read "1.0.1" as a decimal.
OUTDATED_SPOKEN = N_(
    "This translation is of an earlier version of the article. The {language} article has changed since."
)


def outdated_notice(article: Article, locales_dir: Path | None, locale: str, spoken: bool = False) -> str:
    """The outdated-translation notice for ``article``, in ``locale`` ("" when it is current)."""
    if article.outdated is None:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        language = Locale.parse(article.meta.language).get_language_name(locale) or article.meta.language
    except (ValueError, UnknownLocaleError):
        language = article.meta.language
    message = ui_gettext(locales_dir, locale)(OUTDATED_SPOKEN if spoken else OUTDATED_NOTICE)
    return message.format(version=article.outdated.version, language=language, current=article.outdated.current_version)


#: A call-out's label by its kind (document.CALLOUT_KINDS), printed and spoken before its content:
#: packager's own words (the interface catalog), so every article says them alike.
CALLOUT_LABELS = {
    "note": N_("Note"),
    "tip": N_("Tip"),
    "important": N_("Important"),
    "warning": N_("Warning"),
    "caution": N_("Caution"),
}
#: The heading of the footnotes, printed and spoken after the article's last section.
NOTES_HEADING = N_("Notes")

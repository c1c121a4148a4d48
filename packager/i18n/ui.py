"""The words packager itself adds around an article (page footers, spoken notices).

Each renderer keeps its own gettext domain under ``packager/locale/<ll>/LC_MESSAGES/<domain>.po``,
read with Babel (no compile step). A missing catalog or message falls back to English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from packager.document import Article
from packager.i18n.pofile import read_catalog, usable
from packager.project import locale_fallbacks

UI_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@lru_cache(maxsize=64)
def ui_gettext(domain: str, locale: str) -> Callable[[str], str]:
    """``_ = ui_gettext("render", "es"); _("Page {page} of {pages}")``."""
    paths = ui_paths(domain, locale)
    if not paths:
        return lambda message: message
    catalog = read_catalog(paths[0], locale=locale, domain=domain)

    def gettext(message: str) -> str:
        entry = catalog.get(message)
        return str(entry.string) if usable(entry) else message  # type: ignore[union-attr]

    return gettext


def ui_paths(domain: str, locale: str) -> list[Path]:
    """The catalog a rendering in ``locale`` reads (``es_MX`` falls back to ``es``), for hashing too."""
    found = (UI_LOCALE_DIR / name / "LC_MESSAGES" / f"{domain}.po" for name in locale_fallbacks(locale))
    return [path for path in found if path.exists()][:1]


#: Written on every printed or brailled output of a translation not yet medically reviewed.
DRAFT_NOTICE = "Draft translation: not yet reviewed by a qualified medical translator."
#: Written on every output of a translation of an earlier version of the article.
OUTDATED_NOTICE = "This translation is of version {version}; the {language} article is now {current}."
#: Its spoken form: version numbers read aloud help nobody, and engines read "1.0.1" as a decimal.
OUTDATED_SPOKEN = "This translation is of an earlier version of the article. The {language} article has changed since."


def outdated_notice(article: Article, domain: str, locale: str, spoken: bool = False) -> str:
    """The outdated-translation notice for ``article``, in ``locale`` ("" when it is current)."""
    if article.outdated is None:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        language = Locale.parse(article.meta.language).get_language_name(locale) or article.meta.language
    except (ValueError, UnknownLocaleError):
        language = article.meta.language
    message = ui_gettext(domain, locale)(OUTDATED_SPOKEN if spoken else OUTDATED_NOTICE)
    return message.format(version=article.outdated.version, language=language, current=article.outdated.current_version)


#: A call-out's label by its kind (document.CALLOUT_KINDS), printed (render catalog) and spoken
#: before its content (speech catalog): packager's own words, so every article says them alike.
CALLOUT_LABELS = {
    "note": "Note",
    "tip": "Tip",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
}
#: The heading of the footnotes, printed and spoken after the article's last section.
NOTES_HEADING = "Notes"

"""``packager check``: translations against their source, before anything is built.

Translations come from volunteers; a changed dose, price, phone number or
address in a handout can hurt a patient. Every translated, non-fuzzy message
is compared with its source string (untranslated and fuzzy messages are
never used, so they are left to ``packager stats`` and the completeness
threshold).

Severity policy
    **error** - the build refuses the locale (and ``packager check`` exits 1):
    a link target, web or e-mail address or phone number that differs from
    the source; a number, unit, dose, percentage or currency amount that
    differs (after reading the locale's digits and separators); a dose
    written in the source's notation that the locale reads as another
    number; a translation that parses to another kind of block, or with other
    links, emphasis or code; a translation with no visible text; an invisible
    bidirectional-control, zero-width or control character the source lacks;
    raw HTML; a message over the length or nesting limits; a plural entry; a
    plural entry whose forms disagree with the catalog's own ``Plural-Forms``
    header (never compared with the installed Babel's CLDR: a catalog without
    plural entries never fails on ``Plural-Forms``); a Language header for
    another locale.
    packager's own words (``packager/locale/<ll>/LC_MESSAGES/*.po``, footers
    and spoken notices) get the same checks, and their ``{placeholders}``,
    which go through ``str.format``, must be exactly the source's plain names.

    **warning** - shown, never blocking: identical to the source; an extreme
    length ratio; missing end punctuation; a doubled word; a word mixing Latin
    with look-alike Cyrillic or Greek letters; a non-dose number
    in the source's notation (``$375,000`` in Spanish); readability below the
    language's plain-language target where textstat has a formula; a stale or
    unknown accept flag.

    The full table is :data:`packager.i18n.checks.rules.CODES`.

Accepting a finding
    Only a reviewer accepts a finding, and never in the translator's file: ::

        packager accept es accept-number-changed:14e573c1 --by "Dr. Ana Ruiz"

    records it in ``reviews/<slug>/es.yaml`` (see :mod:`packager.i18n.signoff`), bound
    to the entry's msgctxt and the sha256 of its msgid and msgstr. ``--json`` gives each
    finding's ``accept_flag``; the id is a hash of the finding's message, so it names
    exactly that finding ("'2012' is not in the source"). Every other check still runs,
    accepted findings stay listed, marked ``accepted``, in ``check``, ``stats``, the build
    summary, the manifest and the index page, and any change to the translation voids the
    acceptance (reported as ``unused-accept``; the finding is an error again). Findings
    about the whole catalog (``plural-forms``, ``language-mismatch``, ``readability``)
    are accepted the same way. The limits (``too-long``, ``too-deep``), ``plural-entry``,
    ``placeholder-changed``, ``incomplete`` and ``outdated-refused`` cannot be accepted.

    Accept flags in a PO file (``#, accept-...``, ``# packager: accept-...``) and the
    ``X-Medical-Review-*`` and ``X-Packager-Accept`` header fields are ignored and reported
    (``ignored-signoff``): a translator cannot accept their own findings or sign their own
    review. packager's own interface catalogs (``packager/locale/``), maintained with the
    code, still take accept flags. tests/test_checks.py proves all this.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from packager.document import Article, GlossaryEntry, Text
from packager.errors import PackagerError, _display
from packager.i18n.checks.rules import CODES, ERROR, WARNING, check_message
from packager.i18n.pofile import REVIEW_HEADERS, Catalog, find_entry, one_line, read_catalog, usable, written
from packager.i18n.signoff import SignOff, load_signoff
from packager.project import Project, check_locale_name
from packager.source import project_articles

__all__ = ["CODES", "ERROR", "WARNING", "Finding", "check_catalog", "check_locale", "check_project"]

ACCEPT_PREFIX = "accept-"
ACCEPT_HEADER = "X-Packager-Accept"
COMMENT_PREFIX = "packager:"
#: Findings that stay errors whatever a flag says: past them, rendering itself is at risk.
UNACCEPTABLE = frozenset(
    {"too-long", "too-deep", "plural-entry", "placeholder-changed", "incomplete", "outdated-refused", "outdated"}
    | {"lexicon-deletes", "lexicon-number"}  # fix the entry: a lexicon changes how words sound, never what is said
)


@dataclass(frozen=True)
class Finding:
    """One problem in one PO entry (or in the catalog's header)."""

    severity: str  # "error" | "warning"
    code: str  # e.g. "number-changed"; see rules.CODES
    message: str
    path: Path  # the .po file
    line: int | None  # the entry's msgid line
    key: str  # the msgctxt, "" for the header
    accepted: bool = False
    locale: str = ""

    @property
    def id(self) -> str:
        """Names this finding in a pinned acceptance, ``accept-<code>:<id>``."""
        return finding_id(self.code, self.message)

    @property
    def accept_flag(self) -> str:
        return f"{ACCEPT_PREFIX}{self.code}:{self.id}"

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR and not self.accepted

    def __str__(self) -> str:
        where = f"{_display(self.path)}:{self.line}" if self.line else _display(self.path)
        accepted = " (accepted)" if self.accepted else ""
        return f"{where}: {self.severity}: {one_line(self.message, 400)} [{self.code}]{accepted}"

    def as_dict(self) -> dict:
        return {**asdict(self), "path": str(self.path), "id": self.id, "accept_flag": self.accept_flag}


def check_locale(project: Project, article: Article, locale: str, readability: bool = True) -> list[Finding]:
    """Findings for ``article`` (the source) in ``locale``; a malformed catalog raises PackagerError.

    Besides every translated message, what the build will publish: an error when the locale
    would not be built (incomplete, or only an earlier version complete and that refused), a
    warning when an earlier version is published as outdated, whose messages are then checked too.
    ``readability=False`` skips the one slow check (textstat loads a pronouncing dictionary).
    """
    check_locale_name(locale)
    path = project.catalog_path(locale, article.slug)
    catalog = read_catalog(path, locale=locale, domain=article.slug)
    signoff = load_signoff(project, article.slug, locale)
    findings = check_catalog(article, catalog, path, locale, readability, signoff=signoff)
    publication = _publication(project, article, catalog, path, locale, findings, signoff)
    return findings + publication + check_ui_words(locale) + lexicon_findings(project, locale, signoff)


def lexicon_findings(project: Project, locale: str, signoff: SignOff | None = None) -> list[Finding]:
    """Findings for the locale's pronunciation lexicon: it may change how words sound, not what is said."""
    from packager.i18n.checks.lexicon import check_lexicon
    from packager.speech.lexicon import find_lexicon

    path = find_lexicon(project.locales_dir, locale)
    if path is None:
        return []
    accepts = signoff.catalog_accepts() if signoff else set()
    findings = []
    for code, message, line, key in check_lexicon(path):
        findings.extend(_findings([(code, message)], accepts, path, line, key, locale))
    return findings


def _publication(
    project: Project,
    article: Article,
    catalog: Catalog,
    path: Path,
    locale: str,
    found: list[Finding],
    signoff: SignOff,
) -> list[Finding]:
    from packager.errors import IncompleteTranslation
    from packager.i18n.translate import OutdatedRefused, localize

    header = catalog.header_lineno
    try:
        translation = localize(project, article, locale, catalog)
    except OutdatedRefused as exc:
        return [Finding(ERROR, "outdated-refused", exc.message, path, header, "", locale=locale)]
    except IncompleteTranslation as exc:
        return [Finding(ERROR, "incomplete", f"{exc.message}: it will not be built", path, header, "", locale=locale)]
    if not translation.earlier:
        return []
    version, current = translation.source.meta.version, article.meta.version
    todo = sum(1 for text in article.texts() if not usable(catalog.get(text.markdown, context=text.key)))
    outdated = Finding(
        WARNING,
        "outdated",
        f"this translation is of version {version} of the article, which is now {current}: {todo} messages "
        f"to translate or review ('packager update', then the fuzzy entries); until then version {version} "
        "is published, marked outdated",
        path,
        header,
        "",
        locale=locale,
    )
    seen = {(f.key, f.code, f.message) for f in found}
    earlier = check_catalog(translation.source, catalog, path, locale, False, True, signoff)
    return [outdated] + [f for f in earlier if (f.key, f.code, f.message) not in seen]


def check_ui_words(locale: str, folder: Path | None = None) -> list[Finding]:
    """Findings for packager's own words in ``locale`` (footers, notices): they are printed too."""
    from packager.i18n.checks import ui

    findings: list[Finding] = []
    for path, line, key, accepts, found in ui.check_ui(locale, *([folder] if folder else [])):
        findings.extend(_findings(found, accepts, path, line, key, locale))
    return findings


def check_catalog(
    article: Article,
    catalog: Catalog,
    path: Path,
    locale: str,
    readability: bool = True,
    earlier: bool = False,
    signoff: SignOff | None = None,
) -> list[Finding]:
    """Findings for an already-read catalog: every used message, then the header.

    ``earlier``: ``article`` is an earlier text of the source, published as outdated, so its
    translations are found where gettext kept them (see :func:`packager.i18n.pofile.find_entry`).
    ``signoff``: the reviewer's record (``reviews/``), the only place a finding is accepted;
    accept flags and review fields in the catalog itself are reported and ignored.
    """
    signoff = signoff or SignOff(path)
    findings: list[Finding] = []
    lines: dict[str, int | None] = {}
    translated: list[tuple[Text, str]] = []
    for text in article.texts():
        message = find_entry(catalog, text.markdown, text.key, earlier)
        if message is None or not written(message):
            continue  # never used: left to the completeness threshold
        accepts = signoff.accepts(text.key, text.markdown, str(message.string))
        lines[text.key] = message.lineno
        if isinstance(message.string, (tuple, list)) or message.pluralizable:
            found = [("plural-entry", "a handout message has one string; this entry has plural forms")]
        else:
            found = check_message(text.markdown, str(message.string), locale)
            translated.append((text, str(message.string)))
        if accepted_codes(message.flags, message.user_comments):
            found.append(
                (
                    "ignored-signoff",
                    "accept flags in the catalog are ignored: a reviewer records an acceptance with 'packager accept'",
                )
            )
        findings.extend(_findings(found, accepts, path, message.lineno, text.key, locale))
    entries = {t.key: (t.markdown, s) for t, s in translated}
    for entry in _unused_terms(article, entries, locale):
        said = (
            f"the glossary term {entries[entry.term.key][1]!r} is never used in the translated text; "
            "use the same word in the text as in the glossary"
        )
        found_term = [("glossary-term-unused", said)]
        accepts = signoff.accepts(entry.term.key, entry.term.markdown, entries[entry.term.key][1])
        findings.extend(_findings(found_term, accepts, path, lines.get(entry.term.key), entry.term.key, locale))
    for stale in signoff.stale(entries):
        flag, by = f"{ACCEPT_PREFIX}{stale.finding}", stale.by
        said = f"'{flag}' accepts nothing here: the translation changed since {by} accepted it"
        findings.append(_warn("unused-accept", said, path, lines.get(stale.key), stale.key, locale))
    header = catalog.header_lineno
    found = _header_checks(catalog, locale) + (_readability(article, translated, locale) if readability else [])
    if any(catalog.extra_headers.get(name) for name in (*REVIEW_HEADERS, ACCEPT_HEADER)):
        found.append(
            (
                "ignored-signoff",
                "review fields and X-Packager-Accept in the catalog are ignored: a reviewer "
                "records a review with 'packager review' and acceptances with 'packager accept'",
            )
        )
    findings.extend(_findings(found, signoff.catalog_accepts(), path, header, "", locale))
    return findings


def _unused_terms(article: Article, entries: dict[str, tuple[str, str]], locale: str) -> list[GlossaryEntry]:
    """The glossary entries whose translated term the translated text never uses (terms translated only)."""
    import dataclasses

    from packager import glossary

    if not article.meta.glossary:
        return []
    translated = article.map_texts(lambda t: dataclasses.replace(t, markdown=entries.get(t.key, ("", t.markdown))[1]))
    unused = glossary.unused_terms(dataclasses.replace(translated, locale=locale))
    return [entry for entry in unused if entry.term.key in entries]


def accepted_codes(flags: set[str], comments: list[str]) -> set[str]:
    """What one entry accepts: ``code`` or ``code:id`` from ``#, accept-...`` flags or
    ``# packager: accept-...`` comments."""
    accepts = {flag[len(ACCEPT_PREFIX) :] for flag in flags if flag.startswith(ACCEPT_PREFIX)}
    for comment in comments:
        if comment.startswith(COMMENT_PREFIX):
            accepts.update(re.findall(rf"{ACCEPT_PREFIX}([a-z0-9-]+(?::[0-9a-f]+)?)", comment[len(COMMENT_PREFIX) :]))
    return accepts


def finding_id(code: str, message: str) -> str:
    """A short id for one finding, stable while the finding's message is the same."""
    return hashlib.sha256(f"{code}\0{message}".encode()).hexdigest()[:8]


def _findings(
    found: list[tuple[str, str]], accepts: set[str], path: Path, line: int | None, key: str, locale: str
) -> list[Finding]:
    out = []
    used: set[str] = set()
    for code, message in found:
        pinned = f"{code}:{finding_id(code, message)}"
        matched = {a for a in (code, pinned) if a in accepts}
        used |= matched
        accepted = bool(matched) and code not in UNACCEPTABLE
        out.append(Finding(CODES[code][0], code, message, path, line, key, accepted, locale))
    for accept in sorted(accepts):
        code = accept.split(":", 1)[0]
        flag = f"{ACCEPT_PREFIX}{accept}"
        if code not in CODES:
            out.append(_warn("unknown-accept", f"'{flag}' names no check", path, line, key, locale))
        elif code in UNACCEPTABLE:
            out.append(_warn("unknown-accept", f"'{code}' cannot be accepted", path, line, key, locale))
        elif accept not in used:
            out.append(_warn("unused-accept", f"'{flag}' accepts nothing here", path, line, key, locale))
    return out


def _warn(code: str, message: str, path: Path, line: int | None, key: str, locale: str) -> Finding:
    return Finding(WARNING, code, message, path, line, key, False, locale)


def _header_checks(catalog: Catalog, locale: str) -> list[tuple[str, str]]:
    """The header against the catalog itself, never against the installed Babel's CLDR.

    CLDR revises plural rules (Babel 2.19 gave Spanish a third form), so comparing
    ``Plural-Forms`` with the installed library would fail a good catalog on the day a
    fresh install picks up a newer Babel. A catalog without plural entries (every article
    catalog: a handout message is one string) never fails on ``Plural-Forms``; one with
    plural entries fails when an entry's forms disagree with its own header's ``nplurals``
    (a malformed header is already refused when the file is read).
    """
    found = []
    header = _header_fields(catalog.raw_header or "")
    plural_entries = [m for m in catalog if m.id and m.pluralizable]
    if plural_entries:
        params = dict(p.strip().partition("=")[::2] for p in header.get("plural-forms", "").split(";"))
        nplurals = params.get("nplurals", "").strip()
        if not nplurals:
            found.append(("plural-forms", "the catalog has plural entries but its header has no Plural-Forms line"))
        for message in plural_entries:
            # Babel pads the forms to the header's count, so count the ones the translator wrote.
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            forms = sum(1 for string in strings if string)
            if nplurals and forms and forms != int(nplurals):
                found.append(
                    (
                        "plural-forms",
                        f"the entry on line {message.lineno} has {forms} plural forms; Plural-Forms says {nplurals}",
                    )
                )
    language = header.get("language", "")
    if language and _same_locale(language, locale) is False:
        found.append(("language-mismatch", f"the Language header says {language!r}, the folder says {locale!r}"))
    return found


def _header_fields(raw: str) -> dict[str, str]:
    fields = {}
    for line in raw.split("\n"):
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def _same_locale(a: str, b: str) -> bool | None:
    try:
        la, lb = Locale.parse(a.replace("-", "_")), Locale.parse(b)
    except (UnknownLocaleError, ValueError, TypeError):
        return a.replace("-", "_").lower() == b.lower()
    return (la.language, la.script, la.territory) == (lb.language, lb.script, lb.territory) or (
        la.language == lb.language and not (la.script and lb.script) and not (la.territory and lb.territory)
    )


def _readability(article: Article, translated: list[tuple[Text, str]], locale: str) -> list[tuple[str, str]]:
    """One finding for the whole translation: per-message scores of short strings mean little."""
    from packager.i18n import readability as rd  # textstat imports NLTK: slow, so only when needed
    from packager.inline import plain

    if rd.formula_for(locale) is None:
        return []

    prose = [(t, s) for t, s in translated if t.key.rsplit("/", 1)[-1].startswith(("p", "item"))]
    result = rd.readability(rd.as_sentences([plain(s) for _, s in prose]), locale)
    if result is None or result.ok:
        return []
    source = rd.readability(rd.as_sentences([plain(t.markdown) for t, _ in prose]), article.meta.language)
    versus = f"; the source scores {source.score:g} on {source.formula}" if source else ""
    relation = "at least" if rd.formula_for(locale).higher_is_easier else "at most"  # type: ignore[union-attr]
    return [("readability", f"{result.formula} score {result.score:g}, target {relation} {result.target:g}{versus}")]


# --- the command --------------------------------------------------------------------------------


@dataclass
class LocaleReport:
    article: str
    locale: str
    path: Path
    findings: list[Finding]

    def count(self) -> Counter[str]:
        c = Counter(f.severity for f in self.findings if not f.accepted)
        c["accepted"] = sum(f.accepted for f in self.findings)
        return c

    def as_dict(self) -> dict:
        c = self.count()
        return {
            "article": self.article,
            "locale": self.locale,
            "path": str(self.path),
            "errors": c[ERROR],
            "warnings": c[WARNING],
            "accepted": c["accepted"],
            "ok": not c[ERROR],
            "findings": [f.as_dict() for f in self.findings],
        }


def check_project(project: Project, only: list[str] | None = None) -> list[LocaleReport]:
    """A report per article and locale (``only`` those locales), and one for the source
    language's pronunciation lexicon, which its narration reads too."""
    reports = []
    checked: set[str] = set()
    for _, article, locales in project_articles(project):
        for locale in dict.fromkeys(only or locales[1:]):
            check_locale_name(locale)
            if locale == article.meta.language:
                continue
            if not only and article.meta.language not in checked:
                checked.add(article.meta.language)
                lexicon = lexicon_findings(project, article.meta.language)
                if lexicon:
                    reports.append(LocaleReport(article.slug, article.meta.language, lexicon[0].path, lexicon))
            path = project.catalog_path(locale, article.slug)
            if not path.exists():
                there = ", ".join(project.catalog_locales(article.slug)) or "none"
                raise PackagerError(f"no catalog for {locale} (there are: {there}); run 'packager init {locale}'", path)
            reports.append(LocaleReport(article.slug, locale, path, check_locale(project, article, locale)))
    return reports

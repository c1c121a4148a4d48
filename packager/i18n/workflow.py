"""The translator's workflow over a project: extract, init, update, stats.

Like pybabel's commands, but over every article of the project, with byte-stable writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from packager.document import Article
from packager.errors import PackagerError
from packager.i18n import history
from packager.i18n.extract import _now, write_stable, write_template
from packager.i18n.pofile import Catalog, new_catalog, read_catalog, usable, write_catalog
from packager.i18n.signoff import load_signoff
from packager.i18n.ui import INTERFACE, interface_path, interface_template, interface_template_path, ui_paths
from packager.project import LOCALE_NAME, Project, check_locale_name
from packager.source import project_articles

if TYPE_CHECKING:
    from packager.i18n.checks import Finding


def _write_templates(project: Project) -> Iterator[tuple[Article, Path, bool, bool]]:
    """Extract every article into its template: (article, template path, whether it changed).

    The source each template is made from is kept in locales/history/ (see
    :mod:`packager.i18n.history`): translations of it stay publishable after it changes.
    """
    for source, article, _ in project_articles(project):
        path = project.template_path(article.slug)
        _, changed = write_template(article, project.root, path)
        kept = history.keep(project, article.slug, source.read_bytes(), article.meta.version)
        yield article, path, changed, kept is not None


def extract(project: Project) -> list[tuple[Path, bool]]:
    """Write locales/<slug>.pot for every article and locales/packager.pot; returns (path, changed) pairs."""
    written = [(path, changed) for _, path, changed, _ in _write_templates(project)]
    _, path, changed = _write_interface_template(project)
    return [*written, (path, changed)]


def _write_interface_template(project: Project) -> tuple[Catalog, Path, bool]:
    """locales/packager.pot, from the installed packager's code (see :mod:`packager.i18n.ui`)."""
    path = interface_template_path(project.locales_dir)
    template, changed = write_stable(path, interface_template)
    return template, path, changed


def interface_locales(project: Project) -> list[str]:
    """Locales that have an interface catalog (``locales/<ll>/LC_MESSAGES/packager.po``)."""
    found = sorted(p.parent.parent.name for p in project.locales_dir.glob(f"*/LC_MESSAGES/{INTERFACE}.po"))
    return [locale for locale in found if LOCALE_NAME.match(locale)]


def init(project: Project, locale: str) -> list[Path]:
    """Start the catalogs for ``locale``: one per article and the interface catalog, from
    their templates. An existing catalog is never overwritten; if every one exists, that is an error."""
    check_locale_name(locale)
    babel_locale = _babel_locale(locale)
    created = []
    existing = None
    for _, article, _ in project_articles(project):
        template_path = project.template_path(article.slug)
        if not template_path.exists():
            write_template(article, project.root, template_path)
        path = project.catalog_path(locale, article.slug)
        if path.exists():
            existing = existing or path
            continue
        write_catalog(path, _new_catalog(read_catalog(template_path), babel_locale, article.slug))
        created.append(path)
    path = interface_path(project.locales_dir, locale)
    if not path.exists():
        template, _, _ = _write_interface_template(project)
        write_catalog(path, _new_catalog(template, babel_locale, INTERFACE))
        created.append(path)
    if not created:
        raise PackagerError(f"a catalog for {locale} already exists; use 'packager update'", existing or path)
    return created


def _new_catalog(template: Catalog, babel_locale: Locale, domain: str) -> Catalog:
    """An empty catalog for ``babel_locale`` with every message of ``template`` (Plural-Forms from Babel's CLDR)."""
    catalog = new_catalog(
        locale=babel_locale,
        domain=domain,
        project=template.project,
        version=template.version,
        copyright_holder=None,
        msgid_bugs_address="",
        creation_date=template.creation_date,
        revision_date=_now(),
        last_translator="",
        language_team=f"{babel_locale.english_name}",
        fuzzy=False,
        header_comment=template.header_comment,
    )
    catalog.locale_identifier  # noqa: B018 - validates the locale early
    for message in template:
        if message.id:
            catalog.add(
                message.id, context=message.context, auto_comments=message.auto_comments, locations=message.locations
            )
    return catalog


def update(project: Project) -> list[tuple[Path, bool]]:
    """Re-extract, then merge each template into its catalogs (fuzzy matching, obsolete kept as #~)."""
    results = []
    for article, template_path, changed, new_text in _write_templates(project):
        results.append((template_path, changed))
        template = read_catalog(template_path)
        kept = history.snapshots(project, article.slug)
        replaced = kept[1] if new_text and len(kept) > 1 else None  # the text the catalogs translated until now
        for locale in project.catalog_locales(article.slug):
            path = project.catalog_path(locale, article.slug)
            if not path.exists():
                continue
            catalog = read_catalog(path, locale=locale, domain=article.slug)
            if replaced is not None and not history.catalog_copy(replaced, locale).exists():
                write_catalog(history.catalog_copy(replaced, locale), catalog)  # the translation of that text
            results.append((path, _merge(path, catalog, template)))
    template, path, changed = _write_interface_template(project)
    results.append((path, changed))
    for locale in interface_locales(project):
        path = interface_path(project.locales_dir, locale)
        results.append((path, _merge(path, read_catalog(path, locale=locale, domain=INTERFACE), template)))
    return results


def _merge(path: Path, catalog: Catalog, template: Catalog) -> bool:
    """Merge ``template`` into ``catalog`` (changed text fuzzy with the old shown, removed kept
    as #~) and write it to ``path``; False when its bytes did not change."""
    # Babel forgets the previous msgid of an entry that was already fuzzy: keep it, it is
    # what an outdated translation is published from.
    previous = {(m.context, m.id): m.previous_id for m in catalog if m.fuzzy and m.previous_id}
    catalog.update(template, update_header_comment=False)
    for message in catalog:
        if message.fuzzy and not message.previous_id and (message.context, message.id) in previous:
            message.previous_id = previous[(message.context, message.id)]
    catalog.version = template.version
    catalog.project = template.project
    return write_catalog(path, catalog)


@dataclass(frozen=True)
class Counts:
    """Messages of a template and what a catalog makes of them."""

    translated: int
    fuzzy: int
    untranslated: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated


@dataclass(frozen=True)
class CatalogStats:
    article: str
    locale: str
    translated: int
    fuzzy: int
    untranslated: int
    reviewed: bool
    reviewed_by: str
    state: str  # current | outdated | refused | incomplete: what the build will do with it
    published_version: str  # the article version that is published in this locale ("" if none)
    accepted: int  # findings a reviewer accepted (reviews/<slug>/<locale>.yaml)
    interface: Counts  # the locale's interface catalog against the words packager's code uses now

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total, "percent": round(self.percent, 1)}


def count(article: Article, catalog: Catalog) -> tuple[int, int, int]:
    """(translated, fuzzy, untranslated) messages of the article as it is now."""
    return count_messages(((text.markdown, text.key) for text in article.texts()), catalog)


def count_messages(wanted: Iterable[tuple[str, str | None]], catalog: Catalog | None) -> tuple[int, int, int]:
    """(translated, fuzzy, untranslated) of the (msgid, msgctxt) pairs ``wanted`` in ``catalog``."""
    translated = fuzzy = untranslated = 0
    for msgid, context in wanted:
        message = catalog.get(msgid, context=context) if catalog is not None else None
        if usable(message):
            translated += 1
        elif message is not None and message.string and message.fuzzy:
            fuzzy += 1
        else:
            untranslated += 1
    return translated, fuzzy, untranslated


def publication(project: Project, article: Article, locale: str) -> tuple[str, str]:
    """(state, version published): what ``packager build`` will make of this locale."""
    from packager.errors import IncompleteTranslation
    from packager.i18n.translate import OutdatedRefused, localize

    try:
        translation = localize(project, article, locale)
    except OutdatedRefused:
        return "refused", ""
    except IncompleteTranslation:
        return "incomplete", ""
    return ("outdated" if translation.earlier else "current"), translation.source.meta.version


def interface_counts(project: Project, locale: str, template: Catalog) -> Counts:
    """How much of the interface ``template`` the locale's catalogs translate (``es_MX`` with ``es``
    under it, as they are printed); what none translates is printed in English."""
    catalogs = [read_catalog(path, locale=locale, domain=INTERFACE) for path in ui_paths(project.locales_dir, locale)]
    merged = catalogs[0] if catalogs else None
    for fallback in catalogs[1:]:
        for message in fallback:
            if message.id and usable(message) and not usable(merged.get(message.id, context=message.context)):  # type: ignore[union-attr]
                merged[message.id] = message  # type: ignore[index]
    return Counts(*count_messages(((str(m.id), m.context) for m in template if m.id), merged))


def stats(project: Project) -> list[CatalogStats]:
    rows = []
    template = interface_template()
    for _, article, locales in project_articles(project):
        for locale in locales[1:]:  # the source itself needs no catalog
            path = project.catalog_path(locale, article.slug)
            if not path.exists():
                raise PackagerError(f"no catalog for {locale}; run 'packager init {locale}'", path)
            catalog = read_catalog(path, locale=locale)
            state, version = publication(project, article, locale)
            signoff = load_signoff(project, article.slug, locale)
            reviewed = False
            if state in ("current", "outdated"):
                from packager.i18n.translate import localize

                translation = localize(project, article, locale, catalog)
                reviewed = not translation.article.draft
            rows.append(
                CatalogStats(
                    article.slug,
                    locale,
                    *count(article, catalog),
                    reviewed,
                    signoff.review.by if reviewed and signoff.review else "",
                    state,
                    version,
                    len(signoff.acceptances),
                    interface_counts(project, locale, template),
                )
            )
    return rows


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise PackagerError(f"{locale!r} is not a locale Babel knows") from None


def review(project: Project, locale: str, by: str) -> list[tuple[Path, str]]:
    """``packager review``: sign what is published in ``locale`` (its translations and lexicon)."""
    from packager.i18n import checks
    from packager.i18n.signoff import record_review
    from packager.i18n.translate import localize

    signed = []
    for _, article, _ in project_articles(project):
        if locale == article.meta.language:
            raise PackagerError(f"{locale} is the source language: there is no translation to review")
        translation = localize(project, article, locale)
        blocking = [f for f in checks.check_locale(project, article, locale, readability=False) if f.blocking]
        if blocking:
            raise PackagerError(f"fix or accept every error before signing a review: {blocking[0]}")
        assert translation.catalog is not None
        signoff = record_review(
            project, translation.source, translation.catalog, locale, by, earlier=translation.earlier
        )
        signed.append((signoff.path, translation.source.meta.version))
    return signed


def accept(project: Project, locale: str, wanted: list[str], by: str) -> list[tuple[Path, str]]:
    """``packager accept``: record a reviewer's acceptance of findings named by their accept flag."""
    from packager.i18n import checks
    from packager.i18n.checks import ACCEPT_PREFIX
    from packager.i18n.signoff import record_acceptance

    names = {w.removeprefix(ACCEPT_PREFIX) for w in wanted}
    done: list[tuple[Path, str]] = []
    for _, article, _ in project_articles(project):
        if locale == article.meta.language:
            continue
        catalog = read_catalog(project.catalog_path(locale, article.slug), locale=locale, domain=article.slug)
        texts = {t.key: t.markdown for t in article.texts()}
        for finding in checks.check_locale(project, article, locale, readability=False):
            name = f"{finding.code}:{finding.id}"
            if name not in names or finding.code in checks.UNACCEPTABLE:
                continue
            msgid, msgstr = _accepted_entry(catalog, texts, finding)
            signoff = record_acceptance(project, article.slug, locale, finding.key, name, msgid, msgstr, by)
            done.append((signoff.path, name))
    missing = names - {name for _, name in done}
    if missing:
        raise PackagerError(f"no finding {', '.join(sorted(missing))} in {locale} ('packager check --json' lists them)")
    return done


def _accepted_entry(catalog: Catalog, texts: dict[str, str], finding: Finding) -> tuple[str, str]:
    """The (msgid, msgstr) a finding is about: in the article's catalog, or in the interface catalog."""
    from packager.i18n.checks.ui import KEY_PREFIX

    if finding.key.startswith(KEY_PREFIX):
        msgid = finding.key.removeprefix(KEY_PREFIX)
        interface = read_catalog(finding.path, locale=finding.locale, domain=INTERFACE)
        message = interface.get(msgid)
    else:
        msgid = texts.get(finding.key, "")
        message = catalog.get(msgid, context=finding.key) if finding.key else None
    return msgid, str(message.string) if message is not None else ""

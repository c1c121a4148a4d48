"""The translate transform: a catalog applied to the document tree.

A translation is published in one of two states. *Current*: the catalog translates
the article as it is (to the completeness threshold). *Outdated*: it does not, because
the source changed since, but it completely translates an earlier text of the article
(kept in ``locales/history/``, see :mod:`packager.i18n.history`); that earlier text is
published, marked as outdated, so that an English typo fix never silently takes a
language away. A project can refuse outdated translations (``outdated_translations:
refuse``), and an article can withdraw those older than a version it names
(``withdraw_translations_before`` in its front matter, after a safety correction).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packager.document import Article, Outdated, Text
from packager.errors import IncompleteTranslation, PackagerError
from packager.i18n.history import catalog_copy, snapshots, version_key
from packager.i18n.pofile import Catalog, find_entry, read_catalog, usable
from packager.i18n.signoff import load_signoff, review_covers
from packager.project import Project


class OutdatedRefused(PackagerError):
    """A complete translation of an earlier version that the project or the article refuses."""

    exit_code = 1


@dataclass(frozen=True)
class Translation:
    """What is published for one locale: which text was translated, from which catalog."""

    source: Article  # the article, or the earlier text of it that the catalog translates
    catalog: Catalog | None  # None for the source language
    path: Path | None  # the catalog file
    article: Article  # the translated tree

    @property
    def earlier(self) -> bool:
        return self.article.outdated is not None


def translate(
    article: Article, catalog: Catalog, locale: str, threshold: float = 100.0, earlier: bool = False
) -> Article:
    """The article in ``locale``. Fuzzy entries count as untranslated; below ``threshold`` it is refused.

    ``earlier``: ``article`` is an earlier text of the source, so translations are also
    found where gettext kept them after the source changed (see :func:`find_entry`).
    """
    missing: list[str] = []
    texts = list(article.texts())

    def apply(text: Text) -> Text:
        message = find_entry(catalog, text.markdown, text.key, earlier)
        if not usable(message):
            missing.append(text.key)
            return text
        return dataclasses.replace(text, markdown=str(message.string))  # type: ignore[union-attr]

    translated = article.map_texts(apply)
    percent = 100.0 * (len(texts) - len(missing)) / len(texts) if texts else 100.0
    if missing and percent < threshold:
        raise IncompleteTranslation(article.path, locale, missing, percent, threshold)
    # A draft until :func:`localize` finds a reviewer's sign-off for exactly this translation.
    return dataclasses.replace(translated, locale=locale, draft=True)


def localize(project: Project, article: Article, locale: str, catalog: Catalog | None = None) -> Translation:
    """What a reader of ``locale`` gets: the source itself, its current translation, or its
    last complete (outdated) translation. Raises IncompleteTranslation or OutdatedRefused.
    ``catalog``: the locale's catalog, if the caller has already read it."""
    if locale == article.meta.language:
        return Translation(article, None, None, article)
    path = project.catalog_path(locale, article.slug)
    if catalog is None:
        catalog = read_catalog(path, locale=locale, domain=article.slug)
    threshold = project.settings.completeness_threshold
    try:
        chosen = Translation(article, catalog, path, translate(article, catalog, locale, threshold))
    except IncompleteTranslation as exc:
        exc.path = path
        for snapshot, earlier in earlier_texts(project, article):
            copy = catalog_copy(snapshot, locale)  # the catalog as it was, if update kept it
            used, used_path = (read_catalog(copy, locale=locale), copy) if copy.exists() else (catalog, path)
            try:
                translated = translate(earlier, used, locale, threshold, earlier=True)
            except IncompleteTranslation:
                continue
            outdated = Outdated(earlier.meta.version, article.meta.version)
            refusal = _refusal(project, article, outdated)
            if refusal:
                raise OutdatedRefused(f"{exc.message}; {refusal}", path) from None
            chosen = Translation(earlier, used, used_path, dataclasses.replace(translated, outdated=outdated))
            break
        else:
            raise
    signoff = load_signoff(project, article.slug, locale)
    reviewed = review_covers(signoff, project, chosen.source, catalog, locale, chosen.earlier)
    return dataclasses.replace(chosen, article=dataclasses.replace(chosen.article, draft=not reviewed))


def localized(project: Project, article: Article, locale: str) -> Article:
    """The article as a reader of ``locale`` gets it (see :func:`localize`)."""
    return localize(project, article, locale).article


def earlier_texts(project: Project, article: Article) -> Iterator[tuple[Path, Article]]:
    """Earlier texts of ``article`` (with their snapshot files), newest first; figures still
    resolve from ``source/``."""
    from packager.project import read_limited
    from packager.source import MAX_SOURCE_BYTES, read_article

    current = read_limited(article.path, MAX_SOURCE_BYTES, "article")
    for path in snapshots(project, article.slug):
        if read_limited(path, MAX_SOURCE_BYTES, "earlier text") == current:
            continue
        yield path, dataclasses.replace(read_article(path), path=article.path)


def _refusal(project: Project, article: Article, outdated: Outdated) -> str:
    """Why a complete translation of an earlier version may not be published ("" if it may)."""
    last = f"the last complete translation is of version {outdated.version}"
    if project.settings.outdated_translations == "refuse":
        return f"{last}, and packager.yaml refuses outdated translations (outdated_translations: refuse)"
    withdraw = article.meta.withdraw_translations_before
    if withdraw and version_key(outdated.version) < version_key(withdraw):
        return f"{last}, and the article withdraws translations older than {withdraw} (withdraw_translations_before)"
    return ""

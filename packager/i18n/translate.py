"""The translate transform: a catalog applied to the document tree."""

from __future__ import annotations

import dataclasses

from packager.document import Article, Text
from packager.errors import IncompleteTranslation
from packager.i18n.pofile import Catalog, read_catalog, review_of
from packager.project import Project


def translate(article: Article, catalog: Catalog, locale: str, threshold: float = 100.0) -> Article:
    """The article in ``locale``. Fuzzy entries count as untranslated; below ``threshold`` it is refused."""
    missing: list[str] = []
    texts = list(article.texts())

    def apply(text: Text) -> Text:
        message = catalog.get(text.markdown, context=text.key)
        if message is None or not isinstance(message.string, str) or not message.string or message.fuzzy:
            missing.append(text.key)
            return text
        return dataclasses.replace(text, markdown=message.string)

    translated = article.map_texts(apply)
    percent = 100.0 * (len(texts) - len(missing)) / len(texts) if texts else 100.0
    if missing and percent < threshold:
        raise IncompleteTranslation(article.path, locale, missing, percent, threshold)
    draft = not review_of(catalog).covers(article.meta.version)
    return dataclasses.replace(translated, locale=locale, draft=draft)


def localized(project: Project, article: Article, locale: str) -> Article:
    """The article as a reader of ``locale`` gets it: the source itself, or its checked translation."""
    if locale == article.meta.language:
        return article
    path = project.catalog_path(locale, article.slug)
    catalog = read_catalog(path, locale=locale, domain=article.slug)
    try:
        return translate(article, catalog, locale, project.settings.completeness_threshold)
    except IncompleteTranslation as exc:
        exc.path = path
        raise

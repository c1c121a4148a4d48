"""Article -> translation template (POT): one message per Text, with context and comment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from packager.atomic import write_if_changed
from packager.document import Article
from packager.i18n.pofile import Catalog, catalog_bytes, new_catalog, read_catalog
from packager.project import source_date_epoch

HEADER_COMMENT = """\
# Translations of "{title}" ({slug}), made with packager.
# This file is distributed under the same licence as the article: {licence}.
#
# Translators: translate each msgstr; keep numbers, doses, prices, web and
# e-mail addresses and phone numbers exactly as in the msgid, and keep the
# Markdown marks (**bold**, *emphasis*, [link text](address)).
# Medical reviewers: sign a review with 'packager review LOCALE --by NAME';
# it is recorded in reviews/, never in this file."""


def build_template(article: Article, root: Path, creation_date: datetime | None = None) -> Catalog:
    meta = article.meta
    catalog = new_catalog(
        domain=meta.slug,
        project=meta.slug,
        version=meta.version,
        copyright_holder=", ".join(meta.authors),
        msgid_bugs_address="",
        creation_date=creation_date or _now(),
        header_comment=HEADER_COMMENT.format(title=meta.title.markdown, slug=meta.slug, licence=meta.licence),
    )
    location = (
        article.path.resolve().relative_to(root).as_posix() if article.path.is_absolute() else article.path.as_posix()
    )
    for text in article.texts():
        catalog.add(text.markdown, context=text.key, auto_comments=[text.comment], locations=[(location, text.line)])
    return catalog


def write_template(article: Article, root: Path, path: Path) -> tuple[Catalog, bool]:
    """Write the article's POT (see :func:`write_stable`)."""
    return write_stable(path, lambda date: build_template(article, root, date))


def write_stable(path: Path, build: Callable[[datetime | None], Catalog]) -> tuple[Catalog, bool]:
    """Write the POT ``build(creation_date)`` makes; while its messages are unchanged it keeps
    its creation date.

    Messages are compared, not bytes, so that a change in how the header is written
    (a newer Babel, say) never moves the date translators see.
    """
    old = read_catalog(path) if path.exists() else None
    template = build(None)
    if old is not None and _messages(old) == _messages(template) and isinstance(old.creation_date, datetime):
        template = build(old.creation_date)
    return template, write_if_changed(path, catalog_bytes(template))


def _messages(catalog: Catalog) -> list[tuple]:
    return [(m.context, m.id, m.auto_comments, m.locations) for m in catalog if m.id]


def _now() -> datetime:
    """The clock, unless SOURCE_DATE_EPOCH asks for a reproducible date."""
    return source_date_epoch() or datetime.now(UTC).replace(second=0, microsecond=0)

"""Sign-off that lives outside the translator's file: medical review and accepted findings.

A translator edits ``locales/<ll>/LC_MESSAGES/<slug>.po``; what a *reviewer* decides is
recorded apart, in ``reviews/<slug>/<ll>.yaml``, written by ``packager review`` and
``packager accept``. A project protects that folder as code (a CODEOWNERS rule, a
protected branch): translators, and Weblate's commits, never touch it. Each record is
bound to the sha256 of exactly what was reviewed, so any later change voids it:

- a medical review covers one article version, the catalog's translations of it (every
  message used, msgid and msgstr), the locale's pronunciation lexicon and its interface
  catalog (``packager.po``: the notices, footers and spoken opening around the article);
- an acceptance covers one finding (``code:id``) on one entry (msgctxt) with one
  translation (msgid and msgstr).

Review fields (``X-Medical-Review-*``) and accept flags inside a PO file are ignored for
these purposes, and ``packager check`` reports them.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from packager.atomic import atomic_write
from packager.document import Article
from packager.errors import PackagerError

if TYPE_CHECKING:
    from packager.i18n.pofile import Catalog
from packager.project import SAFE_LOADER, Project, check_locale_name, read_text_limited

REVIEWS_DIR = "reviews"
MAX_SIGNOFF_BYTES = 1_000_000
HEADER = (
    "# Sign-off for one translation, written by 'packager review' and 'packager accept'.\n"
    "# Reviewers only: each record names the sha256 of what was reviewed; any change voids it.\n"
)


@dataclass(frozen=True)
class MedicalReview:
    by: str
    date: str
    source_version: str
    translations_sha256: str
    lexicon_sha256: str
    interface_sha256: str = ""  # the locale's interface catalog (locales/<ll>/LC_MESSAGES/packager.po)


@dataclass(frozen=True)
class Acceptance:
    key: str  # the entry's msgctxt ("" for the catalog as a whole)
    finding: str  # "code:id" (one finding) or "code" (every finding of that check on the entry)
    entry_sha256: str  # of the msgid and msgstr accepted ("" for the catalog as a whole)
    by: str
    date: str


@dataclass
class SignOff:
    path: Path
    review: MedicalReview | None = None
    acceptances: list[Acceptance] = field(default_factory=list)

    def accepts(self, key: str, msgid: str, msgstr: str) -> set[str]:
        """What is accepted on this entry with exactly this translation."""
        digest = entry_digest(msgid, msgstr)
        return {a.finding for a in self.acceptances if a.key == key and a.entry_sha256 == digest}

    def catalog_accepts(self) -> set[str]:
        return {a.finding for a in self.acceptances if a.key == ""}

    def stale(self, entries: dict[str, tuple[str, str]]) -> list[Acceptance]:
        """Acceptances whose entry has changed since (``entries``: msgctxt -> (msgid, msgstr))."""
        return [
            a
            for a in self.acceptances
            if a.key and (a.key not in entries or entry_digest(*entries[a.key]) != a.entry_sha256)
        ]


def signoff_path(project: Project, slug: str, locale: str) -> Path:
    return project.root / REVIEWS_DIR / slug / f"{check_locale_name(locale)}.yaml"


def load_signoff(project: Project, slug: str, locale: str) -> SignOff:
    path = signoff_path(project, slug, locale)
    if not path.exists() and not path.is_symlink():
        return SignOff(path)
    text = read_text_limited(path, MAX_SIGNOFF_BYTES, "sign-off file")
    try:
        data = yaml.load(text, Loader=SAFE_LOADER) or {}
        review = data.get("medical_review")
        return SignOff(
            path,
            MedicalReview(**{k: str(v) for k, v in review.items()}) if review else None,
            [Acceptance(**{k: str(v) for k, v in a.items()}) for a in data.get("accepted") or []],
        )
    except (yaml.YAMLError, AttributeError, TypeError) as exc:
        raise PackagerError(f"the sign-off file cannot be read: {exc}".splitlines()[0], path) from None


def save_signoff(signoff: SignOff) -> None:
    data: dict = {}
    if signoff.review:
        data["medical_review"] = asdict(signoff.review)
    if signoff.acceptances:
        data["accepted"] = [asdict(a) for a in sorted(signoff.acceptances, key=lambda a: (a.key, a.finding))]
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    atomic_write(signoff.path, text.encode("utf-8"))


def entry_digest(msgid: str, msgstr: str) -> str:
    return hashlib.sha256(f"{msgid}\0{msgstr}".encode()).hexdigest()


def translations_digest(article: Article, catalog: Catalog, earlier: bool = False) -> str:
    """One digest over every message of ``article`` and the translation used for it."""
    from packager.i18n.pofile import find_entry, usable  # Babel's catalogs: not for planning (signoff_path)

    digest = hashlib.sha256()
    for text in article.texts():
        message = find_entry(catalog, text.markdown, text.key, earlier)
        string = str(message.string) if usable(message) else ""  # type: ignore[union-attr]
        digest.update(f"{text.key}\0{text.markdown}\0{string}\0".encode())
    return digest.hexdigest()


def lexicon_digest(project: Project, locale: str) -> str:
    from packager.speech.lexicon import find_lexicon

    path = find_lexicon(project.locales_dir, locale)
    if path is None:
        return "none"
    return hashlib.sha256(read_text_limited(path, 1_000_000, "lexicon").encode()).hexdigest()


def interface_digest(project: Project, locale: str) -> str:
    """sha256 of the interface catalog ``locale`` reads: its words are printed and spoken too."""
    from packager.i18n.pofile import MAX_CATALOG_BYTES
    from packager.i18n.ui import ui_paths

    digest = hashlib.sha256()
    for path in ui_paths(project.locales_dir, locale):
        digest.update(read_text_limited(path, MAX_CATALOG_BYTES, "catalog").encode() + b"\0")
    return digest.hexdigest()


def review_covers(
    signoff: SignOff, project: Project, article: Article, catalog: Catalog, locale: str, earlier: bool = False
) -> bool:
    """Whether a medical review covers exactly this translation of this version of ``article``."""
    review = signoff.review
    return bool(
        review
        and review.by
        and review.source_version == article.meta.version
        and review.translations_sha256 == translations_digest(article, catalog, earlier)
        and review.lexicon_sha256 == lexicon_digest(project, locale)
        and review.interface_sha256 == interface_digest(project, locale)
    )


def _reviewer(by: str) -> str:
    """The name a record is signed with: one printable line."""
    if not by.strip() or not by.isprintable():
        raise PackagerError("a sign-off needs the reviewer's name (--by NAME), on one line")
    return by.strip()


def record_review(
    project: Project, article: Article, catalog: Catalog, locale: str, by: str, on: date | None = None, earlier=False
) -> SignOff:
    """``packager review``: the reviewer signs exactly this translation of this version."""
    by = _reviewer(by)
    signoff = load_signoff(project, article.slug, locale)
    signoff.review = MedicalReview(
        by,
        (on or date.today()).isoformat(),
        article.meta.version,
        translations_digest(article, catalog, earlier),
        lexicon_digest(project, locale),
        interface_digest(project, locale),
    )
    save_signoff(signoff)
    return signoff


def record_acceptance(
    project: Project, slug: str, locale: str, key: str, finding: str, msgid: str, msgstr: str, by: str
) -> SignOff:
    """``packager accept``: the reviewer accepts one finding on one entry with this translation."""
    by = _reviewer(by)
    signoff = load_signoff(project, slug, locale)
    digest = entry_digest(msgid, msgstr) if key else ""
    signoff.acceptances = [a for a in signoff.acceptances if not (a.key == key and a.finding == finding)]
    signoff.acceptances.append(Acceptance(key, finding, digest, by, date.today().isoformat()))
    save_signoff(signoff)
    return signoff

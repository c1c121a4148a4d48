"""Earlier texts of each article, so that a translation of one stays published.

When the source article changes, every translation is a translation of an earlier
text until a volunteer catches up. gettext keeps the earlier *wording* in the catalog
(the ``#|`` previous msgid of a fuzzy entry, ``#~`` for removed text) but not the
earlier *structure* (which paragraphs, lists and tables, in what order). So each time
``packager extract`` or ``update`` writes a template for a changed source, the source
it was made from is kept as ``locales/history/<slug>/NNNN-<version>.md``, committed
with the catalogs (a fresh clone has them), and never changed afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

from packager.atomic import atomic_write
from packager.project import Project

HISTORY_DIR = "history"
_NAME = re.compile(r"^(\d{4,})-[^/]*\.md$")


def history_dir(project: Project, slug: str) -> Path:
    return project.locales_dir / HISTORY_DIR / slug


def snapshots(project: Project, slug: str) -> list[Path]:
    """Kept texts of ``slug``, newest first."""
    folder = history_dir(project, slug)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.match(p.name)) and p.is_file()]
    return [path for _, path in sorted(found, reverse=True)]


def keep(project: Project, slug: str, data: bytes, version: str) -> Path | None:
    """Keep ``data`` (the source's bytes) unless the newest kept text is already exactly it."""
    kept = snapshots(project, slug)
    if kept and kept[0].read_bytes() == data:
        return None
    number = int(_NAME.match(kept[0].name).group(1)) + 1 if kept else 1  # type: ignore[union-attr]
    safe_version = re.sub(r"[^0-9A-Za-z.+-]", "_", version)[:40]
    path = history_dir(project, slug) / f"{number:04d}-{safe_version}.md"
    atomic_write(path, data)
    return path


def catalog_copy(snapshot: Path, locale: str) -> Path:
    """The catalog as it was when the text of ``snapshot`` was replaced (kept by ``packager update``).

    A fuzzy entry's msgstr is the translation of its previous msgid only until a translator
    starts rewriting it for the new text; this copy keeps the translation as it was.
    """
    return snapshot.with_name(f"{snapshot.stem}.{locale}.po")


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.2"`` -> ``(1, 10, 2)``: article versions compared by their numbers."""
    return tuple(int(n) for n in re.findall(r"\d+", version))

"""The manifest's records on disk, in SQLite (``build/.cache/manifest.sqlite``): a build reads
and writes them a row at a time, so its memory does not grow with the library it builds.

``build/manifest.json`` stays what people and programs read; it is written from these rows
(:func:`packager.engine.manifest.write_manifest`), and the store keeps the sha256 of the one it
last wrote. A manifest.json that anything else changed, deleted or left (an older packager, a
hand edit) is loaded into the store again before a build trusts it, so a build always plans
against what manifest.json says.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping, ValuesView
from pathlib import Path
from typing import Any

STORE = ".cache/manifest.sqlite"
TABLES = ("targets", "locales", "failures")  # the manifest's
VERIFIED = "verified"  # output path -> its stat and sha256 when last hashed or written (see manifest.output_sha256)
KNOWN = "known"  # answers kept across builds with the stat of what they rest on (see packager.statcache)
USED = "used"  # the answers this build used: what its journal's proof is written from
SCHEMA = "1"


class Table(MutableMapping[str, Any]):
    """One mapping of the manifest ("targets", "locales" or "failures"), or one a build keeps
    beside it (the outputs' verified stats, the stat cache's answers): a row per key, its value
    kept as JSON, iterated in key order. A value read is a copy: change it by storing it."""

    def __init__(self, store: Store, name: str) -> None:
        self.store, self._name = store, name

    def __getitem__(self, key: str) -> Any:
        row = self.store.db.execute(f"SELECT value FROM {self._name} WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return json.loads(row[0])

    def __setitem__(self, key: str, value: Any) -> None:
        self.store.db.execute(f"INSERT OR REPLACE INTO {self._name} VALUES (?, ?)", (key, _dumps(value)))

    def __delitem__(self, key: str) -> None:
        if not self.store.db.execute(f"DELETE FROM {self._name} WHERE key = ?", (key,)).rowcount:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return self.store.db.execute(f"SELECT 1 FROM {self._name} WHERE key = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        """Keys in order; the table must not change until the iteration ends."""
        return (key for (key,) in self.store.db.execute(f"SELECT key FROM {self._name} ORDER BY key"))

    def __len__(self) -> int:
        return int(self.store.db.execute(f"SELECT count(*) FROM {self._name}").fetchone()[0])

    def clear(self) -> None:
        self.store.db.execute(f"DELETE FROM {self._name}")

    def with_prefix(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """(key, value) of the keys that start with ``prefix``, in key order: one range of the index."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the first string after every one with the prefix
        query = f"SELECT key, value FROM {self._name} WHERE key >= ? AND key < ? ORDER BY key"
        for key, value in self.store.db.execute(query, (prefix, end)):
            yield key, json.loads(value)

    def rows(self) -> Iterator[tuple[str, Any]]:
        """(key, value) in key order, one query: what ``items()`` and ``values()`` iterate."""
        for key, value in self.store.db.execute(f"SELECT key, value FROM {self._name} ORDER BY key"):
            yield key, json.loads(value)

    def items(self) -> ItemsView[str, Any]:
        return _Items(self)

    def values(self) -> ValuesView[Any]:
        return _Values(self)


class _Items(ItemsView[str, Any]):
    _mapping: Table

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self._mapping.rows()


class _Values(ValuesView[Any]):
    _mapping: Table

    def __iter__(self) -> Iterator[Any]:
        return (value for _, value in self._mapping.rows())


class Store:
    """The SQLite file, in autocommit mode: a row written is kept, even by a build killed after."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            if self.meta("schema") != SCHEMA:  # raises first if it is not a store
                raise sqlite3.DatabaseError(f"not a manifest store of schema {SCHEMA}")
            return
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")  # readers (``packager status``) never wait for a build
        self.db.execute("PRAGMA synchronous=NORMAL")  # a power cut may lose the last rows, never corrupt
        for name in (*TABLES, VERIFIED, KNOWN, USED, "meta"):
            columns = "key TEXT PRIMARY KEY, value TEXT NOT NULL"  # a rowid table: its values are KBs
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        if self.meta("schema") != SCHEMA:
            self.load({name: {} for name in TABLES}, None)

    @classmethod
    def open(cls, path: Path) -> Store:
        """The store at ``path``, made anew if it is damaged or not one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls(path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):  # in use, not damaged
                raise
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            return cls(path)

    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, _dumps(value)))

    def tables(self) -> dict[str, Table]:
        """The manifest's mappings, by name."""
        return {name: Table(self, name) for name in TABLES}

    def load(self, data: dict[str, Any], manifest_sha256: str | None) -> None:
        """Replace the manifest's rows by ``data`` (a manifest read whole), in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for name in TABLES:
                self.db.execute(f"DELETE FROM {name}")
                rows: Iterable[tuple[str, str]] = ((k, _dumps(v)) for k, v in data.get(name, {}).items())
                self.db.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)
            self.db.execute("DELETE FROM meta")
            self.set_meta("schema", SCHEMA)
            self.set_meta("shared", data.get("shared", {}))
            self.set_meta("manifest", manifest_sha256)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def with_prefix(mapping: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """(key, value) of a table's or a dict's keys that start with ``prefix``, in key order."""
    if isinstance(mapping, Table):
        return mapping.with_prefix(prefix)
    return iter(sorted((k, v) for k, v in mapping.items() if k.startswith(prefix)))


def groups(whole: Mapping[str, Any], *parts: Mapping[str, Any]) -> Iterator[str]:
    """The keys of ``whole`` ("slug/locale") and of ``parts`` without their last part ("slug/locale"
    of "slug/locale/format"), sorted, each once: from the store as it sorts them, where it holds them."""
    tables = [t for t in (whole, *parts) if isinstance(t, Table)]
    if len(tables) == 1 + len(parts):
        first, *rest = tables
        cut = "substr(key, 1, length(rtrim(key, replace(key, '/', ''))) - 1)"  # up to the last "/"
        query = " UNION ".join([f"SELECT key FROM {first._name}", *(f"SELECT {cut} FROM {t._name}" for t in rest)])
        return (key for (key,) in first.store.db.execute(query + " ORDER BY 1"))
    return iter(sorted({*whole, *(key.rsplit("/", 1)[0] for part in parts for key in part)}))


#: build folder -> table -> what :func:`kept` gave for it during this build.
_held: dict[Path, dict[str, MutableMapping[str, Any]]] = {}


def kept(build_dir: Path, name: str) -> MutableMapping[str, Any]:
    """A table the build folder keeps beside the manifest (``VERIFIED``, ``KNOWN``, ``USED``),
    the same one all build long; a dict, kept in memory only, where no store can be kept (a
    read-only build folder)."""
    tables = _held.setdefault(build_dir, {})
    if name not in tables:
        try:
            store = next((t.store for t in tables.values() if isinstance(t, Table)), None)
            tables[name] = Table(store or Store.open(build_dir / STORE), name)
        except (OSError, sqlite3.Error):
            tables[name] = {}
    return tables[name]


def let_go(build_dir: Path) -> None:
    """The build is over (or starts): its rows are on disk, and another process may change them now."""
    _held.pop(build_dir, None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

"""A build's per-target records kept on disk while it runs: the stale locales waiting to be
translated, the outcomes it reports. A library's build has one of each per target; kept in
memory they would make it grow with the library, as the manifest did before its store.

Each :class:`Spilled` is a private SQLite database (SQLite's own temporary file, deleted when it
is closed, which no other process can open): SQLite holds a few pages of it in memory, whatever
its length. Items are pickled: they never leave this process.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

#: Items read per query while iterating: what iteration holds at a time.
PAGE = 256


class Spilled(Generic[T]):
    """A queue and sequence, appended to at the end and taken from the front, in a temporary
    database; ``order``, if given, names each item for :meth:`ordered` (a sort key, a string).

    It costs nothing until the first item comes: most of a small build's are empty.
    """

    def __init__(self, items: Iterable[T] = (), order: Callable[[T], str] | None = None) -> None:
        self._db: Any = None
        self._order = order
        self._first = self._next = 0  # the ids of the front item and of the next one appended
        self.extend(items)

    def _rows(self) -> Any:
        if self._db is None:
            import sqlite3

            # "": a private temporary file. A build's outcomes may be read in another thread than the
            # one that built them (one thread at a time, as a list would be).
            self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = OFF")  # nothing to recover: it ends with the build
            self._db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, item BLOB)")
            if self._order is not None:
                self._db.execute("CREATE INDEX by_name ON items (name, id)")
        return self._db

    def append(self, item: T) -> None:
        name = self._order(item) if self._order is not None else None
        self._rows().execute("INSERT INTO items VALUES (?, ?, ?)", (self._next, name, pickle.dumps(item, -1)))
        self._next += 1

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def popleft(self) -> T:
        item = self[0]
        self._db.execute("DELETE FROM items WHERE id = ?", (self._first,))
        self._first += 1
        return item

    def clear(self) -> None:
        if self._db is not None:
            self._db.execute("DELETE FROM items")
        self._first = self._next

    def __len__(self) -> int:
        return self._next - self._first

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        at = self._first + index % len(self)
        (item,) = self._db.execute("SELECT item FROM items WHERE id = ?", (at,)).fetchone()
        return pickle.loads(item)

    def __iter__(self) -> Iterator[T]:
        """From the front, in the order appended; as long as when the iteration began."""
        last, end = self._first - 1, self._next
        while last + 1 < end:
            query = "SELECT id, item FROM items WHERE id > ? AND id < ? ORDER BY id LIMIT ?"
            page = self._db.execute(query, (last, end, PAGE)).fetchall()
            if not page:
                return
            last = page[-1][0]  # where the next page starts
            for _, item in page:
                yield pickle.loads(item)

    def ordered(self) -> Iterator[T]:
        """By ``order``'s names (then as appended): a report sorted without a list in memory."""
        if self._order is None:
            raise TypeError("this Spilled was made without an order")
        if not self:
            return
        after: tuple[str, int] = ("", -1)
        while True:
            query = "SELECT name, id, item FROM items WHERE (name, id) > (?, ?) ORDER BY name, id LIMIT ?"
            page = self._db.execute(query, (*after, PAGE)).fetchall()
            if not page:
                return
            for name, at, item in page:
                after = (name, at)
                yield pickle.loads(item)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __repr__(self) -> str:
        return f"<Spilled: {len(self)} items>"

    def close(self) -> None:
        """Delete its file now, not when it is collected."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._first = self._next

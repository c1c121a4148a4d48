"""A build's per-target records on disk (:mod:`packager.engine.spill`): what goes in comes back,
in the order asked, and the process does not grow with how many there are."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from packager.engine import spill
from packager.engine.spill import Spilled
from packager.engine.targets import Outcome, Target, outcome_log


def test_a_queue_gives_back_what_was_appended_in_order_from_the_front(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill, "PAGE", 3)  # iteration crosses several pages
    items = [("a", 1), ("b", [2, 3]), ("c", {"d": None}), ("e", 4.5), ("f", "g"), ("h", b"i"), ("j", ())]
    queue = Spilled(items)
    assert len(queue) == len(items) and bool(queue)
    assert list(queue) == items and list(queue) == items  # read again: nothing consumed
    assert queue[0] == items[0] and queue[-1] == items[-1] and queue[2:5] == items[2:5]
    assert queue.popleft() == items[0] and queue.popleft() == items[1]
    assert len(queue) == len(items) - 2 and queue[0] == items[2] and list(queue) == items[2:]
    queue.append(("k", 5))
    assert list(queue) == [*items[2:], ("k", 5)]
    with pytest.raises(IndexError):
        queue[len(queue)]
    queue.clear()
    assert not queue and list(queue) == []
    with pytest.raises(IndexError):
        queue.popleft()


def test_an_iteration_sees_the_items_there_when_it_began() -> None:
    queue = Spilled(range(5))
    seen = []
    for item in queue:
        seen.append(item)
        queue.append(item + 100)  # as the build appends outcomes while reporting them
    assert seen == [0, 1, 2, 3, 4] and list(queue) == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]


def test_ordered_reads_by_name_then_as_appended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill, "PAGE", 2)
    words = ["pear", "apple", "fig", "apple", "Zebra", "", "fig", "banana"]
    tagged = list(enumerate(words))
    log = Spilled(tagged, order=lambda pair: pair[1])
    assert list(log.ordered()) == sorted(tagged, key=lambda pair: (pair[1], pair[0]))
    assert list(log) == tagged
    with pytest.raises(TypeError):
        list(Spilled([1]).ordered())


def test_an_outcome_log_lists_by_target_as_the_summary_does() -> None:
    source = Path("source/article.md")
    keys = ["b/es/braille", "a/fr/audio", "a/es/handout", "b/es/audio"]
    log = outcome_log(Outcome(Target(*key.split("/"), source), "built", "", 1.5) for key in keys)
    assert [o.target.key for o in log.ordered()] == sorted(keys)
    assert [o.target.key for o in log] == keys
    first = log[0]
    assert (first.status, first.seconds, first.target.source) == ("built", 1.5, source)


def test_an_empty_one_opens_no_database() -> None:
    nothing = Spilled()
    assert list(nothing) == [] and nothing._db is None  # a small build makes several, most empty


def _resident_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the process's size from /proc")
def test_a_hundred_megabytes_of_items_leave_the_process_its_size() -> None:
    """The items are in SQLite's temporary file; what it keeps in memory (a page cache of
    2 MB) is the same for ten items as for a hundred thousand."""
    item = "x" * 1000
    queue = Spilled([item])
    gc.collect()
    before = _resident_kb()
    for _ in range(100_000):  # 100 MB, were they held
        queue.append(item)
    grown = _resident_kb() - before
    assert len(queue) == 100_001 and queue[-1] == item and queue.popleft() == item
    assert grown < 20_000, f"{grown} KB"
    queue.close()
    assert not queue

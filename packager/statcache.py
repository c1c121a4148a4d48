"""Answers that hold while the files they came from keep their stat, kept across builds.

A no-op build must not read its inputs again, nor ask fontconfig, eSpeak NG or ffmpeg what
they asked last time: an input's digest, a program's version, the fonts fontconfig offers a
language. Each answer is kept with the stat of every file it depends on; any write to one of
them changes its ctime, which no program can set back, so a changed stat asks again. The
engine loads the store from ``build/.cache/inputs.json`` before planning and saves it after.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from packager.project import stat_key

KNOWN = ".cache/inputs.json"
#: key -> [*stat, answer] for a file's digest or a program's version (one file each), or
#: key -> {"files": [[path, stat or None], ...], "answer": ...} for an answer that depends on several.
_known: dict[str, Any] = {}
#: A file changed this recently may change again within the same timestamp tick, its stat
#: unchanged: its answer is used, never kept (the next build asks again).
SETTLED_NS = 2_000_000_000

T = TypeVar("T")


def recall(key: str, stat: list) -> Any:
    """The answer kept for ``key`` at exactly this stat, else None."""
    seen = _known.get(key)
    return seen[-1] if isinstance(seen, list) and seen[:-1] == stat else None


def keep(key: str, stat: list, answer: Any, changed_ns: int) -> None:
    if time.time_ns() - changed_ns > SETTLED_NS:
        _known[key] = [*stat, answer]


def tool_version(name: str, probe: Callable[[], str]) -> str:
    """A program's version as ``probe`` tells it (running it), asked again only when its binary changed."""
    binary = shutil.which(name)
    if binary is None:
        return probe()
    st = os.stat(binary)
    stat = [binary, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    seen = recall(f"tool:{name}", stat)
    if seen is not None:
        return str(seen)
    version = probe()
    keep(f"tool:{name}", stat, version, max(st.st_mtime_ns, st.st_ctime_ns))
    return version


def _stat(path: str) -> list[int] | None:
    try:
        return list(stat_key(os.stat(path)))
    except OSError:
        return None  # missing: its appearance changes the answer too


def remembered(key: str, ask: Callable[[], tuple[T, Iterable[Path | str]]]) -> T:
    """``ask``'s answer (JSON data), kept until a file or folder it names changes, appears or goes.

    ``ask`` returns the answer and what it depends on. A folder's stat changes when an entry
    is added, removed or renamed in it: how a package manager installs or replaces a file.
    """
    seen: Any = _known.get(key)
    if _still_true(seen):
        return seen["answer"]
    answer, files = ask()
    stats: list[tuple[str, list[int] | None]] = [(path, _stat(path)) for path in dict.fromkeys(map(str, files))]
    settled = time.time_ns() - SETTLED_NS
    if all(stat is None or max(stat[1], stat[2]) < settled for _, stat in stats):
        _known[key] = {"files": stats, "answer": answer}
    return answer


def _still_true(seen: Any) -> bool:
    """A kept answer whose files all have the stat they had (a damaged store keeps nothing)."""
    try:
        return "answer" in seen and all(_stat(str(path)) == stat for path, stat in seen["files"])
    except (TypeError, ValueError, KeyError):
        return False


def with_folders(paths: Iterable[Path | str], top: Iterable[Path | str] = ()) -> list[str]:
    """The paths and every folder above them, up to one in ``top`` (else the root): a file added
    beside any of them, or a new folder beside one of theirs, changes one of these folders' stat."""
    tops = {os.path.abspath(folder) for folder in top}
    found: dict[str, None] = {}
    for path in paths:
        current = os.path.abspath(path)
        while current not in found:
            found[current] = None
            parent = os.path.dirname(current)
            if current in tops or parent == current:
                break
            current = parent
    return list(found)


def load(build_dir: Path) -> None:
    """What earlier builds of this project found (nothing if the file is missing or not ours)."""
    _known.clear()
    try:
        data = json.loads((build_dir / KNOWN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict):
        _known.update(data)


def save(build_dir: Path) -> None:
    from packager.atomic import write_if_changed

    data = json.dumps(_known, sort_keys=True, ensure_ascii=False).encode()
    write_if_changed(build_dir / KNOWN, data, tmp_dir=build_dir / ".tmp")


def forget() -> None:
    """A second build in one process must see changes made since the first."""
    _known.clear()

"""Answers that hold while the files they came from keep their stat, kept across builds.

A no-op build must not read its inputs again, nor ask fontconfig, eSpeak NG or ffmpeg what
they asked last time: an input's digest, a program's version, the fonts fontconfig offers a
language. Each answer is kept with the stat of every file it depends on; any write to one of
them changes its ctime, which no program can set back, so a changed stat asks again. A build
keeps them in its folder's store, a row per answer (:func:`load`), so that a library's build
holds none of them: it has one per input file. Elsewhere they are kept in memory.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any, TypeVar

from packager.project import stat_key

#: key -> [*stat, answer] for a file's digest or a program's version (one file each), or
#: key -> {"files": [[path, stat or None], ...], "answer": ...} for an answer that depends on several.
_known: MutableMapping[str, Any] = {}
#: A file changed this recently may change again within the same timestamp tick, its stat
#: unchanged: its answer is used, never kept (the next build asks again).
SETTLED_NS = 2_000_000_000
#: The answers this build used, as kept (``recall``, ``keep``, ``remembered``), and the digests it
#: used but could not keep, too recent: what :func:`proof` writes down for the build journal.
_used: MutableMapping[str, Any] = {}
_racy: dict[str, list] = {}
_unprovable: list[str] = []  # keys of answers used but not kept that no stat can vouch for

T = TypeVar("T")
TOOL = "tool:"


def recall(key: str, stat: list) -> Any:
    """The answer kept for ``key`` at exactly this stat, else None; or one this build found too
    recently to keep (the build holds no other record of it, see engine.inputs.file_digest)."""
    seen = _known.get(key)
    if isinstance(seen, list) and seen[:-1] == stat:
        _used[key] = seen
        return seen[-1]
    seen = _racy.get(key)
    return seen[-1] if seen is not None and seen[:-1] == stat else None


def keep(key: str, stat: list, answer: Any, changed_ns: int) -> None:
    """Keep an answer read from a file at ``stat`` (a file's digest: ``key`` is its path)."""
    if time.time_ns() - changed_ns > SETTLED_NS:
        _known[key] = _used[key] = [*stat, answer]
    elif key.startswith(TOOL):
        _unprovable.append(key)
    else:  # too recent to keep; the journal checks it by content (see ``holds``)
        _racy[key] = [*stat, answer]


def tool_version(name: str, probe: Callable[[], str]) -> str:
    """A program's version as ``probe`` tells it (running it), asked again only when its binary changed."""
    binary = shutil.which(name)
    if binary is None:
        version = probe()
        _used[TOOL + name] = [None, version]  # not on PATH: the journal holds while it is not
        return version
    stat = _tool_stat(binary)
    seen = recall(TOOL + name, stat)
    if seen is not None:
        return str(seen)
    version = probe()
    keep(TOOL + name, stat, version, max(stat[2], stat[3]))
    return version


def file_sha256(path: str) -> str:
    """A file's sha256, read again only when its stat changed (a file outside the project: a
    voice model; the project's inputs go through the bounded reader, see engine.inputs)."""
    key = os.path.abspath(path)
    st = os.stat(key)
    stat = list(stat_key(st))
    seen = recall(key, stat)
    if seen is not None:
        return str(seen)
    digest = sha256_of(key)
    keep(key, stat, digest, max(st.st_mtime_ns, st.st_ctime_ns))
    return digest


def sha256_of(path: str) -> str:
    """A file's sha256, read now."""
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _tool_stat(binary: str) -> list:
    st = os.stat(binary)
    return [binary, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def stat_of(path: str) -> list[int] | None:
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
        _used[key] = seen
        return seen["answer"]
    answer, files = ask()
    stats: list[tuple[str, list[int] | None]] = [(path, stat_of(path)) for path in dict.fromkeys(map(str, files))]
    settled = time.time_ns() - SETTLED_NS
    if all(stat is None or max(stat[1], stat[2]) < settled for _, stat in stats):
        _known[key] = _used[key] = {"files": stats, "answer": answer}
    else:
        _unprovable.append(key)
    return answer


def _still_true(seen: Any) -> bool:
    """A kept answer whose files all have the stat they had (a damaged store keeps nothing)."""
    try:
        return "answer" in seen and all(stat_of(str(path)) == stat for path, stat in seen["files"])
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


def load(known: MutableMapping[str, Any], used: MutableMapping[str, Any]) -> None:
    """Keep answers in ``known`` (what earlier builds found: rows of the build folder's store), and
    the ones this build uses in ``used``, emptied first."""
    global _known, _used
    forget()
    used.clear()
    _known, _used = known, used


def forget() -> None:
    """A second build in one process must see changes made since the first; and what is asked
    outside a build is kept in memory, not in the last build's store."""
    global _known, _used
    _known, _used = {}, {}
    _racy.clear()
    _unprovable.clear()


def proof() -> dict[str, Any] | None:
    """Every answer this build used, with what it was read from, read as it is iterated (rows of
    the store): while :func:`holds` says they all still hold, so does every answer. None when one
    was used that nothing can vouch for."""
    if _unprovable:
        return None
    return {"kept": _used, "racy": _racy}


def holds(proof: Any) -> bool:
    """The answers of :func:`proof` still hold: each file's stat is unchanged (and a program is
    still the one found on PATH); a digest kept from a file changed just before it was read is
    read again, as git does for its "racily clean" entries."""
    try:
        kept = all(kept_holds(key, seen) for key, seen in proof["kept"].items())
        return kept and all(racy_holds(path, seen) for path, seen in proof["racy"].items())
    except (OSError, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return False


def kept_holds(key: str, seen: Any) -> bool:
    """One kept answer of :func:`proof` still holds (raises on what is not one)."""
    if isinstance(seen, dict):
        return _still_true(seen)
    if key.startswith(TOOL):
        binary = shutil.which(key[len(TOOL) :])
        return binary == seen[0] and (binary is None or _tool_stat(binary) == seen[:-1])
    return stat_of(key) == seen[:-1]


def racy_holds(path: str, seen: Any) -> bool:
    """One digest of :func:`proof` kept from a file changed just before it was read: read again."""
    return stat_of(path) == seen[:-1] and sha256_of(path) == seen[-1]

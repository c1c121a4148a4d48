"""Write files so that a crash never leaves half a file where a good one was."""

from __future__ import annotations

import filecmp
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def atomic_write(path: Path, data: bytes, tmp_dir: Path | None = None, durable: bool = True) -> None:
    """Write to a temporary file, then rename it into place.

    ``tmp_dir`` (on the same file system) keeps temporaries out of the output
    folder, so that even a SIGKILL leaves nothing half-written beside the outputs.
    ``durable=False`` skips the fsync, for files that are checked when read (cache
    entries, which end with their digest): after a power cut such a file may be empty
    or short, never half of an old one, and a check that fails makes it again.
    """
    _replace(path, [data], tmp_dir, durable)


#: Characters of text encoded and written at a time by :func:`atomic_stream`.
BLOCK = 1 << 16


def atomic_stream(
    path: Path, texts: Iterable[str], tmp_dir: Path | None = None, durable: bool = True, if_changed: bool = False
) -> bool:
    """:func:`atomic_write` of text (UTF-8) piece by piece, for a file too big to hold whole in
    memory (a library's manifest). ``if_changed``: the old file stays, untouched, if it holds
    the same text (compared block by block). Returns whether the file was written."""

    def blocks() -> Iterator[bytes]:
        pending: list[str] = []
        size = 0
        for text in texts:
            pending.append(text)
            size += len(text)
            if size >= BLOCK:
                yield "".join(pending).encode()
                pending, size = [], 0
        yield "".join(pending).encode()

    return _replace(path, blocks(), tmp_dir, durable, if_changed)


def _replace(
    path: Path, blocks: Iterable[bytes], tmp_dir: Path | None, durable: bool, if_changed: bool = False
) -> bool:
    """Write ``blocks`` to a temporary file, then rename it to ``path`` (unless ``if_changed`` and
    they are what ``path`` holds); on any error, delete it and leave ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for block in blocks:
                handle.write(block)
            handle.flush()
            if if_changed and path.is_file() and filecmp.cmp(tmp, path, shallow=False):
                Path(tmp).unlink()
                return False
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_if_changed(path: Path, data: bytes, tmp_dir: Path | None = None) -> bool:
    """Atomically write ``data`` unless the file already holds exactly it."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    atomic_write(path, data, tmp_dir)
    return True

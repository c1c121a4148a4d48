"""Write files so that a crash never leaves half a file where a good one was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, tmp_dir: Path | None = None, durable: bool = True) -> None:
    """Write to a temporary file, then rename it into place.

    ``tmp_dir`` (on the same file system) keeps temporaries out of the output
    folder, so that even a SIGKILL leaves nothing half-written beside the outputs.
    ``durable=False`` skips the fsync, for files that are checked when read (cache
    entries, which end with their digest): after a power cut such a file may be empty
    or short, never half of an old one, and a check that fails makes it again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes, tmp_dir: Path | None = None) -> bool:
    """Atomically write ``data`` unless the file already holds exactly it."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    atomic_write(path, data, tmp_dir)
    return True

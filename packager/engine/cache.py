"""A shared cache of built targets by input hash, so any machine reuses what any other made.

A target's outputs are a pure function of its inputs, hashed into its digest, so the digest
names them wherever they were made: ``<cache>/<digest[:2]>/<digest>.zip`` holds the files
(by their path in build/) and their manifest entries. The build (client) looks there before
it runs a target and stores what it built after; workers never touch it. The cache is a
folder or any fsspec URL (``file://``, ``s3://``, ``gcs://``...); each entry is written under
a temporary name and moved into place, and checked by its files' sha256 when read, so a
half-written or damaged entry is a miss, never a wrong output.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

from packager.errors import PackagerError

ENTRIES = "outputs.json"


class SharedCache:
    def __init__(self, url: str):
        try:
            from fsspec.core import url_to_fs
        except ImportError:
            raise PackagerError("a shared cache needs fsspec: pip install 'packager[distributed]'") from None
        try:
            self.fs, self.root = url_to_fs(url)
        except (ImportError, ValueError) as exc:  # s3:// without s3fs, an unknown protocol
            raise PackagerError(f"cannot use the shared cache {url}: {exc}") from None
        self.root = self.root.rstrip("/")

    def _path(self, digest: str) -> str:
        return f"{self.root}/{digest[:2]}/{digest}.zip"

    def get(self, digest: str) -> tuple[list[dict[str, Any]], dict[str, bytes]] | None:
        """The manifest entries and the files (by path in build/) built from ``digest``; None when absent or bad."""
        try:
            data = self.fs.cat_file(self._path(digest))
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = json.loads(archive.read(ENTRIES))
                files = {e["path"]: archive.read(e["path"]) for e in entries}
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
            return None
        for entry in entries:
            if entry.get("inputs") != digest or hashlib.sha256(files[entry["path"]]).hexdigest() != entry["sha256"]:
                return None
        return entries, files

    def put(self, digest: str, entries: list[dict[str, Any]], read: Callable[[str], bytes]) -> None:
        """Store a built target: its manifest entries, and each file as ``read(path)`` gives it."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs and MP3s are compressed already
            for entry in entries:
                archive.writestr(entry["path"], read(entry["path"]))
            archive.writestr(ENTRIES, json.dumps(entries, ensure_ascii=False))
        path = self._path(digest)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        temporary = f"{path}.{uuid.uuid4().hex}.tmp"
        self.fs.pipe_file(temporary, buffer.getvalue())
        self.fs.mv(temporary, path)

"""Fast checks of the output check's memory (engine/manifest.py): an output is read again only
when its stat changed; what a build writes and records is trusted until then; the memory is
kept in the store (build/.cache/manifest.sqlite) between runs and a damaged one is made anew.

Reads are counted at ``hashlib.file_digest``; expected digests are computed here from the bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from packager.engine import manifest
from packager.engine import store as store_module
from packager.engine.store import STORE


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each output read (hashed) by the manifest module, by name; a fresh memory, as in a new process."""
    seen: list[str] = []
    real = hashlib.file_digest

    def counting(handle, digest):  # type: ignore[no-untyped-def]
        seen.append(Path(handle.name).name)
        return real(handle, digest)

    monkeypatch.setattr(manifest.hashlib, "file_digest", counting)
    monkeypatch.setattr(store_module, "_held", {})
    return seen


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_output_is_read_once_until_its_stat_changes(tmp_path: Path, reads: list[str]) -> None:
    out = tmp_path / "t.pdf"
    out.write_bytes(b"pdf one")
    assert manifest.output_sha256(out, tmp_path) == sha(b"pdf one")
    assert manifest.output_sha256(out, tmp_path) == sha(b"pdf one")
    assert reads == ["t.pdf"]
    before = out.stat()
    out.write_bytes(b"pdf two")  # the same size, and the old times put back: only ctime tells
    os.utime(out, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert manifest.output_sha256(out, tmp_path) == sha(b"pdf two")
    assert reads == ["t.pdf", "t.pdf"]


def test_what_a_build_wrote_is_trusted_with_the_digest_it_wrote(tmp_path: Path, reads: list[str]) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "t.pdf").write_bytes(b"pdf")
    written = [{"path": "es/t.pdf", "sha256": sha(b"pdf")}, {"path": "gone.pdf", "sha256": "x"}]
    manifest.remember_outputs(tmp_path, written)
    entry = {"inputs": "d", "outputs": [{"path": "es/t.pdf", "sha256": sha(b"pdf")}]}
    assert manifest.is_fresh(entry, "d", tmp_path) and reads == []
    assert "gone.pdf" not in manifest._known(tmp_path)  # an output that is not there is not remembered
    (tmp_path / "gone.pdf").write_bytes(b"new")
    manifest.remember_outputs(tmp_path, [{"path": "gone.pdf", "sha256": sha(b"new")}])
    assert manifest._known(tmp_path)["gone.pdf"][-1] == sha(b"new")
    (tmp_path / "gone.pdf").unlink()  # written, then removed before it was recorded: forgotten
    manifest.remember_outputs(tmp_path, [{"path": "gone.pdf", "sha256": sha(b"new")}])
    assert "gone.pdf" not in manifest._known(tmp_path)


def test_the_memory_is_kept_between_runs_and_a_damaged_one_is_empty(tmp_path: Path, reads: list[str]) -> None:
    out = tmp_path / "t.pdf"
    out.write_bytes(b"pdf")
    (tmp_path / "b.pdf").write_bytes(b"b")
    manifest.output_sha256(out, tmp_path)
    manifest.output_sha256(tmp_path / "b.pdf", tmp_path)
    store_module.let_go(tmp_path)  # the build ends: what it hashed is on disk already
    store = tmp_path / STORE
    with sqlite3.connect(store) as db:  # read as another program would
        saved = dict(db.execute("SELECT key, value FROM verified ORDER BY key"))
    assert list(saved) == ["b.pdf", "t.pdf"] and json.loads(saved["t.pdf"])[-1] == sha(b"pdf")
    store_module.let_go(tmp_path)  # the next run
    assert manifest.output_sha256(out, tmp_path) == sha(b"pdf") and reads == ["t.pdf", "b.pdf"]
    for damaged in (b"not a database", b"SQLite format 3\x00" + b"\xff" * 200):
        store_module.let_go(tmp_path)
        for leftover in store.parent.glob(store.name + "*"):
            leftover.write_bytes(damaged)
        assert manifest.output_sha256(out, tmp_path) == sha(b"pdf")
    assert reads == ["t.pdf", "b.pdf", "t.pdf", "t.pdf"]


def test_the_manifest_is_indented_json_with_every_formats_shared_files_sorted(tmp_path: Path) -> None:
    """People read build/manifest.json too: two-space indents; the files a format writes for all
    its targets (the site's home page) under "shared", by format."""
    site = [{"path": "index.html", "sha256": sha(b"home")}]
    state = {"targets": {}, "locales": {}, "failures": {}, "shared": {"site": site, "audio": []}}
    manifest.write_manifest(tmp_path, state)
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert text.startswith('{\n  "version": 1,\n  "packager": ')
    shared = json.loads(text)["shared"]
    assert list(shared) == ["audio", "site"] and shared["site"] == site

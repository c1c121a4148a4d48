"""Fault injection on every write path: a write or a rename that fails part-way, a full disk,
a build killed while a file is being written. The old output stays intact and no partial or
temporary file is left where staff print from."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from packager import atomic
from tests.conftest import REPO, SLUG, copy_project

GOOD = b"the good handout"


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name.endswith(".tmp")]


def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out" / "handout.pdf"
    target.parent.mkdir()
    target.write_bytes(GOOD)

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="I/O error"):
        atomic.atomic_write(target, b"new and broken")
    assert target.read_bytes() == GOOD and _leftovers(tmp_path) == []


def test_a_full_disk_part_way_through_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "handout.pdf"
    target.write_bytes(GOOD)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])  # half of it reaches the disk
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="No space left"):
        atomic.atomic_write(target, b"x" * 10_000)
    assert target.read_bytes() == GOOD and _leftovers(tmp_path) == []


def test_a_full_disk_while_writing_the_manifest_is_a_one_line_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    code = (
        "import errno, sys\nfrom packager import atomic\nfrom packager.cli import main\n"
        "real = atomic._replace\n"  # every atomic write, whole or piece by piece
        "def full(path, blocks, *args):\n"
        "    if path.name == 'manifest.json':\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device', str(path))\n"
        "    return real(path, blocks, *args)\n"
        "atomic._replace = full\n"
        f"sys.exit(main(['-C', {str(root)!r}, 'build', '--locale', 'en', '--format', 'handout', '-q']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().endswith("cannot write the build folder: No space left on device")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


RUN = "import sys, tests.fault_format\nfrom packager.cli import main\nsys.exit(main(sys.argv[1:]))\n"


@pytest.mark.slow
def test_a_build_killed_while_a_file_is_being_written_leaves_the_old_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    args = [sys.executable, "-c", RUN, "-C", str(root), "build", "--locale", "en", "--format", "slow", "-q"]
    first = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, env={**os.environ, "PACKAGER_TEST_GENERATION": "one"}
    )
    assert first.returncode == 0, first.stderr
    output = root / "build" / "en" / f"{SLUG}.slow.txt"
    good = output.read_bytes()
    paused = tmp_path / "paused"
    env = {**os.environ, "PACKAGER_TEST_GENERATION": "two", "PACKAGER_TEST_PAUSED": str(paused)}
    build = subprocess.Popen(args, cwd=REPO, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not paused.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert paused.exists(), "the worker never reached the rename"
    temporary = Path(paused.read_text())
    assert temporary.is_file() and temporary.stat().st_size > 0  # the new file is written, not yet in place
    build.send_signal(signal.SIGKILL)
    build.wait()
    time.sleep(2)  # the watchdog ends the worker
    assert output.read_bytes() == good, "the old output must stay intact"
    assert not any(p.name.endswith(".slow.txt") for p in (root / "build" / "en").iterdir() if p != output)
    again = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, env={**os.environ, "PACKAGER_TEST_GENERATION": "two"}
    )
    assert again.returncode == 0, again.stderr
    assert _leftovers(root / "build") == [] and output.read_bytes().startswith(b"two\n")
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    entry = next(o for o in manifest["outputs"] if o["path"] == f"en/{SLUG}.slow.txt")
    assert entry["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()

"""The manifest of a big library: what planning against it and writing it cost, kept in rows
(``packager.engine.store``) against read whole from manifest.json as before.

A library of 500 articles x 30 locales x 6 formats is 90,000 targets: a manifest of a few hundred
MB, more than a synthetic library can be built to on one machine. Each figure is measured in a
fresh process, its peak resident memory (``VmHWM``) less what it held before the manifest.

    .venv/bin/python benchmarks/manifest_benchmark.py [--targets 9000,90000]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"handout": 1, "large-print": 1, "braille": 2, "epub": 1, "site": 3, "audio": 9}  # files each makes


def entry(n: int, fmt: str) -> dict[str, Any]:
    """A target's manifest entry shaped as a real build writes it (the audio's chapters and
    sections as separate files, as build/manifest.json of the shipped article lists them)."""
    slug, locale = f"article-{n // 30:04d}", f"l{n % 30:02d}"
    digest = f"{n:064x}"
    outputs = [
        {
            "path": f"{locale}/{slug}/{fmt}-{k}.bin",
            "article": slug,
            "locale": locale,
            "format": fmt,
            "main": k == 0,
            "article_version": "1.2.0",
            "draft": False,
            "translation": {"state": "current", "version": "1.2.0", "source_version": "1.2.0"},
            "size": 1000 + n,
            "sha256": digest,
            "inputs": digest,
        }
        for k in range(FORMATS[fmt])
    ]
    return {"inputs": digest, "outputs": outputs}


def make(folder: Path, targets: int) -> int:
    """A build folder with a manifest of this many targets, written as a build writes it."""
    from packager.engine.manifest import open_manifest, write_manifest

    manifest = open_manifest(folder)
    names = list(FORMATS)
    keys = (f"article-{n // 6 // 30:04d}/l{n // 6 % 30:02d}/{names[n % 6]}" for n in range(targets))
    manifest["targets"].update((key, entry(n // 6, names[n % 6])) for n, key in enumerate(keys))
    write_manifest(folder, manifest)
    return (folder / "manifest.json").stat().st_size


def measure(folder: str, how: str) -> dict[str, float]:
    """In this process: plan against the manifest (every entry looked at), record one target, write it."""

    def hwm() -> int:
        found = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
        return int(found.group(1)) if found else 0

    from packager.engine import manifest as module

    before, started = hwm(), time.perf_counter()
    build = Path(folder)
    manifest = module._load(build) if how == "whole" else module.open_manifest(build)
    outputs = sum(len(value["outputs"]) for value in manifest["targets"].values())
    key = next(iter(manifest["targets"]))
    manifest["targets"][key] = {"inputs": "changed", "outputs": []}
    module.write_manifest(build, manifest)
    return {"seconds": time.perf_counter() - started, "peak_mb": (hwm() - before) / 1024, "outputs": outputs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="9000,90000", help="comma-separated sizes")
    args = parser.parse_args()
    print(f"{'targets':>8} {'manifest MB':>12} {'how':>6} {'seconds':>8} {'peak MB':>8}")
    for targets in map(int, args.targets.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            size = make(Path(tmp), targets)
            figures = {}
            for how in ("rows", "whole"):  # rows first: "whole" leaves a manifest the store did not write
                code = (
                    f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.manifest_benchmark"
                    f" import measure; print(json.dumps(measure({tmp!r}, {how!r})))"
                )
                out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
                got = figures[how] = json.loads(out)
                print(f"{targets:>8} {size / 1e6:>12.1f} {how:>6} {got['seconds']:>8.2f} {got['peak_mb']:>8.1f}")
            rows, whole = figures["rows"], figures["whole"]
            memory, seconds = rows["peak_mb"] / max(whole["peak_mb"], 0.1), rows["seconds"] / whole["seconds"]
            print(f"{'':>8} rows / whole: peak memory {memory:.3f}, time {seconds:.2f}")


if __name__ == "__main__":
    main()

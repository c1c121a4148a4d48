"""The build journal: a build that has nothing to do, known from stats alone, without planning.

Planning parses every article and catalog and hashes every input; most of what a no-op
build of the shipped project costs is importing the parser, the checks and CLDR for it. A
build that ends with every target up to date or built leaves a journal
(``build/.cache/journal.jsonl``): its request, the stat of everything its answer rests on,
and its targets. The next build of the same request stats those files again (a few hundred
``stat`` calls); when none changed, appeared or went, it reports the same targets up to date
without importing the planner. Anything else plans as usual.

What the answer rests on, stat'ed before planning read any of it:

- the project's folders (an added catalog or article) and ``packager.yaml``;
- every input the targets hashed and every answer :mod:`packager.statcache` gave (programs'
  versions, fontconfig's fonts, eSpeak NG's voices, liblouis's tables), as it used them;
- packager's own files, and the folders Python imports from (an upgraded library);
- the environment and the command's options;

and, as the build left them, the outputs, the manifest and the index. A file changed less
than :data:`~packager.statcache.SETTLED_NS` before it was stat'ed could change again with
the same stat: its content is read again (git's "racily clean" entries), or, for code and
programs, no journal is kept.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager import statcache
from packager.engine.spill import Spilled
from packager.engine.targets import Outcome, Target, outcome_log
from packager.project import SETTINGS_FILE, Project, read_digest, stat_key

JOURNAL = ".cache/journal.jsonl"
FORMAT = 2
#: Variables a shell changes between two commands and no build reads; every other one counts.
SHELL_ONLY = frozenset({"OLDPWD", "PWD", "SHLVL", "_", "COLUMNS", "LINES"})


def request(project: Project, locales: list[str] | None, formats: list[str] | None) -> str:
    """The build asked for, in the environment it is asked in."""
    from packager.builders import FORMATS

    env = {name: value for name, value in os.environ.items() if name not in SHELL_ONLY}
    payload = {
        "format": FORMAT,
        "root": str(project.root),
        "locales": sorted(locales) if locales else None,
        "formats": [repr(FORMATS.get(name)) for name in sorted(formats or FORMATS)],  # as registered now
        "settings": repr(project.settings.build),  # --scheduler and --cache override the file's
        "python": [sys.executable, *sys.path],
        "env": env,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class Snapshot:
    """The stat of what a build's answer rests on, taken before planning: path -> [*stat, check],
    where check is None, a racy file's sha256 or a racy folder's sorted entries."""

    taken_ns: int = field(default_factory=time.time_ns)
    paths: dict[str, list[Any] | None] = field(default_factory=dict)
    provable: bool = True

    def add(self, path: str, *, code: bool = False) -> None:
        try:
            st = os.stat(path)
        except OSError:
            self.paths[path] = None  # its appearance changes the answer
            return
        check: Any = None
        if max(st.st_mtime_ns, st.st_ctime_ns) > self.taken_ns - statcache.SETTLED_NS:
            if code:  # being edited: nothing to vouch for what Python imported
                self.provable = False
            check = sorted(os.listdir(path)) if os.path.isdir(path) else statcache.sha256_of(path)
        self.paths[path] = [*stat_key(st), check]


def snapshot(project: Project) -> Snapshot:
    """Stat the project's folders and settings, packager's files and Python's import folders;
    the last journal goes (a build that stops midway leaves none)."""
    import packager

    (project.build_dir / JOURNAL).unlink(missing_ok=True)
    taken = Snapshot()
    taken.add(str(project.root))
    settings = project.root / SETTINGS_FILE
    taken.add(str(settings))
    if settings.exists():
        read = read_digest(settings)  # the sha256 of what load_project read, if it still has that stat
        seen = taken.paths[str(settings)]
        if read is None or (seen is not None and seen[-1] is not None and seen[-1] != read):
            taken.provable = False
    for top in (project.source_dir, project.locales_dir):
        for folder, _dirs, _files in os.walk(top):
            taken.add(folder)
    for folder, dirs, files in os.walk(Path(packager.__file__).parent):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in [*dirs, *files]:
            taken.add(os.path.join(folder, name), code=True)
    import site

    # The installed libraries' folders (not the one ``python -m`` was run in): pip adds or removes one of
    # their entries (``*.dist-info``) for every package it installs, upgrades or removes.
    libraries = (sys.prefix, sys.base_prefix, *([site.getusersitepackages()] if site.ENABLE_USER_SITE else []))
    for folder in sys.path:
        if folder.startswith(libraries) and os.path.isdir(folder):
            taken.add(folder, code=True)
    return taken


def record(project: Project, asked: str, taken: Snapshot, outcomes: Spilled[Outcome], manifest: dict[str, Any]) -> None:
    """Keep the journal of a build that left every target up to date; else drop the last one.
    ``manifest``: the build's, which lists every target's files and, under ``shared``, the files
    of no one target (the site's home page).

    A line per file, answer and target, written as they are stat'ed and read back one at a
    time (:func:`replay`): a library's journal is never held whole."""
    path = project.build_dir / JOURNAL
    answers = statcache.proof()
    if not taken.provable or answers is None or any(o.status not in ("up to date", "built") for o in outcomes):
        path.unlink(missing_ok=True)
        return
    from packager.atomic import atomic_stream
    from packager.engine.manifest import MANIFEST

    shared = manifest.get("shared", {}).values()
    common = [entry for entries in shared for entry in entries] + [{"path": MANIFEST}, {"path": "index.html"}]
    listed = (out for o in outcomes for out in manifest["targets"].get(o.target.key, {}).get("outputs", []))

    def lines() -> Iterator[str]:
        yield json.dumps({"format": FORMAT, "request": asked}) + "\n"
        for where, seen in taken.paths.items():
            yield _line("path", where, seen)
        for out in itertools.chain(listed, common):
            where = str(project.build_dir / out["path"])
            try:
                seen = [*stat_key(os.stat(where)), None]  # written by this build: trusted, as manifest does
            except OSError:
                seen = None
            yield _line("path", where, seen)
        for kind in ("kept", "racy"):
            for key, answer in answers[kind].items():
                yield _line(kind, key, answer)
        for o in outcomes:
            yield _line("target", o.target.key, str(o.target.source))

    atomic_stream(path, lines(), tmp_dir=project.build_dir / ".tmp", durable=False)


def _line(kind: str, key: str, value: Any) -> str:
    return json.dumps([kind, key, value], ensure_ascii=False) + "\n"


def replay(project: Project, locales: list[str] | None, formats: list[str] | None) -> Spilled[Outcome] | None:
    """The outcomes of the last build, all up to date, if it left a journal that still holds."""
    checks = {"path": _unchanged, "kept": statcache.kept_holds, "racy": statcache.racy_holds}
    try:
        handle = (project.build_dir / JOURNAL).open(encoding="utf-8")
    except OSError:
        return None
    with handle, _unless_building(project.build_dir) as free:
        try:
            header = json.loads(handle.readline())
            if not free or header["format"] != FORMAT or header["request"] != request(project, locales, formats):
                return None
            outcomes = outcome_log()
            for line in handle:
                kind, key, seen = json.loads(line)
                if kind == "target":  # all in the manifest, which is unchanged: its files are there
                    slug, locale, fmt = key.rsplit("/", 2)
                    outcomes.append(Outcome(Target(slug, locale, fmt, Path(seen)), "up to date"))
                elif not checks[kind](key, seen):
                    return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            return None
    return outcomes


def _unchanged(path: str, seen: list[Any] | None) -> bool:
    now = statcache.stat_of(path)
    if now is None or seen is None:
        return now is None and seen is None
    if now != seen[:-1]:
        return False
    check = seen[-1]
    if check is None:
        return True
    return sorted(os.listdir(path)) == check if isinstance(check, list) else statcache.sha256_of(path) == check


@contextmanager
def _unless_building(build_dir: Path) -> Iterator[bool]:
    """True while no build holds the lock (filelock's: ``flock`` on ``build/.lock``); held meanwhile."""
    import fcntl

    try:
        fd = os.open(build_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

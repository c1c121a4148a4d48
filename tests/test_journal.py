"""The build journal (packager/engine/journal.py): a build with nothing to do is known from stats
without planning, and any change to what the last build rested on plans again.

The oracle for "nothing to do" is the planner itself: a build after the journal is removed
must report exactly what the journal's replay reported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from packager import statcache
from packager.engine import journal
from tests.conftest import SLUG, run_packager

LOCALE = "es"
BUILD = ("build", "--json", "--locale", LOCALE, "--format", "handout")
PLANNER = "packager.engine.plan"  # imported by any build that plans


def _build(root: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[dict[str, str], bool]:
    """Each target's status, and whether the build imported the planner."""
    # Every variable counts; pytest's own changes between a fixture and its test.
    fixed = {"PYTHONPROFILEIMPORTTIME": "1", "PYTEST_CURRENT_TEST": ""}
    result = run_packager("-C", str(root), *BUILD, *extra, env={**fixed, **(env or {})})
    assert result.returncode == 0, result.stderr[-2000:]
    planned = any(line.split("|")[-1].strip() == PLANNER for line in result.stderr.splitlines())
    return {t["target"]: t["status"] for t in json.loads(result.stdout)}, planned


def _json(root: Path) -> list[dict]:
    result = run_packager("-C", str(root), *BUILD, env={"PYTEST_CURRENT_TEST": ""})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture
def built(fresh_project: Path) -> Path:
    """The project built once (its files copied just now: racy, so the journal checks them by content)."""
    statuses, planned = _build(fresh_project)
    assert planned and set(statuses.values()) == {"built"}
    assert (fresh_project / "build" / journal.JOURNAL).is_file()
    return fresh_project


def test_a_build_with_nothing_changed_does_not_plan_and_says_what_planning_says(built: Path) -> None:
    statuses, planned = _build(built)
    assert not planned
    assert set(statuses.values()) == {"up to date"} and len(statuses) == 1
    replayed = _json(built)
    (built / "build" / journal.JOURNAL).unlink()
    assert _json(built) == replayed  # the planner's own answer, outputs included


def _edit_catalog(root: Path) -> None:
    po = root / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po"
    text = po.read_text(encoding="utf-8")
    at = re.search(r'^msgstr "[a-z]', text, re.MULTILINE)
    assert at is not None
    letter = "x" if text[at.end() - 1] != "x" else "y"
    po.write_text(text[: at.end() - 1] + letter + text[at.end() :], encoding="utf-8")  # one letter: same size


def _touch_catalog(root: Path) -> None:
    po = root / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po"
    po.write_bytes(po.read_bytes())  # the same bytes: a new stat


def _delete_output(root: Path) -> None:
    (root / "build" / LOCALE / f"{SLUG}.pdf").unlink()


def _overwrite_output(root: Path) -> None:
    pdf = root / "build" / LOCALE / f"{SLUG}.pdf"
    data = pdf.read_bytes()
    assert data.endswith(b"%%EOF\n")
    pdf.write_bytes(data[:-2] + b"X\n")  # the same size


def _add_settings(root: Path) -> None:
    (root / "packager.yaml").unlink(missing_ok=True)
    (root / "packager.yaml").write_text("paper_size: Letter\n", encoding="utf-8")


def _add_catalog_folder(root: Path) -> None:
    (root / "locales" / "notes").mkdir()


CHANGES = {  # what changed -> (the change, the status the planner then gives)
    "a translation edited": (_edit_catalog, "built"),
    "a catalog rewritten unchanged": (_touch_catalog, "up to date"),
    "an output deleted": (_delete_output, "built"),
    "an output overwritten": (_overwrite_output, "built"),
    "the settings changed": (_add_settings, "built"),
    "a folder added to locales": (_add_catalog_folder, "up to date"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_plans_again(built: Path, change: str) -> None:
    make, expected = CHANGES[change]
    make(built)
    statuses, planned = _build(built)
    assert planned and set(statuses.values()) == {expected}
    assert _build(built) == ({target: "up to date" for target in statuses}, False)  # and journals that


def test_another_environment_or_request_plans_again(built: Path) -> None:
    statuses, planned = _build(built, env={"SOURCE_DATE_EPOCH": "1767225600"})  # it dates the PDF
    assert planned and set(statuses.values()) == {"built"}
    assert _build(built, "--format", "large-print")[1]


def test_a_build_with_a_failure_leaves_no_journal(built: Path) -> None:
    po = built / "locales" / LOCALE / "LC_MESSAGES" / f"{SLUG}.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    for _ in range(2):
        result = run_packager("-C", str(built), *BUILD)
        assert result.returncode == 1 and f"{LOCALE}/LC_MESSAGES/{SLUG}.po" in result.stderr
        assert not (built / "build" / journal.JOURNAL).exists()


def test_a_build_holding_the_lock_is_waited_for_not_replayed(built: Path) -> None:
    from filelock import FileLock

    from packager.engine.run import build
    from packager.project import load_project

    project = load_project(built)
    build(project, [LOCALE], ["handout"])  # journaled for this process's request
    assert [o.status for o in journal.replay(project, [LOCALE], ["handout"]) or []] == ["up to date"]
    with FileLock(str(built / "build" / ".lock")):  # the lock `packager build` takes
        assert journal.replay(project, [LOCALE], ["handout"]) is None


def test_a_racy_file_is_checked_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written less than two seconds before it was stat'ed can be written again within the
    same timestamp tick, its stat unchanged: the journal reads it again."""
    path = tmp_path / "fr.po"
    path.write_text('msgstr "un"\n', encoding="utf-8")
    taken = journal.Snapshot()
    taken.add(str(path))
    seen = taken.paths[str(path)]
    assert seen is not None and seen[-1] is not None and taken.provable
    assert journal._unchanged(str(path), seen)
    old = os.stat(path)
    path.write_text('msgstr "du"\n', encoding="utf-8")  # the same size
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: old if str(p) == str(path) else real_stat(p, *a, **k))
    assert os.stat(path) == old and not journal._unchanged(str(path), seen)


def test_code_changed_just_now_keeps_no_journal(tmp_path: Path) -> None:
    fresh = tmp_path / "new.py"
    fresh.write_text("", encoding="utf-8")
    taken = journal.Snapshot()
    taken.add(str(tmp_path / "missing.py"), code=True)
    assert taken.provable and taken.paths[str(tmp_path / "missing.py")] is None
    taken.add(str(fresh), code=True)
    assert not taken.provable


def test_answers_hold_until_a_program_is_replaced_or_appears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))  # written just now, counted as settled
    statcache.forget()
    assert statcache.tool_version("ffmpeg", lambda: "ffmpeg missing") == "ffmpeg missing"
    tool = bin_dir / "espeak-ng"
    tool.write_text("#!/bin/sh\necho 1.51\n", encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    assert statcache.tool_version("espeak-ng", lambda: "eSpeak NG 1.51") == "eSpeak NG 1.51"
    proof = statcache.proof()
    assert proof is not None and statcache.holds(proof)
    (bin_dir / "ffmpeg").write_bytes(tool.read_bytes())  # a program that was missing is installed
    (bin_dir / "ffmpeg").chmod(0o755)
    assert not statcache.holds(proof)
    (bin_dir / "ffmpeg").unlink()
    assert statcache.holds(proof)
    shutil.copy(tool, tmp_path / "new")
    os.replace(tmp_path / "new", tool)  # replaced, as a package upgrade does
    assert not statcache.holds(proof)
    statcache.forget()


def test_an_answer_used_too_soon_to_keep_leaves_no_proof(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statcache.forget()
    config = tmp_path / "fonts.conf"
    config.write_text("<fontconfig/>", encoding="utf-8")
    assert statcache.remembered("fonts", lambda: ("answer", [config])) == "answer"
    assert statcache.proof() is None
    statcache.forget()
    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))
    statcache.remembered("fonts", lambda: ("answer", [config]))
    proof = statcache.proof()
    assert proof is not None and statcache.holds(proof)
    config.write_text("<fontconfig></fontconfig>", encoding="utf-8")
    assert not statcache.holds(proof)
    statcache.forget()


def test_a_library_installed_or_upgraded_is_noticed(
    fresh_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip adds or removes a ``*.dist-info`` folder in site-packages for every package it installs,
    upgrades or removes: the folder's stat changes."""
    import sys

    from packager.project import load_project

    library, elsewhere = tmp_path / "venv" / "site-packages", tmp_path / "elsewhere"  # python -m's folder
    library.mkdir(parents=True)
    elsewhere.mkdir()
    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))  # made just now, counted as settled
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    monkeypatch.setattr(sys, "path", [str(elsewhere), str(library), *sys.path])
    taken = journal.snapshot(load_project(fresh_project))
    assert taken.provable and str(library) in taken.paths and str(elsewhere) not in taken.paths
    assert journal._unchanged(str(library), taken.paths[str(library)])
    (library / "weasyprint-99.0.dist-info").mkdir()
    assert not journal._unchanged(str(library), taken.paths[str(library)])


def test_the_journal_is_read_a_line_at_a_time(fresh_project: Path) -> None:
    """A library's journal (a line per input, output and target: megabytes) is never held whole."""
    import tracemalloc

    from packager.engine import build
    from packager.project import load_project

    project = load_project(fresh_project)
    built = build(project, [LOCALE], ["braille"])
    path = fresh_project / "build" / journal.JOURNAL
    header, first, *rest = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert json.loads(first)[0] == "path"
    path.write_text(header + first * 40_000 + "".join(rest), encoding="utf-8")  # as many files as a library's
    size = path.stat().st_size
    tracemalloc.start()
    try:
        replayed = journal.replay(project, [LOCALE], ["braille"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert replayed is not None and [o.target for o in replayed] == [o.target for o in built]
    assert size > 4_000_000 and peak < size / 10, (peak, size)

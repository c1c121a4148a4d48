"""A build translates its stale locales as its workers need work (packager/engine/run.py):
a big library holds a few translated articles at a time, not all of them, and a small
project is translated first so its longest kind of target starts first everywhere.
"""

from __future__ import annotations

import os
import shutil
import weakref
from pathlib import Path

import pytest

import packager.engine.plan as planning
import packager.engine.run as running
from benchmarks.library import make_library
from packager.document import Article
from packager.engine.run import build
from packager.engine.targets import Event
from packager.project import load_project


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return make_library(tmp_path / "library", articles=4, locales=3, sections=1)


def _watch_translations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many translated articles are alive each time another is made."""
    alive: list[weakref.ref[Article]] = []
    counts: list[int] = []
    check = planning.localize_checked

    def checked(project, article, locale):  # type: ignore[no-untyped-def]
        localized, accepted = check(project, article, locale)
        alive.append(weakref.ref(localized))
        counts.append(sum(ref() is not None for ref in alive))
        return localized, accepted

    monkeypatch.setattr(planning, "localize_checked", checked)
    return counts


@pytest.mark.parametrize("ahead", [1, 64])
def test_a_build_holds_only_the_translations_its_workers_are_about_to_need(
    library: Path, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    """With room for one worker's work ahead, at most two locales are held translated at a time
    (one running, one waiting); with room for every locale, all twelve are held, as before."""
    counts = _watch_translations(monkeypatch)
    monkeypatch.setattr(running, "TRANSLATED_AHEAD", ahead)
    outcomes = build(load_project(library), None, ["braille"], jobs=1)
    units = 4 * 3
    assert len(outcomes) == units and {o.status for o in outcomes} == {"built"}
    assert len(counts) == units  # each locale translated once
    if ahead >= units:
        assert max(counts) == units
    else:
        assert max(counts) <= 2 * 1 + 1  # two for the one slot, and the one just made


def test_a_small_project_runs_each_kind_of_target_everywhere_before_the_next_kind(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve locales fit in TRANSLATED_AHEAD: all are translated first, then one worker takes the
    handouts (the longer kind) of every locale before any braille; holding two at a time interleaves them."""
    finished: list[str] = []

    def report(event: Event) -> None:
        if event.kind == "finished" and event.outcome is not None:
            finished.append(event.outcome.target.format)

    build(load_project(library), None, ["braille", "handout"], jobs=1, report=report)
    assert finished == ["handout"] * 12 + ["braille"] * 12
    (library / "build").rename(library / "first")
    finished.clear()
    monkeypatch.setattr(running, "TRANSLATED_AHEAD", 1)
    build(load_project(library), None, ["braille", "handout"], jobs=1, report=report)
    assert sorted(finished) == ["braille"] * 12 + ["handout"] * 12
    assert finished != ["handout"] * 12 + ["braille"] * 12


def test_articles_past_those_a_plan_holds_are_parsed_again_to_the_same_jobs(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan keeps SOURCES_HELD parsed articles between deciding and translating; the others are
    parsed once more when their turn comes (once for all their locales), to the same translated jobs."""
    parsed: list[Path] = []
    read = planning.read_article
    monkeypatch.setattr(planning, "read_article", lambda path: (parsed.append(path), read(path))[1])
    held = planning.plan(load_project(library), None, ["braille"])
    assert parsed == []  # every article was held: the planner's own parse (source.py) is not counted here
    monkeypatch.setattr(planning, "SOURCES_HELD", 1)
    again = planning.plan(load_project(library), None, ["braille"])
    sources = sorted((library / "source").glob("*.md"))
    assert parsed == sources[1:]  # the first is held; each other is parsed again once, not once per locale
    assert [(j.target, j.digest, j.article) for j in again.todo] == [(j.target, j.digest, j.article) for j in held.todo]
    assert again.states == held.states and len(again.todo) == 4 * 3


def test_the_files_kept_between_hashing_and_parsing_are_the_projects_own_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog is hashed when planned and parsed when translated: its bytes are kept between,
    within RECENT_BYTES (least recently read go first); a font outside the project is only hashed."""
    from packager import project as projects

    root = tmp_path / "project"
    (root / "locales").mkdir(parents=True)
    load_project(root)
    font = tmp_path / "font.ttf"
    font.write_bytes(b"f" * 10)
    catalogs = [root / "locales" / f"{n}.po" for n in range(3)]
    for catalog in catalogs:
        catalog.write_bytes(b"c" * 100)
    monkeypatch.setattr(projects, "RECENT_BYTES", 250)
    projects._RECENT.clear()
    for path in [font, *catalogs]:
        projects.read_limited(path, 1000, "file")
    assert list(projects._RECENT) == catalogs[1:] and projects._RECENT.held == 200
    projects._RECENT.clear()
    projects.read_limited(catalogs[0], 1000, "file")
    assert list(projects._RECENT) == catalogs[:1]  # the count of bytes went with the entries


def _library_manifest(targets: int) -> dict:
    """A manifest of ``targets`` targets, each with two outputs, as a build records them."""
    entries = {}
    for n in range(targets):
        key = f"article-{n // 10}/l{n % 10}/braille"
        outputs = [
            {"path": f"l{n % 10}/article-{n // 10}.{ext}", "article": f"article-{n // 10}", "locale": f"l{n % 10}",
             "format": "braille", "main": ext == "brf", "title": "الذئبة", "size": n,
             "sha256": f"{n:064x}", "inputs": f"{n + 1:064x}"}
            for ext in ("brf", "pef")
        ]  # fmt: skip
        entries[key] = {"inputs": f"{n + 1:064x}", "outputs": outputs}
    return {"targets": entries, "locales": {}, "failures": {}}


def test_a_librarys_manifest_is_written_piece_by_piece_not_held_whole(tmp_path: Path) -> None:
    """A library's manifest is megabytes, rewritten every second or so while a build runs: written
    as it is encoded, it costs the build process a small part of its size, and reads back whole."""
    import json
    import tracemalloc

    from packager.engine.manifest import MANIFEST, read_manifest, write_manifest

    state = _library_manifest(3000)
    tracemalloc.start()
    try:
        write_manifest(tmp_path, state)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = (tmp_path / MANIFEST).stat().st_size
    assert size > 4_000_000
    # Held whole, the text alone would be its size, and its bytes as much again; written piece by
    # piece, what remains is the sorted order of the targets (pointers to their entries, not their text).
    assert peak < size / 4
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert data["targets"] == state["targets"]
    assert data["outputs"] == [out for key in sorted(state["targets"]) for out in state["targets"][key]["outputs"]]
    assert read_manifest(tmp_path)["targets"] == state["targets"]
    assert "outputs" not in read_manifest(tmp_path)  # the flat list repeats the targets': not kept in memory


def test_a_file_written_piece_by_piece_replaces_the_old_only_when_whole_and_different(tmp_path: Path) -> None:
    from packager.atomic import atomic_stream

    path, tmp = tmp_path / "out.json", tmp_path / ".tmp"
    assert atomic_stream(path, ["{", '"a": "é"', "}"], tmp, if_changed=True)
    assert path.read_bytes() == '{"a": "é"}'.encode()
    inode = path.stat().st_ino
    assert not atomic_stream(path, ['{"a": ', '"é"}'], tmp, if_changed=True)  # the same text: left as it was
    assert path.stat().st_ino == inode

    def broken():  # type: ignore[no-untyped-def]
        yield '{"a": '
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_stream(path, broken(), tmp, if_changed=True)
    assert path.read_bytes() == '{"a": "é"}'.encode() and list(tmp.iterdir()) == []
    assert atomic_stream(path, ['{"a": "è"}'], tmp, if_changed=True)
    assert path.read_text(encoding="utf-8") == '{"a": "è"}' and path.stat().st_ino != inode


def test_a_build_reads_no_manifest_whole_unless_it_changed_since_written(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning, running the plan, the shared files and the journal read the manifest's rows from
    the store; a manifest.json changed by anything else is read once, and is what is trusted."""
    import json

    from packager.engine import manifest

    project = load_project(library)
    assert {o.status for o in build(project, None, ["braille"])} == {"built"}
    loaded: list[int] = []
    real = json.loads

    def loads(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        data = real(text, *args, **kwargs)
        if isinstance(data, dict) and "targets" in data and "locales" in data:
            loaded.append(len(data["targets"]))
        return data

    monkeypatch.setattr(manifest.json, "loads", loads)
    from benchmarks.library import PSEUDO_LOCALES

    shutil.rmtree(library / "build" / PSEUDO_LOCALES[0])  # so that the second build has work
    outcomes = build(project, None, ["braille"])
    assert sorted(o.status for o in outcomes).count("built") == 4 and loaded == []
    path = library / "build" / manifest.MANIFEST
    data = real(path.read_text(encoding="utf-8"))
    gone = sorted(data["targets"])[0]
    del data["targets"][gone]  # as if that target had never been built
    path.write_text(json.dumps(data), encoding="utf-8")
    outcomes = build(project, None, ["braille"])
    assert [o.target.key for o in outcomes if o.status == "built"] == [gone] and loaded == [11]
    assert real(path.read_text(encoding="utf-8"))["targets"].keys() == {o.target.key for o in outcomes}


@pytest.mark.parametrize("share", [0, 10**9])
def test_the_manifest_is_rewritten_less_often_the_longer_it_takes(
    library: Path, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    """Written as targets finish, but never again sooner than MANIFEST_SHARE times its last write took."""
    writes: list[int] = []
    real = running.write_manifest
    monkeypatch.setattr(running, "write_manifest", lambda d, m: (writes.append(len(m["targets"])), real(d, m))[1])
    monkeypatch.setattr(running, "MANIFEST_EVERY", 0.0)
    monkeypatch.setattr(running, "MANIFEST_SHARE", share)
    build(load_project(library), None, ["braille"], jobs=1)
    if share:  # the first write took more than no time: none other until the end
        assert writes == [1, 12]
    else:  # one per target finished, and the last
        assert writes == [*range(1, 13), 12]


def test_a_library_of_different_articles_shares_no_paragraph_between_two(tmp_path: Path) -> None:
    """The benchmark's --distinct library: what two articles' catalogs share is their front matter's
    strings (the glossary), nothing of their text; the default library repeats one text."""
    import yaml

    from packager.i18n.pofile import read_catalog

    def messages(root: Path) -> list[set[str]]:
        pots = sorted((root / "locales").glob("*-[0-9].pot"))  # the articles' (not the interface's)
        return [{str(m.id) for m in read_catalog(pot) if m.id} for pot in pots]

    def front(root: Path) -> set[str]:
        found: set[str] = set()
        sources = (root / "source").iterdir()
        stack = [yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1]) for path in sources]
        while stack:
            value = stack.pop()
            if isinstance(value, dict | list):
                stack += value.values() if isinstance(value, dict) else value
            elif isinstance(value, str):
                found.add(value)
        return found

    different = make_library(tmp_path / "different", articles=2, locales=1, sections=2, distinct=True)
    first, second = messages(different)
    assert len(first) > 10 and first & second <= front(different)
    same = make_library(tmp_path / "same", articles=2, locales=1, sections=2)
    first, second = messages(same)
    assert len((first & second) - front(same)) > 10


def test_two_libraries_made_at_different_times_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catalogs are dated by the minute: a library made a minute after another, for a second checkout
    (tests/test_distributed.py), must still be the same, or its targets miss the shared cache."""
    import datetime

    import packager.i18n.extract as extracting

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = make_library(tmp_path / "first", articles=1, locales=2, sections=1)

    class AnHourLater(datetime.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return datetime.datetime.now(tz) + datetime.timedelta(hours=1)

    monkeypatch.setattr(extracting, "datetime", AnHourLater)
    second = make_library(tmp_path / "second", articles=1, locales=2, sections=1)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [(first / f).read_bytes() for f in files] == [(second / f).read_bytes() for f in files]
    assert "SOURCE_DATE_EPOCH" not in os.environ  # set only while the library was made


def test_a_cold_builds_queue_holds_nothing_per_stale_target_in_memory(tmp_path: Path) -> None:
    """A library's cold build queues every stale locale before it translates the first: the
    queue is on disk (see test_spill), so the plan's memory does not grow with the library
    (queued in memory, each took 0.7 KB; with the planner's whole decision, 2.2 KB)."""
    import gc
    import tracemalloc

    root = make_library(tmp_path / "library", articles=30, locales=2, sections=1, distinct=True)
    project = load_project(root)
    planning.plan(project, None, ["braille"], translate=False)  # imports, CLDR: loaded once
    tracemalloc.start()
    try:
        the_plan = planning.plan(project, None, ["braille"], translate=False)
        units = len(the_plan.untranslated)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        the_plan.untranslated.clear()
        gc.collect()
        per_unit = (before - tracemalloc.get_traced_memory()[0]) / units
    finally:
        tracemalloc.stop()
    assert units == 60 and the_plan.stale == 60
    assert per_unit < 50, per_unit

"""A build translates its stale locales as its workers need work (packager/engine/run.py):
a big library holds a few translated articles at a time, not all of them, and a small
project is translated first so its longest kind of target starts first everywhere.
"""

from __future__ import annotations

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

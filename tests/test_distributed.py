"""Dask distributed as the executor, on a real cluster: a LocalCluster with two worker processes.

The same small library (2 articles x 2 locales) built by the local process pool and by the
cluster must be byte for byte the same; a worker killed in the middle of a build must not
cost a single output; a target whose builder raises is retried, then fails alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.library import make_library
from packager.builders import FORMATS, register
from packager.engine import build
from packager.engine.cluster import RETRIES
from packager.project import Project, load_project
from tests.cluster_format import ARMED, FOLDER, TEST_FORMATS
from tests.conftest import po_strings, run_packager
from tests.test_build import outputs

distributed = pytest.importorskip("distributed")

LOCALES = ("en", "es")


def library(dest: Path) -> Path:
    """Two articles in two locales, each of its first two sections (short narrations)."""
    return make_library(dest, articles=2, locales=len(LOCALES), sections=2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[distributed.LocalCluster]:
    folder = tmp_path_factory.mktemp("cluster")
    os.environ[FOLDER] = str(folder)  # before the workers start: they inherit it
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as started:
        yield started
    del os.environ[FOLDER]


@pytest.fixture(scope="module")
def test_formats() -> Iterator[None]:
    """The test formats, for the builds of this file only (a build of every format must not see them)."""
    for fmt in TEST_FORMATS:
        register(fmt)
    yield
    for fmt in TEST_FORMATS:
        FORMATS.pop(fmt.name)


def with_build(project: Project, **changes: str) -> Project:
    """The project with other build settings (scheduler, cache)."""
    settings = dataclasses.replace(project.settings.build, **changes)
    return dataclasses.replace(project, settings=dataclasses.replace(project.settings, build=settings))


def on_cluster(root: Path, address: str) -> Project:
    return with_build(load_project(root), scheduler=address)


@pytest.fixture(scope="module")
def pool_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = library(tmp_path_factory.mktemp("pool"))
    result = run_packager("-C", str(root), "build", "--format", "handout", "--format", "audio", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return root


def test_the_cluster_builds_what_the_local_pool_builds_byte_for_byte(
    pool_build: Path, cluster: distributed.LocalCluster, tmp_path: Path
) -> None:
    root = library(tmp_path / "cluster")
    args = ("--format", "handout", "--format", "audio", "--scheduler", cluster.scheduler_address, "--json")
    result = run_packager("-C", str(root), "build", *args)
    assert result.returncode == 0, result.stderr
    assert {row["status"] for row in json.loads(result.stdout)} == {"built"}
    first, second = outputs(pool_build), outputs(root)
    first.pop("manifest.json"), second.pop("manifest.json")
    for kind in (".pdf", ".m4b", ".timings.json"):  # one of each per article and locale
        assert len([name for name in second if name.endswith(kind)]) == 2 * len(LOCALES)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    # Rebuilt with nothing changed, on the cluster: nothing is sent to it.
    again = run_packager("-C", str(root), "build", *args)
    assert {row["status"] for row in json.loads(again.stdout)} == {"up to date"}


def expected_titles(root: Path) -> dict[str, str]:
    """build/<locale>/<slug>.title.txt -> its text, from the sources and the catalogs."""
    found = {}
    for source in sorted((root / "source").glob("*.md")):
        slug = source.stem
        title = next(line for line in source.read_text().splitlines() if line.startswith("title: "))[7:]
        found[f"en/{slug}.title.txt"] = f"en: {title}\n"
        found[f"es/{slug}.title.txt"] = f"es: {po_strings(root / f'locales/es/LC_MESSAGES/{slug}.po')['meta/title']}\n"
    return found


def test_a_worker_killed_mid_build_costs_no_output(
    cluster: distributed.LocalCluster, test_formats: None, tmp_path: Path
) -> None:
    root = library(tmp_path / "kill")
    folder = Path(os.environ[FOLDER])
    (folder / ARMED).touch()  # the first target to start holds until its worker is killed
    results: list = []
    builder = threading.Thread(
        target=lambda: results.append(build(on_cluster(root, cluster.scheduler_address), None, ["title"]))
    )
    builder.start()
    deadline = time.monotonic() + 60
    while not (folder / "held").exists():
        assert time.monotonic() < deadline, "no target started on the cluster"
        time.sleep(0.1)
    time.sleep(0.2)  # the pid is written
    pid = int((folder / "held").read_text())
    os.kill(pid, signal.SIGKILL)
    builder.join(timeout=120)
    assert not builder.is_alive()
    (outcomes,) = results
    assert {o.target.key: o.status for o in outcomes} == {
        f"{s}/{loc}/title": "built" for s in slugs(root) for loc in LOCALES
    }
    built = {k: v.decode() for k, v in outputs(root).items() if k.endswith(".title.txt")}
    assert built == expected_titles(root)


def slugs(root: Path) -> list[str]:
    return [p.stem for p in sorted((root / "source").glob("*.md"))]


def test_a_target_whose_builder_raises_fails_alone_after_retries(
    cluster: distributed.LocalCluster, test_formats: None, tmp_path: Path
) -> None:
    root = library(tmp_path / "broken")
    outcomes = build(on_cluster(root, cluster.scheduler_address), None, ["title", "broken"])
    status = {o.target.key: (o.status, o.reason) for o in outcomes}
    for slug in slugs(root):
        for locale in LOCALES:
            assert status[f"{slug}/{locale}/title"] == ("built", "")
            assert status[f"{slug}/{locale}/broken"] == ("failed", "ValueError: this builder always fails")
            attempts = (Path(os.environ[FOLDER]) / f"attempts-{slug}-{locale}").read_text().split()
            assert len(attempts) == 1 + RETRIES
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    assert sorted(manifest["failures"]) == sorted(f"{s}/{loc}/broken" for s in slugs(root) for loc in LOCALES)


def test_a_shared_cache_gives_another_checkout_what_the_cluster_built(
    cluster: distributed.LocalCluster, test_formats: None, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = with_build(on_cluster(library(tmp_path / "first"), cluster.scheduler_address), cache=str(cache))
    build(first, None, ["title"])
    assert len(list(cache.glob("*/*.zip"))) == 2 * len(LOCALES)
    second = with_build(load_project(library(tmp_path / "second")), cache=cache.as_uri())  # the local pool
    outcomes = build(second, None, ["title"])
    assert {(o.status, o.reason) for o in outcomes} == {("built", "from the shared cache")}
    assert outputs(second.root) == outputs(first.root)

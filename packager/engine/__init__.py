"""The build engine: plan targets (article x locale x format), rebuild what is out of date.

A target is up to date when the hash of all its inputs is unchanged (content hashes, not
timestamps) and its outputs are what the manifest says. Targets run in worker processes,
in dependency order; each output is written atomically; one target's failure fails only it
and the targets that need it. The engine never prints: it returns outcomes and reports
progress through a callback, and the command line decides what to show.

- :mod:`.targets`: targets, outcomes and the events a build reports
- :mod:`.spill`: what a build keeps per target (its queue, its outcomes), on disk while it runs
- :mod:`.journal`: a build with nothing to do, known from stats without planning
- :mod:`.inputs`: what a target depends on, hashed
- :mod:`.manifest`: ``build/manifest.json`` and ``build/index.html``
- :mod:`.plan`: which targets are stale, the translation and check gate
- :mod:`.run`: the worker pool, dependencies between targets, translating as workers need work, the lock
- :mod:`.cluster`: Dask distributed as the executor (``--scheduler``), for big libraries
- :mod:`.cache`: a shared cache of built targets by input hash (``--cache``), a folder or fsspec URL
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from packager.engine.targets import Event, Outcome, Target

if TYPE_CHECKING:
    from packager.engine.spill import Spilled
    from packager.project import Project


def build(
    project: Project,
    locales: list[str] | None = None,
    formats: list[str] | None = None,
    jobs: int = 0,
    report: Callable[[Event], None] = lambda event: None,
) -> Spilled[Outcome]:
    """Plan and run a build (:func:`.run.build`), unless its journal shows nothing to do."""
    from packager.engine import journal

    started = time.process_time()
    replayed = journal.replay(project, locales, formats)
    if replayed is not None:
        report(Event("cpu", cpu={"plan": round(time.process_time() - started, 4)}))
        return replayed
    from packager.engine.run import build as plan_and_run

    return plan_and_run(project, locales, formats, jobs, report)


__all__ = ["Event", "Outcome", "Target", "build"]

"""Dask distributed as the executor, for libraries that outgrow one machine.

Each target is one task whose key is its input hash, so the scheduler collapses identical
work and a build resubmitted while the cluster still holds a result gets it back at once.
The task carries its inputs (the settings, the translated article and the bytes of every
project file the target reads: :class:`~packager.engine.inputs.Inputs`), so a worker needs
packager installed, not a checkout. It builds in a temporary folder and returns the files
as bytes; the build (the client) writes them into build/ atomically, exactly as the local
pool's workers do. A task whose builder raises is retried, then fails that target alone;
a worker that dies has its tasks rerun elsewhere by the scheduler.

``--scheduler local-cluster`` starts a :class:`distributed.LocalCluster` on this machine.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from packager import timings
from packager.builders import FORMATS, Product
from packager.document import Article
from packager.engine.plan import Job, Outcome
from packager.engine.run import Report, make, write_outputs
from packager.errors import PackagerError
from packager.project import Project, Settings, read_limited

LOCAL_CLUSTER = "local-cluster"
RETRIES = 2  # a builder that raises is tried this many more times before its target fails
MAX_TASK_FILE_BYTES = 500_000_000
SLOTS_EVERY = 2.0  # seconds between asking the scheduler how many worker threads it has


@dataclasses.dataclass(frozen=True)
class Task:
    """Everything one target needs, by value: what travels to a worker."""

    settings: Settings
    spec: str  # the builder, "module:Class"
    article: Article  # translated; its path relative to the project
    files: dict[str, bytes]  # project files it reads, by path relative to the project


@dataclasses.dataclass(frozen=True)
class Made:
    files: dict[str, bytes]  # by path relative to build/<locale>/
    info: dict[str, Any]
    main: str
    seconds: float
    cpu: dict[str, float]


def task_for(project: Project, job: Job) -> Task:
    root = project.root
    read = [p for p in map(Path, job.files) if p.exists()]  # a missing file (no sign-off yet) is missing there too
    files = {p.relative_to(root).as_posix(): read_limited(p, MAX_TASK_FILE_BYTES, "input file") for p in read}
    article = dataclasses.replace(job.article, path=job.article.path.relative_to(root))
    return Task(project.settings, FORMATS[job.target.format].builder, article, files)


def build_task(task: Task) -> Made:
    """On a worker: lay the inputs out in a temporary project, build, return the files as bytes."""
    started = time.perf_counter()
    timings.take()
    with tempfile.TemporaryDirectory(prefix="packager-task-") as folder:
        root = Path(folder).resolve()
        for name, data in task.files.items():
            path = (root / name).resolve()
            if not path.is_relative_to(root):
                raise PackagerError(f"a task's input file is outside its project: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        # The worker's own cache of utterances and chapters (self-checking, written atomically), kept
        # between tasks: an edited narration synthesises only what changed, as it does locally.
        (root / "build").mkdir()
        (root / "build" / ".cache").symlink_to(worker_cache(), target_is_directory=True)
        project = Project(root, task.settings)
        article = dataclasses.replace(task.article, path=root / task.article.path)
        product, main = make(project, task.spec, article)
    return Made(product.files, product.info, main, time.perf_counter() - started, timings.take())


def worker_cache() -> Path:
    """``$PACKAGER_WORKER_CACHE``, else ``~/.cache/packager/worker``: shared by the worker processes of a machine."""
    folder = Path(os.environ.get("PACKAGER_WORKER_CACHE") or Path.home() / ".cache" / "packager" / "worker")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class DaskExecutor:
    """Targets as Dask tasks; the client (this build) checks and writes every output."""

    def __init__(self, address: str, jobs: int = 0):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise PackagerError(
                "a Dask scheduler needs Dask distributed: pip install 'packager[distributed]'"
            ) from None
        self.cluster = None
        if address == LOCAL_CLUSTER:
            workers = jobs or os.cpu_count() or 1
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=30)
            except (OSError, TimeoutError, ValueError) as exc:
                raise PackagerError(f"cannot reach the Dask scheduler {address}: {exc}") from None
        self.tasks: dict[concurrent.futures.Future, Any] = {}  # ours -> Dask's
        self._slots = (0.0, 0)  # when last asked, and the answer

    @property
    def slots(self) -> int:
        """Two tasks a worker thread (one running, one ready to start when it finishes), for the
        workers the scheduler has now: a cluster may grow or shrink during a build."""
        asked, slots = self._slots
        if time.monotonic() - asked > SLOTS_EVERY:
            slots = 2 * max(1, sum(self.client.nthreads().values()))
            self._slots = (time.monotonic(), slots)
        return slots

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def submit(self, project: Project, job: Job, digest: str) -> concurrent.futures.Future:
        task = self.client.submit(
            build_task, task_for(project, job), key=f"packager-{digest}", retries=RETRIES, pure=False
        )
        done: concurrent.futures.Future = concurrent.futures.Future()
        done.set_running_or_notify_cancel()
        task.add_done_callback(lambda _: done.set_result(None))  # the result is fetched by outcome()
        self.tasks[done] = task
        return done

    def outcome(self, future: concurrent.futures.Future, project: Project, job: Job, digest: str) -> Outcome:
        task = self.tasks.pop(future)
        made: Made = task.result()
        task.release()
        with timings.stage("write"):
            product = Product(made.files, made.info)
            outputs = write_outputs(project, job.target, job.article, digest, product, made.main)
        return Outcome(job.target, "built", seconds=made.seconds, outputs=outputs, cpu=made.cpu)

    def drain(self, report: Report) -> None:
        return None  # no per-step progress from remote workers: a line per finished target

    def cancel(self, running: list[concurrent.futures.Future]) -> None:
        self.client.cancel([self.tasks[f] for f in running if f in self.tasks])

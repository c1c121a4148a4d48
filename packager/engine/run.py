"""Running a plan: the worker pool, targets that wait for targets, atomic writes, the lock."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from packager import statcache, timings
from packager.atomic import atomic_write
from packager.builders import FORMATS, Product, Progress, formats, load_builder, no_progress, output_dir
from packager.document import Article
from packager.engine import journal
from packager.engine.inputs import forget
from packager.engine.manifest import (
    MANIFEST,
    check_writable,
    is_fresh,
    remember_outputs,
    write_index,
    write_manifest,
)
from packager.engine.plan import Job, Plan, plan, published, with_needs
from packager.engine.spill import Spilled
from packager.engine.store import KNOWN, USED, kept, let_go
from packager.engine.targets import Event, Outcome, Target, outcome_log
from packager.errors import PackagerError
from packager.project import Project

if TYPE_CHECKING:
    from concurrent.futures import Future
    from pathlib import Path


Report = Callable[[Event], None]

#: Seconds between manifest writes while targets finish (and once at the end): a build killed
#: midway keeps the record of what it finished, without rewriting a big manifest per target.
MANIFEST_EVERY = 1.0
#: ... and at least this many times as long as the last write took: a library's manifest
#: (megabytes) costs the build process, which also translates, no more than a tenth of its time.
MANIFEST_SHARE = 10


def no_report(event: Event) -> None:
    return None


def build(
    project: Project,
    locales: list[str] | None = None,
    formats: list[str] | None = None,
    jobs: int = 0,
    report: Report = no_report,
) -> Spilled[Outcome]:
    """Plan and run a build under the build lock; returns an outcome for every target (what
    happened to it: its files are in the manifest), kept on disk as a library's build has many."""
    from filelock import FileLock, Timeout

    from packager.project import source_date_epoch

    source_date_epoch()  # a bad SOURCE_DATE_EPOCH is an error before any work
    build_dir = project.build_dir
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(build_dir / ".lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            report(Event("waiting", label="another build is running in this project; waiting for it"))
            lock.acquire()
        try:
            check_writable(build_dir)
            forget()
            statcache.load(kept(build_dir, KNOWN), kept(build_dir, USED))
            shutil.rmtree(build_dir / ".tmp", ignore_errors=True)  # leftovers of a killed build
            timings.take()
            with timings.stage("plan"):  # hashing inputs and checking outputs: what a no-op build costs
                taken = journal.snapshot(project)
                warm = None if project.settings.build.scheduler else warm_pool
                the_plan = plan(project, locales, formats, on_stale=warm, translate=False)
            outcomes = execute(project, the_plan, jobs, report)
            with timings.stage("write"):
                asked = journal.request(project, locales, formats)
                journal.record(project, asked, taken, outcomes, the_plan.manifest)
            cpu = timings.add(timings.take(), the_plan.cpu)
            report(Event("cpu", cpu=cpu))
            return outcomes
        finally:
            statcache.forget()  # what is asked after the build is not kept in its store
            let_go(build_dir)  # the rows are on disk; another build may change them now
            lock.release()
    except OSError as exc:  # build/ is a file, read-only, full: say so, in one line
        where = exc.filename or build_dir
        raise PackagerError(f"cannot write the build folder: {exc.strerror or exc}", where) from None


def execute(project: Project, the_plan: Plan, jobs: int, report: Report = no_report) -> Spilled[Outcome]:
    build_dir = project.build_dir
    manifest = the_plan.manifest  # what it planned against: the manifest on disk, since the lock is held
    manifest["locales"].update(the_plan.states)
    gone = {k.rsplit("/", 1)[0] for k in manifest["targets"]} - the_plan.existing  # a deleted catalog or article
    the_plan.states.clear()  # recorded: a library's build holds no record per locale (see translate_next)
    the_plan.existing.clear()
    for key in [k for k in manifest["locales"] if k in gone]:
        del manifest["locales"][key]
    for key in [k for k in manifest["failures"] if k.rsplit("/", 1)[0] in gone]:
        del manifest["failures"][key]
    _withdraw(build_dir, manifest, {*the_plan.withdrawn, *gone})
    outcomes = outcome_log()
    for outcome in the_plan.fresh:
        manifest["failures"].pop(outcome.target.key, None)
        outcomes.append(outcome)
    for outcome in the_plan.refused:
        _record_failure(manifest, outcome)
        outcomes.append(outcome)
    if the_plan.todo or the_plan.untranslated:
        _run_jobs(project, the_plan, jobs, manifest, report, outcomes)
    with timings.stage("write"):
        manifest["shared"] = {}
        for fmt in formats():  # files a format shares between its targets, from what the manifest lists
            if fmt.finish:
                module, _, attr = fmt.finish.partition(":")
                manifest["shared"][fmt.name] = getattr(importlib.import_module(module), attr)(build_dir, manifest)
        write_manifest(build_dir, manifest)
        write_index(build_dir, manifest)
    return outcomes


def _record_failure(manifest: dict[str, Any], outcome: Outcome) -> None:
    """A target not built this time (failed or refused): no outputs listed, and why."""
    manifest["targets"].pop(outcome.target.key, None)
    manifest["failures"][outcome.target.key] = outcome.reason


def _withdraw(build_dir: Path, manifest: dict[str, Any], keys: set[str]) -> None:
    """Delete the outputs of these "slug/locale": a refused outdated translation, or one whose
    catalog is gone, must not stay where staff print from."""
    for key in [k for k in manifest["targets"] if k.rsplit("/", 1)[0] in keys]:
        for out in manifest["targets"].pop(key)["outputs"]:
            path = (build_dir / out["path"]).resolve()
            if path.is_relative_to(build_dir.resolve()) and path.is_file():
                path.unlink()


#: Stale locales translated ahead of the workers, at least. A project of up to this many is
#: all translated while its first targets run (one locale takes about 0.1 s, a target seconds),
#: so its longest targets (audio) start first everywhere; a bigger library holds this many
#: translated articles at a time, however many it has.
TRANSLATED_AHEAD = 16


def _run_jobs(
    project: Project, the_plan: Plan, jobs: int, manifest: dict[str, Any], report: Report, outcomes: Spilled[Outcome]
) -> None:
    """Run the plan's jobs on the executor, translating its stale locales as they are needed;
    a job starts once every target it waits for is done, the longest kinds first. Adds each
    target's outcome to ``outcomes``.

    A target found in the shared cache (``build.cache``) is taken from there and never run;
    one built is stored there after.
    """
    from concurrent.futures import FIRST_COMPLETED, wait  # only when there is work

    failed: dict[Target, str] = {}
    waiting = {job.target: job for job in the_plan.todo}
    queued = the_plan.stale - len(the_plan.refused)  # those refused when planned are not run
    settings = project.settings.build
    cache = None
    if settings.cache:
        from packager.engine.cache import SharedCache

        cache = SharedCache(settings.cache)

    written = [time.monotonic(), 0.0]  # when the manifest was last written, and how long it took

    def finish(outcome: Outcome, cached: bool = False) -> None:
        key = outcome.target.key
        if outcome.status == "built":
            manifest["targets"][key] = {"inputs": outcome.outputs[0]["inputs"], "outputs": outcome.outputs}
            manifest["failures"].pop(key, None)
            remember_outputs(project.build_dir, outcome.outputs)
            if cache is not None and not cached:
                cache.put(
                    outcome.outputs[0]["inputs"], outcome.outputs, lambda path: (project.build_dir / path).read_bytes()
                )
        elif outcome.status in ("failed", "refused"):
            _record_failure(manifest, outcome)
            failed[outcome.target] = outcome.reason
        started = time.monotonic()
        if started - written[0] >= max(MANIFEST_EVERY, MANIFEST_SHARE * written[1]):  # not per target
            with timings.stage("write"):
                write_manifest(project.build_dir, manifest)
            now = time.monotonic()
            written[:] = [now, now - started]
        report(Event("finished", key, outcome=outcome, queued=queued))
        the_plan.cpu = timings.add(the_plan.cpu, outcome.cpu)
        outcomes.append(Outcome(outcome.target, outcome.status, outcome.reason, outcome.seconds))  # files: manifest

    def translate_next() -> None:
        done = the_plan.translate_next()
        manifest["locales"][done.key] = the_plan.states.pop(done.key)
        if done.withdrawn:
            _withdraw(project.build_dir, manifest, {done.key})
        for outcome in done.refused:
            finish(outcome)
        waiting.update((job.target, job) for job in done.jobs)

    with _executor(settings.scheduler, the_plan, jobs) as executor:
        running: dict[Future, tuple[Job, str]] = {}

        def translating() -> bool:  # whether to translate another locale now: few enough are held
            if not the_plan.untranslated:
                return False
            held = {(j.target.slug, j.target.locale) for j in [*waiting.values(), *(j for j, _ in running.values())]}
            return len(held) < max(TRANSLATED_AHEAD, 2 * executor.slots)

        try:
            while waiting or running or the_plan.untranslated:
                if translating():
                    translate_next()  # one at a time: targets ready meanwhile start
                busy = {j.target for j, _ in running.values()}
                for target, job in sorted(waiting.items(), key=lambda item: FORMATS[item[0].format].order):
                    if len(running) >= executor.slots:  # the rest wait here, where the longest can go first
                        break
                    if any(w in waiting or w in busy for w in job.waits_for):
                        continue
                    del waiting[target]
                    blocked = next((w for w in job.waits_for if w in failed or w.key not in manifest["targets"]), None)
                    if blocked is not None:  # failed here, or refused when planned
                        why = failed.get(blocked) or manifest["failures"].get(blocked.key, "it was not built")
                        finish(Outcome(target, "failed", f"needs {blocked.format}, which failed: {why}"))
                        continue
                    digest = job.digest
                    if job.waits_for:  # its dependencies are built: now its digest is known
                        needs = [target.sibling(n) for n in FORMATS[target.format].needs]
                        digest = with_needs(digest, [manifest["targets"][n.key] for n in needs])
                        entry = manifest["targets"].get(target.key)
                        if is_fresh(entry, digest, project.build_dir):  # the needed outputs did not change
                            finish(Outcome(target, "up to date", outputs=entry["outputs"]))  # type: ignore[index]
                            continue
                    hit = cache.get(digest) if cache is not None else None
                    if hit is not None:
                        finish(_from_cache(project, target, *hit), cached=True)
                        continue
                    running[executor.submit(project, job, digest)] = (job, digest)
                    busy.add(target)
                if not running:
                    continue
                done, _ = wait(running, timeout=0 if translating() else 0.2, return_when=FIRST_COMPLETED)
                executor.drain(report)
                for future in done:
                    job, digest = running.pop(future)
                    finish(_outcome(executor, future, project, job, digest))
        except KeyboardInterrupt:
            executor.cancel(list(running))
            raise


class Executor(Protocol):
    """Where targets run: the local process pool (the default) or a Dask cluster (:mod:`.cluster`)."""

    @property
    def slots(self) -> int:
        """Targets it runs at once: the build submits no more, and keeps the rest in order."""
        ...

    def __enter__(self) -> Executor: ...
    def __exit__(self, *exc: object) -> None: ...
    def submit(self, project: Project, job: Job, digest: str) -> Future:
        """Start building ``job``; the future completes when it is done (its result: see ``outcome``)."""
        ...

    def outcome(self, future: Future, project: Project, job: Job, digest: str) -> Outcome:
        """A finished job's outcome, its files written into build/ (raises what the builder raised)."""
        ...

    def drain(self, report: Report) -> None:
        """Pass on the progress running targets reported."""
        ...

    def cancel(self, running: list[Future]) -> None: ...


def _executor(scheduler: str, the_plan: Plan, jobs: int) -> Executor:
    if scheduler:
        from packager.engine.cluster import DaskExecutor

        return DaskExecutor(scheduler, jobs)
    return LocalPool(the_plan.stale_formats, the_plan.stale, jobs)


def _pool_context() -> Any:
    import multiprocessing

    return multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")


def _preload(names: set[str], context: Any) -> None:
    """The fork server imports the heavy libraries of these formats' builders once: workers start with them."""
    if context.get_start_method() == "forkserver":
        specs = {FORMATS[name].builder for name in names}
        context.set_forkserver_preload(sorted({m for s in specs for m in getattr(load_builder(s), "preload", ())}))


def warm_pool(names: list[str]) -> None:
    """Start the fork server now, with the imports these formats' builders need (about a second of
    one core), while planning goes on with the translations' checks; ``LocalPool`` then finds it ready."""
    context = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        _preload(set(names), context)
        forkserver.ensure_running()


class LocalPool:
    """Worker processes on this machine, started by a fork server that has imported the heavy libraries."""

    def __init__(self, names: list[str], targets: int, jobs: int):
        """A pool for ``targets`` targets of these formats."""
        from concurrent.futures import ProcessPoolExecutor

        self.slots = max(1, min(jobs or os.cpu_count() or 1, targets))
        context = _pool_context()
        _preload(set(names), context)  # unless warm_pool already started it
        self.queue = context.Queue()
        initargs = (self.queue, os.getpid())
        self.pool = ProcessPoolExecutor(self.slots, mp_context=context, initializer=_init_worker, initargs=initargs)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True)

    def submit(self, project: Project, job: Job, digest: str) -> Future:
        spec = FORMATS[job.target.format].builder
        return self.pool.submit(_run_target, project, job.target, spec, job.article, digest)

    def outcome(self, future: Future, project: Project, job: Job, digest: str) -> Outcome:
        return future.result()  # the worker wrote the files

    def drain(self, report: Report) -> None:
        _drain(self.queue, report)

    def cancel(self, running: list[Future]) -> None:
        for future in running:
            future.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)


def _from_cache(project: Project, target: Target, entries: list[dict[str, Any]], files: dict[str, bytes]) -> Outcome:
    """A target made before, anywhere, from the same inputs: its files written as if built here."""
    started = time.perf_counter()
    with timings.stage("write"):
        for entry in entries:
            path = (project.build_dir / entry["path"]).resolve()
            if not path.is_relative_to(project.build_dir.resolve() / target.locale):
                raise PackagerError(f"the shared cache holds a path outside build/{target.locale}: {entry['path']}")
            atomic_write(path, files[entry["path"]], tmp_dir=project.build_dir / ".tmp")
    return Outcome(target, "built", "from the shared cache", time.perf_counter() - started, entries)


def _drain(queue: Any, report: Report) -> None:
    import queue as queues

    while True:
        try:
            key, done, total, label = queue.get_nowait()
        except queues.Empty:
            return
        report(Event("progress", key, done, total, label))


def _outcome(executor: Executor, future: Future, project: Project, job: Job, digest: str) -> Outcome:
    try:
        outcome = executor.outcome(future, project, job, digest)
        outcome.target = job.target  # the plan's, which shares its article's path: not a worker's copy
        return outcome
    except PackagerError as exc:
        return Outcome(job.target, "failed", str(exc))
    except Exception as exc:  # a builder bug must not stop the other targets
        return Outcome(job.target, "failed", f"{type(exc).__name__}: {exc}")


# -- in the worker processes -----------------------------------------------------------------

_PROGRESS: Any = None  # the queue to the parent's display, set in each worker by _init_worker
_BUILD_PID = 0  # the build (main) process a worker writes for


def _init_worker(queue: Any, build_pid: int) -> None:
    """Workers die with their build: a SIGKILLed build must not leave workers writing into build/."""
    global _PROGRESS, _BUILD_PID
    _PROGRESS, _BUILD_PID = queue, build_pid
    if sys.platform == "linux":
        import ctypes
        import signal

        pr_set_pdeathsig = 1  # <linux/prctl.h>: SIGKILL this process when its parent dies
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    import threading

    # Python's fork server outlives a SIGKILLed build (it waits on a pipe its own children
    # hold open), so a watchdog ends this worker, and the fork server, once the build is gone.
    threading.Thread(target=_watch_build, args=(os.getppid(),), daemon=True).start()


def _watch_build(parent: int) -> None:
    import signal

    while _build_alive():
        time.sleep(0.25)
    if parent not in (_BUILD_PID, 1):  # our parent is the build's fork server: it goes too
        try:
            os.kill(parent, signal.SIGKILL)
        except OSError:
            pass
    os._exit(1)


def _build_alive() -> bool:
    if not _BUILD_PID:
        return True
    try:
        os.kill(_BUILD_PID, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_target(project: Project, target: Target, spec: str, article: Article, digest: str) -> Outcome:
    """Build one target in a worker process and write its files atomically."""
    started = time.perf_counter()

    def progress(done: int, total: int, label: str) -> None:
        if _PROGRESS is not None:
            _PROGRESS.put((target.key, done, total, label))

    timings.take()  # what this worker spent before is another target's
    product, main = make(project, spec, article, progress)
    with timings.stage("write"):
        outputs = write_outputs(project, target, article, digest, product, main)
    return Outcome(target, "built", seconds=time.perf_counter() - started, outputs=outputs, cpu=timings.take())


def make(project: Project, spec: str, article: Article, progress: Progress = no_progress) -> tuple[Product, str]:
    """A target's files, in memory, and the name of its main one: the builder's work, wherever it runs."""
    builder = load_builder(spec)
    with timings.stage("render"):  # less what the builder marks as other stages
        product = builder.build(article, project, progress)
    return product, builder.outputs(article)[0]


def write_outputs(project: Project, target: Target, article: Article, digest: str, product: Product, main: str) -> list:
    """Write a target's files atomically into build/<locale>/; their manifest entries."""
    outputs = []
    locale_dir = output_dir(project.build_dir, target.format, target.locale)
    for name, data in product.files.items():
        path = (locale_dir / name).resolve()
        if not path.is_relative_to(locale_dir.resolve()):
            raise PackagerError(f"builder {target.format} tried to write outside build/: {name}")
        if not _build_alive():  # only the build that holds the lock writes into build/
            os._exit(1)
        atomic_write(path, data, tmp_dir=project.build_dir / ".tmp")
        entry = {
            "path": path.relative_to(project.build_dir.resolve()).as_posix(),
            "article": target.slug,
            "locale": target.locale,
            "format": target.format,
            "main": name == main,
            "article_version": article.meta.version,
            "draft": article.draft,
            "translation": published(article),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "inputs": digest,
        }
        if name == main:
            entry.update(product.info)
        outputs.append(entry)
    return outputs


__all__ = ["MANIFEST", "Event", "build", "execute", "make", "write_outputs"]

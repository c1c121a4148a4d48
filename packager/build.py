"""The build engine: plan targets (article x locale x format), rebuild what is out of date.

A target is up to date when the hash of all its inputs is unchanged (content
hashes, not timestamps). Targets run in worker processes; each output is
written atomically; one target's failure does not stop the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packager import __version__
from packager.atomic import atomic_write, write_if_changed
from packager.builders import BUILDERS, Builder, Product, get_builder
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.history import snapshots
from packager.i18n.signoff import signoff_path
from packager.project import Project
from packager.source import read_article
from packager.speech.lexicon import find_lexicon

if TYPE_CHECKING:
    from concurrent.futures import Future

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
#: Audio first: it takes longest, so it should not start last.
FORMAT_ORDER = ("audio", "handout", "large-print")


@dataclass(frozen=True)
class Target:
    slug: str
    locale: str
    format: str
    source: Path

    @property
    def key(self) -> str:
        return f"{self.slug}/{self.locale}/{self.format}"


@dataclass
class Outcome:
    target: Target
    status: str  # built | up to date | failed
    reason: str = ""
    seconds: float = 0.0
    outputs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Plan:
    """What one build will do: targets with their input hashes, and targets refused up front."""

    todo: list[tuple[Target, str, Article]] = field(default_factory=list)
    fresh: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    #: "slug/locale" -> what is published there: state (current | outdated | refused | failed),
    #: version, source_version, reason. Never missing a locale the project has.
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)  # "slug/locale" refused as outdated: its old files go


# -- input hashing -------------------------------------------------------------------------


MAX_INPUT_BYTES = 500_000_000  # fonts and images included


@lru_cache(maxsize=1024)
def _file_digest(path: Path) -> str:
    """sha256 of an input, read by the one bounded reader (no FIFO, device or link out of the project)."""
    from packager.project import read_limited

    if not path.exists() and not path.is_symlink():
        return "missing"
    return hashlib.sha256(read_limited(path, MAX_INPUT_BYTES, "input file")).hexdigest()


def inputs_hash(parts: Iterable[Path | str | bytes]) -> str:
    """One digest over every input; a path counts by its content, never its timestamp."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(f"file:{part.name}:{_file_digest(part)}".encode())
        elif isinstance(part, bytes):
            digest.update(b"bytes:" + hashlib.sha256(part).digest())
        else:
            digest.update(f"str:{part}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def target_inputs(project: Project, target: Target, builder: Builder) -> str:
    article = _article(target.source)
    parts: list[Path | str | bytes] = [f"packager {__version__}", target.key, target.source]
    parts += [target.source.parent / figure.src for figure in article.figures()]
    if target.locale != article.meta.language:
        parts.append(project.catalog_path(target.locale, target.slug))
        parts += snapshots(project, target.slug)  # an outdated translation is built from one of these
        # The sign-off decides the draft notice; it covers the lexicon too.
        parts.append(signoff_path(project, target.slug, target.locale))
        parts.append(find_lexicon(project.locales_dir, target.locale) or "no lexicon")
    settings = project.root / "packager.yaml"
    parts.append(settings if settings.exists() else "default settings")
    parts.extend(builder.inputs(project, target.locale))
    parts.append(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}")
    return inputs_hash(parts)


@lru_cache(maxsize=64)
def _article(path: Path) -> Article:
    return read_article(path)


# -- manifest ------------------------------------------------------------------------------


def read_manifest(build_dir: Path) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": MANIFEST_VERSION, "targets": {}, "locales": {}, "failures": {}}
    try:
        data = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, a directory, unreadable, not JSON: start afresh
        return empty
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return empty
    if not all(isinstance(data.get(key), dict) for key in ("targets", "locales", "failures")):
        return empty
    return data


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/manifest.json: every output, what each locale publishes (current, outdated with its
    version, refused or failed with the reason), and every target that failed, with its reason."""
    targets = dict(sorted(manifest["targets"].items()))
    outputs = [out for entry in targets.values() for out in entry["outputs"]]
    data = {
        "version": MANIFEST_VERSION,
        "packager": __version__,
        "locales": dict(sorted(manifest["locales"].items())),
        "failures": dict(sorted(manifest["failures"].items())),
        "outputs": outputs,
        "targets": targets,
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if (build_dir / MANIFEST).is_dir():
        raise PackagerError("the manifest is a folder; remove it and build again", build_dir / MANIFEST)
    write_if_changed(build_dir / MANIFEST, text.encode("utf-8"), tmp_dir=build_dir / ".tmp")


def write_index(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/index.html: every language of every article, for clinic staff to open and print.

    Every locale the last build planned is listed, whatever happened to it: its outputs, whether
    it is current or an outdated translation (and of which version), or why it was not built.
    """
    from html import escape

    from babel import Locale, UnknownLocaleError

    outputs: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["targets"].values():
        for out in entry["outputs"]:
            outputs.setdefault(f"{out['article']}/{out['locale']}", []).append(out)
    failures: dict[str, list[str]] = {}
    for key, reason in manifest["failures"].items():
        slug, locale, fmt = key.split("/", 2)
        failures.setdefault(f"{slug}/{locale}", []).append(f"{fmt}: {reason}")
    labels = {"handout": "Handout (PDF)", "large-print": "Large print (PDF)", "audio": "Audio"}
    order = list(labels)
    items = []
    for key in sorted({*manifest["locales"], *outputs, *failures}):
        article, locale = key.split("/", 1)
        try:
            name = Locale.parse(locale).get_display_name(locale) or locale
        except (ValueError, UnknownLocaleError):
            name = locale
        state = manifest["locales"].get(key, {})
        outs = outputs.get(key, [])
        links = []
        for out in sorted(outs, key=lambda o: (order.index(o["format"]), o["path"].endswith(".m3u8"))):
            if out["path"].count("/") == 1:  # the main files, not the per-section tracks
                label = labels[out["format"]] + (" playlist" if out["path"].endswith(".m3u8") else "")
                links.append(f'<a href="{escape(out["path"])}">{label}</a>')
        notes = []
        if state.get("state") == "outdated":
            notes.append(
                f"outdated translation: of version {state['version']}; the article is now {state['source_version']}"
            )
        elif state.get("state") in ("refused", "failed"):
            notes.append(f"not built: {state.get('reason', '')}")
        if any(o.get("draft") for o in outs):
            notes.append("draft translation, not yet medically reviewed")
        if state.get("accepted_findings"):
            notes.append(
                f"{len(state['accepted_findings'])} check findings accepted by a reviewer: "
                + "; ".join(state["accepted_findings"])
            )
        if state.get("state") not in ("refused", "failed"):
            notes += [f"not built: {reason}" for reason in failures.get(key, [])]
        note = "".join(f"<br><em>{escape(n)}</em>" for n in notes)
        items.append(
            f'<li><strong>{escape(article)}</strong>: <span lang="{escape(locale.replace("_", "-"))}">'
            f"{escape(name)}</span> ({escape(locale)}): {' · '.join(links) or 'no files'}{note}</li>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Patient handouts</title></head>\n'
        "<body><h1>Patient handouts</h1>\n<ul>\n" + "\n".join(items) + "\n</ul></body></html>\n"
    )
    write_if_changed(build_dir / "index.html", page.encode("utf-8"), tmp_dir=build_dir / ".tmp")


def _is_fresh(entry: dict[str, Any] | None, digest: str, build_dir: Path) -> bool:
    """Up to date: the same inputs, and every output inside build/ with the sha256 the manifest says.

    Outputs are verified by content, never by size (a same-size overwrite is caught); hashing
    them costs milliseconds. A manifest path leading out of build/ makes the entry invalid.
    """
    if not isinstance(entry, dict) or entry.get("inputs") != digest or not isinstance(entry.get("outputs"), list):
        return False
    root = build_dir.resolve()
    for out in entry["outputs"]:
        if not isinstance(out, dict) or not isinstance(out.get("path"), str) or not isinstance(out.get("sha256"), str):
            return False
        path = build_dir / out["path"]
        if not path.resolve().is_relative_to(root) or path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != out["sha256"]:
                return False
    return True


# -- planning ------------------------------------------------------------------------------


def plan(project: Project, locales: list[str] | None, formats: list[str] | None) -> Plan:
    result = Plan()
    manifest = read_manifest(project.build_dir)
    chosen_formats = [f for f in FORMAT_ORDER if f in (formats or BUILDERS)]
    builders = {name: get_builder(name) for name in chosen_formats}
    seen: dict[str, Path] = {}
    for source in project.articles():
        article = _article(source)
        if article.slug in seen:
            raise PackagerError(f"slug {article.slug!r} is also the slug of {seen[article.slug].name}", source)
        seen[article.slug] = source
        translations = [loc for loc in project.catalog_locales(article.slug) if loc != article.meta.language]
        all_locales = [article.meta.language, *translations]
        for locale in all_locales:
            if locales and locale not in locales:
                continue
            targets = [Target(article.slug, locale, fmt, source) for fmt in chosen_formats]
            digests: dict[Target, str] = {}
            unready: dict[Target, str] = {}  # e.g. no voice for this language: only this target fails
            for t in targets:
                try:
                    digests[t] = target_inputs(project, t, builders[t.format])
                except PackagerError as exc:
                    unready[t] = str(exc)
            stale = [
                t
                for t in targets
                if t in unready or not _is_fresh(manifest["targets"].get(t.key), digests[t], project.build_dir)
            ]
            fresh = [
                Outcome(t, "up to date", outputs=manifest["targets"][t.key]["outputs"])
                for t in targets
                if t not in stale
            ]
            result.fresh += fresh
            state_key = f"{article.slug}/{locale}"
            if not stale:
                known = manifest["locales"].get(state_key)  # its inputs are unchanged, so is its state
                result.states[state_key] = known or fresh[0].outputs[0].get("translation") or _state("current", article)
                continue
            try:
                localized, accepted = _localize(project, article, locale)
            except PackagerError as exc:
                from packager.i18n.translate import OutdatedRefused

                refused = isinstance(exc, OutdatedRefused)
                result.refused += [Outcome(t, "refused" if refused else "failed", str(exc)) for t in stale]
                result.states[state_key] = {"state": "refused" if refused else "failed", "reason": str(exc)}
                if refused:
                    result.withdrawn.append(state_key)
                continue
            result.states[state_key] = _state("outdated" if localized.outdated else "current", localized, article)
            result.states[state_key] |= {"draft": localized.draft, "accepted_findings": accepted}
            for t in stale:
                try:
                    if t in unready:
                        raise PackagerError(unready[t])
                    builders[t.format].preflight(project, [locale])
                except PackagerError as exc:
                    result.refused.append(Outcome(t, "failed", str(exc)))
                else:
                    result.todo.append((t, digests[t], localized))
        missing = sorted(set(locales or ()) - set(all_locales))
        if missing:
            raise PackagerError(
                f"no catalog for locale {', '.join(missing)} (there are: {', '.join(all_locales)}); "
                "run 'packager init LOCALE' to start one",
                source,
            )
    result.todo.sort(key=lambda item: FORMAT_ORDER.index(item[0].format))
    return result


def _localize(project: Project, article: Article, locale: str) -> tuple[Article, list[str]]:
    """The translate transform, then the checks of what it chose to publish (the current text
    or an earlier one): a translation with errors is never built. Also returns the findings a
    reviewer accepted, which every report lists."""
    from packager.i18n.translate import localize

    translation = localize(project, article, locale)
    if translation.catalog is not None and translation.path is not None:
        from packager.i18n import checks
        from packager.i18n.signoff import load_signoff

        signoff = load_signoff(project, article.slug, locale)
        findings = checks.check_catalog(
            translation.source, translation.catalog, translation.path, locale, False, translation.earlier, signoff
        )
        errors = [f for f in findings + checks.check_ui_words(locale) if f.blocking]
        if errors:
            more = f" (and {len(errors) - 1} more; run 'packager check --locale {locale}')" if len(errors) > 1 else ""
            raise PackagerError(f"translation check failed: {errors[0]}{more}")
        accepted = [f"{f.key or 'catalog'}: {f.message} [{f.code}]" for f in findings if f.accepted]
        return translation.article, accepted
    return translation.article, []


def _state(state: str, published: Article, article: Article | None = None) -> dict[str, Any]:
    """What the manifest and index say a locale publishes."""
    current = (article or published).meta.version
    return {"state": state, "version": published.meta.version, "source_version": current}


# -- running -------------------------------------------------------------------------------


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
    import time

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


def _run_target(project: Project, target: Target, article: Article, digest: str) -> Outcome:
    """Build one target in a worker process and write its files atomically."""
    started = time.perf_counter()
    builder = get_builder(target.format)

    def progress(done: int, total: int, label: str) -> None:
        if _PROGRESS is not None:
            _PROGRESS.put((target.key, done, total, label))

    product: Product = builder.build(article, project, progress)
    outputs = []
    locale_dir = project.build_dir / target.locale
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
            "article_version": article.meta.version,
            "draft": article.draft,
            "translation": _state("outdated" if article.outdated else "current", article)
            | ({"source_version": article.outdated.current_version} if article.outdated else {}),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "inputs": digest,
        }
        if name == builder.outputs(article)[0]:
            entry.update(product.info)
        outputs.append(entry)
    return Outcome(target, "built", seconds=time.perf_counter() - started, outputs=outputs)


class _Display:
    """Progress across targets: a line per finished target, and on a terminal a bar per
    running target (per utterance for audio). Silent with --quiet."""

    def __init__(self, quiet: bool, total: int):
        self.quiet = quiet
        self.total = total
        self.done = 0
        self.bars: dict[str, Any] = {}
        self.interactive = sys.stderr.isatty()

    def progress(self, key: str, done: int, total: int, label: str) -> None:
        if self.quiet or not self.interactive:
            return
        bar = self.bars.get(key)
        if bar is None:
            from tqdm import tqdm

            bar = self.bars[key] = tqdm(total=total, desc=key, unit="step", leave=False, file=sys.stderr)
        bar.total = total
        bar.n = done
        bar.refresh()

    def finished(self, outcome: Outcome) -> None:
        bar = self.bars.pop(outcome.target.key, None)
        if bar is not None:
            bar.close()
        self.done += 1
        if self.quiet:
            return
        detail = f"{outcome.seconds:.1f} s" if outcome.status == "built" else outcome.reason
        line = f"[{self.done}/{self.total}] {outcome.status}: {outcome.target.key} ({detail})"
        if self.bars:
            from tqdm import tqdm

            tqdm.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def execute(project: Project, the_plan: Plan, jobs: int, quiet: bool) -> list[Outcome]:
    build_dir = project.build_dir
    manifest = read_manifest(build_dir)
    outcomes = list(the_plan.fresh) + list(the_plan.refused)
    display = _Display(quiet, len(the_plan.todo))
    manifest["locales"].update(the_plan.states)
    for key in [k for k in manifest["targets"] if k.rsplit("/", 1)[0] in the_plan.withdrawn]:
        # A refused outdated translation, in any format, must not stay where staff print from.
        for out in manifest["targets"].pop(key)["outputs"]:
            path = (build_dir / out["path"]).resolve()
            if path.is_relative_to(build_dir.resolve()) and path.is_file():
                path.unlink()
    for outcome in the_plan.refused:
        manifest["targets"].pop(outcome.target.key, None)
        manifest["failures"][outcome.target.key] = outcome.reason
    for outcome in the_plan.fresh:
        manifest["failures"].pop(outcome.target.key, None)
    if not the_plan.todo:
        write_manifest(build_dir, manifest)
        write_index(build_dir, manifest)
        return outcomes
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(the_plan.todo)))
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait  # only when there is work

    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    if context.get_start_method() == "forkserver":
        # Import the heavy libraries once, in the fork server: workers start with them, sharing their pages.
        formats = {target.format for target, _, _ in the_plan.todo}
        context.set_forkserver_preload(sorted({m for f in formats for m in getattr(get_builder(f), "preload", ())}))
    queue = context.Queue()
    initargs = (queue, os.getpid())
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=initargs) as pool:
        futures: dict[Future, Target] = {
            pool.submit(_run_target, project, target, article, digest): target
            for target, digest, article in the_plan.todo
        }
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                _drain(queue, display)
                for future in finished:
                    outcome = _outcome(future, futures[future])
                    if outcome.status == "built":
                        manifest["targets"][outcome.target.key] = {
                            "inputs": outcome.outputs[0]["inputs"],
                            "outputs": outcome.outputs,
                        }
                        manifest["failures"].pop(outcome.target.key, None)
                    else:
                        manifest["targets"].pop(outcome.target.key, None)
                        manifest["failures"][outcome.target.key] = outcome.reason
                    write_manifest(build_dir, manifest)
                    display.finished(outcome)
                    outcomes.append(outcome)
        except KeyboardInterrupt:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    write_index(build_dir, manifest)
    return outcomes


def _drain(queue: Any, display: _Display) -> None:
    import queue as queues

    while True:
        try:
            display.progress(*queue.get_nowait())
        except queues.Empty:
            return


def _outcome(future: Future, target: Target) -> Outcome:
    try:
        return future.result()
    except PackagerError as exc:
        return Outcome(target, "failed", str(exc))
    except Exception as exc:  # a builder bug must not stop the other targets
        return Outcome(target, "failed", f"{type(exc).__name__}: {exc}")


def build(project: Project, locales=None, formats=None, jobs: int = 0, quiet: bool = False) -> list[Outcome]:
    """Plan and run a build under the build lock; returns an outcome for every target."""
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
            if not quiet:
                print("packager: another build is running in this project; waiting for it", file=sys.stderr)
            lock.acquire()
        try:
            _file_digest.cache_clear()  # a second build in one process must see edits made since the first
            _article.cache_clear()
            shutil.rmtree(build_dir / ".tmp", ignore_errors=True)  # leftovers of a killed build
            the_plan = plan(project, locales, formats)
            return execute(project, the_plan, jobs, quiet)
        finally:
            lock.release()
    except OSError as exc:  # build/ is a file, read-only, full: say so, in one line
        where = exc.filename or build_dir
        raise PackagerError(f"cannot write the build folder: {exc.strerror or exc}", where) from None


# -- command -------------------------------------------------------------------------------


def run(project: Project, args: Any) -> int:
    outcomes = build(project, args.locale, args.format, args.jobs, args.quiet or args.json)
    failed = [o for o in outcomes if o.status in ("failed", "refused")]
    if args.json:
        print(json.dumps([_summary(o) for o in outcomes], indent=2, ensure_ascii=False))
    elif not args.quiet:
        print(summary_table(outcomes))
        for key, state in sorted(read_manifest(project.build_dir)["locales"].items()):
            if state.get("accepted_findings"):
                print(f"{key}: {len(state['accepted_findings'])} findings accepted by a reviewer (see manifest.json)")
    for where, reason in failure_lines(failed):
        print(f"packager: error: {where}: {reason}", file=sys.stderr)
    return 1 if failed else 0


def failure_lines(failed: list[Outcome]) -> list[tuple[str, str]]:
    """Each failure once: the formats of one article and locale that failed for one reason share a line."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for o in failed:
        grouped.setdefault((o.target.slug, o.target.locale, o.reason), []).append(o.target.format)
    return [(f"{slug}/{locale} ({', '.join(formats)})", reason) for (slug, locale, reason), formats in grouped.items()]


def _summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "target": outcome.target.key,
        "status": outcome.status,
        "reason": outcome.reason,
        "seconds": round(outcome.seconds, 2),
        "outputs": [o["path"] for o in outcome.outputs],
    }


def summary_table(outcomes: list[Outcome]) -> str:
    """One row per target; reasons are printed once, apart (see :func:`failure_lines`)."""
    from packager.cli import format_table

    rows = [("target", "status", "detail")]
    for o in sorted(outcomes, key=lambda o: o.target.key):
        detail = f"{o.seconds:.1f} s" if o.status == "built" else ""
        if o.outputs and o.outputs[0].get("translation", {}).get("state") == "outdated":
            detail = (detail + " " if detail else "") + f"outdated: version {o.outputs[0]['translation']['version']}"
        rows.append((o.target.key, o.status, detail))
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "up to date", "failed", "refused")}
    return format_table(rows) + "\n" + ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "refused")

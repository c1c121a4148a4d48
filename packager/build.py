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
from packager.atomic import atomic_write
from packager.builders import BUILDERS, Builder, Product, get_builder
from packager.document import Article
from packager.errors import PackagerError
from packager.project import Project
from packager.source import read_article

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


# -- input hashing -------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


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
    try:
        data = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"version": MANIFEST_VERSION, "targets": {}}
    if data.get("version") != MANIFEST_VERSION or not isinstance(data.get("targets"), dict):
        return {"version": MANIFEST_VERSION, "targets": {}}
    return data


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    targets = dict(sorted(manifest["targets"].items()))
    outputs = [out for entry in targets.values() for out in entry["outputs"]]
    data = {"version": MANIFEST_VERSION, "packager": __version__, "outputs": outputs, "targets": targets}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    atomic_write(build_dir / MANIFEST, text.encode("utf-8"), tmp_dir=build_dir / ".tmp")


_FILE_ORDER = (".pdf", ".mp3", ".m4b", ".m3u8")  # the order of links to one language's files


def write_index(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/index.html: every output by article and language, for clinic staff to open and print."""
    from html import escape

    from babel import Locale, UnknownLocaleError

    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in manifest["targets"].values():
        for out in entry["outputs"]:
            rows.setdefault((out["article"], out["locale"]), []).append(out)
    labels = {"handout": "Handout (PDF)", "large-print": "Large print (PDF)", "audio": "Audio"}
    items = []
    for (article, locale), outs in sorted(rows.items()):
        try:
            name = Locale.parse(locale).get_display_name(locale) or locale
        except (ValueError, UnknownLocaleError):
            name = locale
        links = []
        order = ("handout", "large-print", "audio")
        for out in sorted(outs, key=lambda o: (order.index(o["format"]), _FILE_ORDER.index(Path(o["path"]).suffix))):
            if out["path"].count("/") == 1:  # the main files, not the per-section tracks
                kind = {".m3u8": " playlist", ".m4b": " audiobook (M4B)"}.get(Path(out["path"]).suffix, "")
                label = labels[out["format"]] + kind
                links.append(f'<a href="{escape(out["path"])}">{label}</a>')
        draft = " (draft translation, not yet medically reviewed)" if any(o.get("draft") for o in outs) else ""
        items.append(
            f'<li><strong>{escape(article)}</strong>: <span lang="{escape(locale.replace("_", "-"))}">'
            f"{escape(name)}</span>{draft}: {' · '.join(links)}</li>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Patient handouts</title></head>\n'
        "<body><h1>Patient handouts</h1>\n<ul>\n" + "\n".join(items) + "\n</ul></body></html>\n"
    )
    atomic_write(build_dir / "index.html", page.encode("utf-8"), tmp_dir=build_dir / ".tmp")


def _is_fresh(entry: dict[str, Any] | None, digest: str, build_dir: Path) -> bool:
    if not entry or entry.get("inputs") != digest:
        return False
    return all(
        (build_dir / out["path"]).is_file() and (build_dir / out["path"]).stat().st_size == out["size"]
        for out in entry["outputs"]
    )


# -- planning ------------------------------------------------------------------------------


def plan(project: Project, locales: list[str] | None, formats: list[str] | None) -> Plan:
    result = Plan()
    manifest = read_manifest(project.build_dir)
    chosen_formats = [f for f in FORMAT_ORDER if f in (formats or BUILDERS)]
    builders = {name: get_builder(name) for name in chosen_formats}
    for source in project.articles():
        article = _article(source)
        translations = [loc for loc in project.catalog_locales(article.slug) if loc != article.meta.language]
        all_locales = [article.meta.language, *translations]
        for locale in all_locales:
            if locales and locale not in locales:
                continue
            targets = [Target(article.slug, locale, fmt, source) for fmt in chosen_formats]
            digests = {t: target_inputs(project, t, builders[t.format]) for t in targets}
            stale = [t for t in targets if not _is_fresh(manifest["targets"].get(t.key), digests[t], project.build_dir)]
            result.fresh += [
                Outcome(t, "up to date", outputs=manifest["targets"][t.key]["outputs"])
                for t in targets
                if t not in stale
            ]
            if not stale:
                continue
            try:
                localized = _localize(project, article, locale)
            except PackagerError as exc:
                result.refused += [Outcome(t, "failed", str(exc)) for t in stale]
                continue
            result.todo += [(t, digests[t], localized) for t in stale]
        missing = sorted(set(locales or ()) - set(all_locales))
        if missing:
            raise PackagerError(f"no catalog for locale {', '.join(missing)}; run 'packager init LOCALE'", source)
    for name, builder in builders.items():
        wanted = sorted({t.locale for t, _, _ in result.todo if t.format == name})
        if wanted:
            builder.preflight(project, wanted)
    result.todo.sort(key=lambda item: FORMAT_ORDER.index(item[0].format))
    return result


def _localize(project: Project, article: Article, locale: str) -> Article:
    """Checks first (a translation with errors is never built), then the translate transform."""
    from packager.i18n.translate import localized

    if locale != article.meta.language:
        from packager.i18n import checks

        findings = checks.check_locale(project, article, locale, readability=False)
        errors = [f for f in findings if f.severity == "error" and not f.accepted]
        if errors:
            more = f" (and {len(errors) - 1} more; run 'packager check --locale {locale}')" if len(errors) > 1 else ""
            raise PackagerError(f"translation check failed: {errors[0]}{more}")
    return localized(project, article, locale)


# -- running -------------------------------------------------------------------------------


_PROGRESS: Any = None  # the queue to the parent's display, set in each worker by _init_worker


def _init_worker(queue: Any) -> None:
    global _PROGRESS
    _PROGRESS = queue


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
        atomic_write(path, data, tmp_dir=project.build_dir / ".tmp")
        entry = {
            "path": path.relative_to(project.build_dir.resolve()).as_posix(),
            "article": target.slug,
            "locale": target.locale,
            "format": target.format,
            "article_version": article.meta.version,
            "draft": article.draft,
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
    for outcome in the_plan.refused:
        manifest["targets"].pop(outcome.target.key, None)
    if not the_plan.todo:
        if the_plan.refused or not (build_dir / MANIFEST).exists():
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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(queue,)) as pool:
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
                    else:
                        manifest["targets"].pop(outcome.target.key, None)
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

    build_dir = project.build_dir
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


# -- command -------------------------------------------------------------------------------


def run(project: Project, args: Any) -> int:
    outcomes = build(project, args.locale, args.format, args.jobs, args.quiet or args.json)
    failed = [o for o in outcomes if o.status == "failed"]
    if args.json:
        print(json.dumps([_summary(o) for o in outcomes], indent=2, ensure_ascii=False))
    elif not args.quiet:
        print(summary_table(outcomes))
    for outcome in failed:
        print(f"packager: error: {outcome.target.key}: {outcome.reason}", file=sys.stderr)
    return 1 if failed else 0


def _summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "target": outcome.target.key,
        "status": outcome.status,
        "reason": outcome.reason,
        "seconds": round(outcome.seconds, 2),
        "outputs": [o["path"] for o in outcome.outputs],
    }


def summary_table(outcomes: list[Outcome]) -> str:
    from packager.cli import format_table

    rows = [("target", "status", "detail")]
    for o in sorted(outcomes, key=lambda o: o.target.key):
        detail = o.reason or (f"{o.seconds:.1f} s" if o.status == "built" else "")
        rows.append((o.target.key, o.status, detail))
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "up to date", "failed")}
    return format_table(rows) + "\n" + ", ".join(f"{n} {s}" for s, n in counts.items())

"""The command line: parse arguments, call the library, print, exit.

Exit codes: 0 done; 1 the work ran but something failed (a target, a check,
an incomplete locale); 2 bad input or usage, with a one-line error on stderr.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from packager import __version__
from packager.builders import formats
from packager.errors import PackagerError


def _parser() -> argparse.ArgumentParser:
    # Options every command takes, before or after its name (defaults are set once, in main).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only errors")
    common.add_argument(
        "-C", dest="directory", metavar="DIR", type=Path, default=argparse.SUPPRESS, help="run in project folder DIR"
    )
    parser = argparse.ArgumentParser(
        prog="packager",
        description="Build translated, accessible patient handouts, large-print PDFs and audio from one article.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"packager {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("extract", parents=[common], help="write locales/<slug>.pot from the articles")
    p = sub.add_parser("init", parents=[common], help="start a catalog for a new locale")
    p.add_argument("locale", help="locale name, like es, pt_BR or zh_Hans")
    sub.add_parser("update", parents=[common], help="re-extract and merge the templates into every catalog")
    p = sub.add_parser("stats", parents=[common], help="translated, fuzzy and untranslated messages per locale")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("check", parents=[common], help="check translations against the source")
    p.add_argument("--locale", action="append", help="only this locale (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("review", parents=[common], help="sign a medical review of a translation (reviewers only)")
    p.add_argument("locale", help="the locale reviewed")
    p.add_argument("--by", required=True, metavar="NAME", help="the reviewer's name")
    p = sub.add_parser("accept", parents=[common], help="accept one finding of 'packager check' (reviewers only)")
    p.add_argument("locale", help="the locale of the finding")
    p.add_argument("finding", nargs="+", help="the finding's accept_flag from 'packager check --json'")
    p.add_argument("--by", required=True, metavar="NAME", help="the reviewer's name")
    p = sub.add_parser("build", parents=[common], help="build handouts, large-print PDFs and audio")
    p.add_argument("--locale", action="append", help="only this locale (repeatable)")
    p.add_argument(
        "--format", action="append", choices=[f.name for f in formats()], help="only this format (repeatable)"
    )
    p.add_argument("--jobs", "-j", type=int, default=0, help="parallel jobs (default: all cores)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--stage-cpu", action="store_true", help="print the CPU seconds each stage took (to stderr)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="build on a Dask cluster: its scheduler's address (tcp://host:8786), or local-cluster to start one here"
        " (setting build.scheduler)",
    )
    p.add_argument(
        "--cache", metavar="DIR_OR_URL", help="a shared cache of built targets: a folder or fsspec URL (build.cache)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    try:
        from packager.project import find_root, load_project

        # -C names the project; without it, the project is found from here upwards.
        project = load_project(args.directory if hasattr(args, "directory") else find_root(Path.cwd()))
        return COMMANDS[args.command](project, args)
    except PackagerError as exc:
        print(f"packager: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("packager: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `packager check --json | head`: the reader left, that is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message)


def _show(project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def cmd_extract(project, args) -> int:
    from packager.i18n import workflow

    for path, changed in workflow.extract(project):
        _say(args, f"{'wrote' if changed else 'unchanged'} {_show(project, path)}")
    return 0


def cmd_init(project, args) -> int:
    from packager.i18n import workflow

    for path in workflow.init(project, args.locale):
        _say(args, f"created {_show(project, path)}")
    return 0


def cmd_update(project, args) -> int:
    from packager.i18n import workflow

    for path, changed in workflow.update(project):
        _say(args, f"{'updated' if changed else 'unchanged'} {_show(project, path)}")
    return 0


def cmd_stats(project, args) -> int:
    from packager.i18n import workflow

    rows = workflow.stats(project)
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
        return 0
    header = (
        "article",
        "locale",
        "translated",
        "fuzzy",
        "untranslated",
        "done",
        "published",
        "accepted",
        "interface",
        "medical review",
    )
    table = [header] + [
        (
            r.article,
            r.locale,
            str(r.translated),
            str(r.fuzzy),
            str(r.untranslated),
            f"{r.percent:.0f}%",
            _PUBLISHED[r.state].format(version=r.published_version),
            str(r.accepted),
            f"{r.interface.translated}/{r.interface.total}",
            f"reviewed by {r.reviewed_by}" if r.reviewed else "not reviewed (draft)",
        )
        for r in rows
    ]
    print(format_table(table))
    return 0


_PUBLISHED = {
    "current": "current ({version})",
    "outdated": "OUTDATED: version {version}",
    "refused": "REFUSED: outdated",
    "incomplete": "NO: incomplete",
}


def cmd_check(project, args) -> int:
    """``packager check [--locale L]... [--json] [-q]``: exit 1 when any locale has an unaccepted error."""
    from packager.i18n import checks

    reports = checks.check_project(project, args.locale)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        print(format_report(reports, quiet=args.quiet))
    return 1 if any(f.blocking for r in reports for f in r.findings) else 0


def format_report(reports, quiet: bool = False) -> str:
    """Findings one per line (``path:line: severity: message [code]``), then a table per locale."""
    lines = [str(f) for r in reports for f in r.findings if not quiet or f.blocking]
    if quiet:
        return "\n".join(lines)
    rows = [("article", "locale", "errors", "warnings", "accepted", "result")]
    for r in reports:
        c = r.count()
        rows.append(
            (
                r.article,
                r.locale,
                str(c["error"]),
                str(c["warning"]),
                str(c["accepted"]),
                "FAIL" if c["error"] else "ok",
            )
        )
    if len(rows) == 1:
        return "no translations to check"
    hint = []
    if any(f.blocking for r in reports for f in r.findings):
        hint = [
            "",
            "A reviewer who has checked a finding accepts it in reviews/ (never in the PO file):",
            "'packager accept LOCALE accept-<code>:<id> --by NAME' ('packager check --json' gives each accept_flag).",
        ]
    return "\n".join([*lines, "", format_table(rows), *hint] if lines else [format_table(rows)])


def cmd_review(project, args) -> int:
    from packager.i18n import workflow

    for path, version in workflow.review(project, args.locale, args.by):
        _say(args, f"signed the review of version {version} in {_show(project, path)}")
    return 0


def cmd_accept(project, args) -> int:
    from packager.i18n import workflow

    for path, finding in workflow.accept(project, args.locale, args.finding, args.by):
        _say(args, f"accepted {finding} in {_show(project, path)}")
    return 0


def cmd_build(project, args) -> int:
    from packager.engine import build
    from packager.engine.manifest import read_manifest

    display = _Display(quiet=args.quiet or args.json)
    if args.scheduler is not None or args.cache is not None:
        import dataclasses

        chosen = {"scheduler": args.scheduler, "cache": args.cache}
        settings = dataclasses.replace(
            project.settings.build, **{name: value for name, value in chosen.items() if value is not None}
        )
        project = dataclasses.replace(project, settings=dataclasses.replace(project.settings, build=settings))
    outcomes = build(project, args.locale, args.format, args.jobs, display.report)
    failed = [o for o in outcomes if o.status in ("failed", "refused")]
    manifest = read_manifest(project.build_dir)  # what the targets' files are, and what each locale publishes
    if args.json:
        for line in _json_array(_summary(o, manifest) for o in outcomes):
            print(line)
    elif not args.quiet:
        for line in summary_lines(outcomes, manifest["locales"]):
            print(line)
        for key, state in sorted(manifest["locales"].items()):
            if state.get("accepted_findings"):
                print(f"{key}: {len(state['accepted_findings'])} findings accepted by a reviewer (see manifest.json)")
    for where, reason in failure_lines(failed):
        print(f"packager: error: {where}: {reason}", file=sys.stderr)
    if args.stage_cpu:
        print(stage_cpu_line(display.cpu), file=sys.stderr)
    return 1 if failed else 0


def stage_cpu_line(cpu: dict[str, float]) -> str:
    """One line, stages in build order: ``stage CPU seconds: plan 0.21, parse 0.05, ...``."""
    from packager.timings import STAGES

    ordered = [s for s in STAGES if s in cpu] + sorted(set(cpu) - set(STAGES))
    return "stage CPU seconds: " + ", ".join(f"{s} {cpu[s]:.2f}" for s in ordered)


class _Display:
    """Progress across targets: a line per finished target, and on a terminal a bar per
    running target (per utterance for audio). Silent with --quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.done = 0
        self.bars: dict[str, Any] = {}
        self.interactive = sys.stderr.isatty()
        self.cpu: dict[str, float] = {}

    def report(self, event) -> None:
        if event.kind == "waiting":
            if not self.quiet:
                print(f"packager: {event.label}", file=sys.stderr)
        elif event.kind == "progress":
            self.progress(event.key, event.done, event.total)
        elif event.kind == "finished":
            self.finished(event.outcome, event.queued)
        elif event.kind == "cpu":
            self.cpu = event.cpu

    def progress(self, key: str, done: int, total: int) -> None:
        if self.quiet or not self.interactive:
            return
        bar = self.bars.get(key)
        if bar is None:
            from tqdm import tqdm

            bar = self.bars[key] = tqdm(total=total, desc=key, unit="step", leave=False, file=sys.stderr)
        bar.total = total
        bar.n = done
        bar.refresh()

    def finished(self, outcome, total: int) -> None:
        bar = self.bars.pop(outcome.target.key, None)
        if bar is not None:
            bar.close()
        self.done += 1
        if self.quiet:
            return
        detail = f"{outcome.seconds:.1f} s" if outcome.status == "built" and not outcome.reason else outcome.reason
        line = f"[{self.done}/{total}] {outcome.status}: {outcome.target.key} ({detail})"
        if self.bars:
            from tqdm import tqdm

            tqdm.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def failure_lines(failed) -> list[tuple[str, str]]:
    """Each failure once: the formats of one article and locale that failed for one reason share a line."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for o in failed:
        grouped.setdefault((o.target.slug, o.target.locale, o.reason), []).append(o.target.format)
    return [(f"{slug}/{locale} ({', '.join(fmts)})", reason) for (slug, locale, reason), fmts in grouped.items()]


def _summary(outcome, manifest: dict[str, Any]) -> dict[str, Any]:
    listed = manifest["targets"].get(outcome.target.key, {}) if outcome.status in ("built", "up to date") else {}
    return {
        "target": outcome.target.key,
        "status": outcome.status,
        "reason": outcome.reason,
        "seconds": round(outcome.seconds, 2),
        "outputs": [o["path"] for o in listed.get("outputs", [])],
    }


def _json_array(items: Iterable[Any]) -> Iterator[str]:
    """Lines of ``json.dumps(list(items), indent=2)``, an item at a time: a library's build
    reports on every target without a list of them."""
    last = None  # the item before, written once the next shows whether a comma follows it
    for item in items:
        yield "[" if last is None else last + ","
        last = textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "  ")
    yield "[]" if last is None else f"{last}\n]"


def summary_lines(outcomes, published: Mapping[str, Any]) -> Iterator[str]:
    """A table of one row per target, in target order, then the counts; reasons are printed
    once, apart (see :func:`failure_lines`). ``outcomes``: the build's, on disk
    (:func:`packager.engine.targets.outcome_log`), read twice, never listed: the widths,
    then the rows. ``published``: what each "slug/locale" publishes (the manifest's locales)."""

    def body() -> Iterator[tuple[str, str, str]]:
        for o in outcomes.ordered():
            detail = (f"{o.reason}" if o.reason else f"{o.seconds:.1f} s") if o.status == "built" else ""
            state = published.get(f"{o.target.slug}/{o.target.locale}") or {}
            if o.status in ("built", "up to date") and state.get("state") == "outdated":
                detail = (detail + " " if detail else "") + f"outdated: version {state['version']}"
            yield (o.target.key, o.status, detail)

    heading = ("target", "status", "detail")
    widths = [len(cell) for cell in heading]
    counts = dict.fromkeys(("built", "up to date", "failed", "refused"), 0)
    for row in body():
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        if row[1] in counts:
            counts[row[1]] += 1
    yield from table_lines(itertools.chain([heading], body()), widths)
    yield ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "refused")


def format_table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(table_lines(rows, widths))


def table_lines(rows: Iterable[tuple[str, ...]], widths: list[int]) -> Iterator[str]:
    """A table's lines, its first row the heading, its columns ``widths`` wide."""
    for index, row in enumerate(rows):
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
        if index == 0:
            yield "  ".join("-" * w for w in widths)


COMMANDS = {
    "extract": cmd_extract,
    "init": cmd_init,
    "update": cmd_update,
    "stats": cmd_stats,
    "check": cmd_check,
    "review": cmd_review,
    "accept": cmd_accept,
    "build": cmd_build,
}

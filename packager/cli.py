"""The command line: parse arguments, call the library, print, exit.

Exit codes: 0 done; 1 the work ran but something failed (a target, a check,
an incomplete locale); 2 bad input or usage, with a one-line error on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from packager import __version__
from packager.errors import PackagerError

FORMATS = ("handout", "large-print", "audio")


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
    p.add_argument("--format", action="append", choices=FORMATS, help="only this format (repeatable)")
    p.add_argument("--jobs", "-j", type=int, default=0, help="parallel jobs (default: all cores)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
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
    from packager.i18n import checks

    return checks.run(project, args)


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
    from packager import build

    return build.run(project, args)


def format_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


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

"""``build/manifest.json`` (every output with its sha256, what each locale publishes, every
failure) and ``build/index.html`` (the same, for clinic staff)."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

from packager import __version__
from packager.atomic import atomic_stream, write_if_changed
from packager.errors import PackagerError
from packager.project import stat_key

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


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
    data.pop("outputs", None)  # the targets' outputs again, in one list: written for readers, not kept
    return data


def check_writable(build_dir: Path) -> None:
    """A folder where the manifest goes stops the build before any work, not after it."""
    if (build_dir / MANIFEST).is_dir():
        raise PackagerError("the manifest is a folder; remove it and build again", build_dir / MANIFEST)


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/manifest.json: every output, what each locale publishes (current, outdated with its
    version, refused or failed with the reason), every target that failed, with its reason, and
    under ``shared`` the files a format writes for all its targets (the site's home page)."""
    targets = dict(sorted(manifest["targets"].items()))
    outputs = [out for entry in targets.values() for out in entry["outputs"]]
    shared = dict(sorted(manifest.get("shared", {}).items()))  # by format: its files of no one target or locale
    data = {
        "version": MANIFEST_VERSION,
        "packager": __version__,
        "locales": dict(sorted(manifest["locales"].items())),
        "failures": dict(sorted(manifest["failures"].items())),
        "outputs": outputs,
        "targets": targets,
        "shared": shared,
    }
    check_writable(build_dir)
    text = itertools.chain(json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data), ["\n"])
    # A few KB a target, written every second while a build runs: never held whole in memory.
    atomic_stream(build_dir / MANIFEST, text, build_dir / ".tmp", if_changed=True)


def write_index(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/index.html: every language of every article, for clinic staff to open and print.

    Every locale the last build planned is listed, whatever happened to it: its outputs, whether
    it is current or an outdated translation (and of which version), or why it was not built.
    """
    from html import escape

    from packager.i18n.cldr import native_name

    outputs: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["targets"].values():
        for out in entry["outputs"]:
            outputs.setdefault(f"{out['article']}/{out['locale']}", []).append(out)
    failures: dict[str, list[str]] = {}
    for key, reason in manifest["failures"].items():
        slug, locale, fmt = key.split("/", 2)
        failures.setdefault(f"{slug}/{locale}", []).append(f"{fmt}: {reason}")
    from packager.builders import FORMATS, formats

    order = [f.name for f in formats()]
    items = []
    for key in sorted({*manifest["locales"], *outputs, *failures}):
        article, locale = key.split("/", 1)
        name = native_name(locale)
        state = manifest["locales"].get(key, {})
        outs = outputs.get(key, [])
        links = []
        shown = [  # not per-section files, nor data for machines (timings): the manifest lists those
            o
            for o in outs
            if o["format"] in FORMATS
            and (o.get("main") or o["path"].count("/") == 1)
            and not o["path"].endswith(".json")
        ]
        for out in sorted(shown, key=lambda o: (order.index(o["format"]), not o.get("main"), o["path"])):
            label = FORMATS[out["format"]].label
            if not out.get("main"):  # a second file of the format: say what kind
                label += f" ({out['path'].rsplit('.', 1)[-1]})"
            links.append(f'<a href="{escape(out["path"])}">{escape(label)}</a>')
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


VERIFIED = ".cache/verified.json"
#: build folder -> output path -> [size, mtime_ns, ctime_ns, inode, device, sha256]: outputs whose
#: content was hashed (or written) with that stat, so a no-op build need not read them again.
_verified: dict[Path, dict[str, list]] = {}


def _stat_key(path: Path) -> list:
    return list(stat_key(path.stat()))


def _known(build_dir: Path) -> dict[str, list]:
    if build_dir not in _verified:
        try:
            data = json.loads((build_dir / VERIFIED).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        _verified[build_dir] = data if isinstance(data, dict) else {}
    return _verified[build_dir]


def output_sha256(path: Path, build_dir: Path) -> str:
    """An output's sha256, read again only when its stat changed since it was last hashed or written.

    Any write to a file changes its ctime, which no program can set back (git's index relies on
    the same), so a same-size overwrite, even with its mtime restored, is still read and caught.
    """
    known = _known(build_dir)
    key, stat = str(path.relative_to(build_dir)), _stat_key(path)
    seen = known.get(key)
    if isinstance(seen, list) and seen[:-1] == stat:
        return str(seen[-1])
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    known[key] = [*stat, digest]
    return digest


def remember_outputs(build_dir: Path, outputs: list[dict[str, Any]]) -> None:
    """Outputs just written, with the sha256 they were written with: the next build need not read them."""
    known = _known(build_dir)
    for out in outputs:
        try:
            known[out["path"]] = [*_stat_key(build_dir / out["path"]), out["sha256"]]
        except OSError:
            known.pop(out["path"], None)


def save_verified(build_dir: Path) -> None:
    known = _verified.pop(build_dir, None)
    if known is not None:
        data = json.dumps(known, sort_keys=True).encode()
        write_if_changed(build_dir / VERIFIED, data, tmp_dir=build_dir / ".tmp")


def is_fresh(entry: dict[str, Any] | None, digest: str, build_dir: Path) -> bool:
    """Up to date: the same inputs, and every output inside build/ with the sha256 the manifest says.

    Outputs are verified by content, never by size (a same-size overwrite is caught); an output
    is read again only when its stat changed since it was last hashed (:func:`output_sha256`).
    A manifest path leading out of build/ makes the entry invalid.
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
        if output_sha256(path, build_dir) != out["sha256"]:
            return False
    return True

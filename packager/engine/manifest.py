"""``build/manifest.json`` (every output with its sha256, what each locale publishes, every
failure) and ``build/index.html`` (the same, for clinic staff)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from io import BufferedReader
from pathlib import Path
from typing import Any

from packager import __version__
from packager.atomic import atomic_stream
from packager.engine.store import STORE, VERIFIED, Store, Table, groups, kept, with_prefix
from packager.errors import PackagerError
from packager.project import stat_key
from packager.statcache import sha256_of

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest, to read: the last build's rows while they are manifest.json's (see
    :mod:`.store`), else manifest.json itself, read whole."""
    path = build_dir / STORE
    if path.is_file():
        try:
            store = Store(path, readonly=True)
            if store.meta("manifest") is not None and store.meta("manifest") == _sha256(build_dir / MANIFEST):
                return _backed(store)
        except sqlite3.Error:
            pass
    return _load(build_dir)


def open_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest a build plans against and records into, a row at a time (see :mod:`.store`).

    Its rows are loaded again from manifest.json when that is not the file the store last
    wrote. Where no store can be kept (a read-only build folder), manifest.json is read whole.
    """
    try:
        store = Store.open(build_dir / STORE)
        with _opened(build_dir / MANIFEST) as handle:  # opened once: hashed, and read only if changed
            current = None if handle is None else hashlib.file_digest(handle, "sha256").hexdigest()
            if current is None or store.meta("manifest") != current:
                store.load(_parse(handle), current)
    except (OSError, sqlite3.Error):
        return _load(build_dir)
    return _backed(store)


def _backed(store: Store) -> dict[str, Any]:
    return {"version": MANIFEST_VERSION, **store.tables(), "shared": store.meta("shared") or {}}


def _load(build_dir: Path) -> dict[str, Any]:
    with _opened(build_dir / MANIFEST) as handle:
        return _parse(handle)


@contextmanager
def _opened(path: Path) -> Iterator[BufferedReader | None]:
    """The file open for reading, or None if it cannot be (missing, a folder, unreadable)."""
    try:
        handle = path.open("rb")
    except OSError:
        yield None
        return
    with handle:
        yield handle


def _parse(handle: BufferedReader | None) -> dict[str, Any]:
    """A manifest read whole from its start (an empty one if it is not ours)."""
    empty: dict[str, Any] = {"version": MANIFEST_VERSION, "targets": {}, "locales": {}, "failures": {}}
    if handle is None:
        return empty
    try:
        handle.seek(0)
        data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):  # unreadable, not JSON: start afresh
        return empty
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return empty
    if not all(isinstance(data.get(key), dict) for key in ("targets", "locales", "failures")):
        return empty
    data.pop("outputs", None)  # the targets' outputs again, in one list: written for readers, not kept
    return data


def _sha256(path: Path) -> str | None:
    try:
        return sha256_of(str(path))
    except OSError:  # missing, a folder, unreadable
        return None


def check_writable(build_dir: Path) -> None:
    """A folder where the manifest goes stops the build before any work, not after it."""
    if (build_dir / MANIFEST).is_dir():
        raise PackagerError("the manifest is a folder; remove it and build again", build_dir / MANIFEST)


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/manifest.json: every output, what each locale publishes (current, outdated with its
    version, refused or failed with the reason), every target that failed, with its reason, and
    under ``shared`` the files a format writes for all its targets (the site's home page).

    Written as ``json.dumps(indent=2)`` would, a target at a time: a library's manifest (a few
    KB a target, written every second while a build runs) is never held whole in memory.
    """
    check_writable(build_dir)
    digest = hashlib.sha256()

    def text() -> Iterator[str]:
        yield f'{{\n  "version": {MANIFEST_VERSION},\n  "packager": {json.dumps(__version__)},\n  "locales": '
        yield from _object(_in_order(manifest["locales"]), 1)
        yield ',\n  "failures": '
        yield from _object(_in_order(manifest["failures"]), 1)
        yield ',\n  "outputs": '
        yield from _array((out for _, entry in _in_order(manifest["targets"]) for out in entry["outputs"]), 1)
        yield ',\n  "targets": '
        yield from _object(_in_order(manifest["targets"]), 1)
        yield ',\n  "shared": '  # by format: its files of no one target or locale
        yield from _object(sorted(manifest.get("shared", {}).items()), 1)
        yield "\n}\n"

    def hashed() -> Iterator[str]:
        for piece in text():
            digest.update(piece.encode("utf-8"))
            yield piece

    atomic_stream(build_dir / MANIFEST, hashed(), build_dir / ".tmp", if_changed=True)
    if isinstance(manifest["targets"], Table):
        store = manifest["targets"].store
        store.set_meta("shared", manifest.get("shared", {}))
        store.set_meta("manifest", digest.hexdigest())


def _in_order(mapping: Any) -> Iterable[tuple[str, Any]]:
    return mapping.rows() if isinstance(mapping, Table) else sorted(mapping.items())


def _object(pairs: Iterable[tuple[str, Any]], depth: int) -> Iterator[str]:
    """A JSON object as ``json.dumps(indent=2)`` writes it at this depth, a member at a time."""
    inner, opening = "\n" + "  " * (depth + 1), "{"
    for key, value in pairs:
        yield f"{opening}{inner}{json.dumps(key, ensure_ascii=False)}: {_indented(value, depth + 1)}"
        opening = ","
    yield "{}" if opening == "{" else "\n" + "  " * depth + "}"


def _array(values: Iterable[Any], depth: int) -> Iterator[str]:
    inner, opening = "\n" + "  " * (depth + 1), "["
    for value in values:
        yield f"{opening}{inner}{_indented(value, depth + 1)}"
        opening = ","
    yield "[]" if opening == "[" else "\n" + "  " * depth + "]"


def _indented(value: Any, depth: int) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def write_index(build_dir: Path, manifest: dict[str, Any]) -> None:
    """build/index.html: every language of every article, for clinic staff to open and print.

    Every locale the last build planned is listed, whatever happened to it: its outputs, whether
    it is current or an outdated translation (and of which version), or why it was not built.
    Written a locale at a time, from its rows: a library's index is not held whole.
    """

    from packager.builders import formats

    order = [f.name for f in formats()]

    def lines() -> Iterator[str]:
        yield '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Patient handouts</title></head>\n'
        yield "<body><h1>Patient handouts</h1>\n<ul>\n"
        for key in groups(manifest["locales"], manifest["targets"], manifest["failures"]):
            yield _index_item(key, manifest, order) + "\n"
        yield "</ul></body></html>\n"

    atomic_stream(build_dir / "index.html", lines(), tmp_dir=build_dir / ".tmp", if_changed=True)


def _index_item(key: str, manifest: dict[str, Any], order: list[str]) -> str:
    """The index's line for one "slug/locale": its files (``order``: the formats' names, in build
    order), and what a reader must know of them."""
    from html import escape

    from packager.builders import FORMATS
    from packager.i18n.cldr import native_name

    article, locale = key.split("/", 1)
    state = manifest["locales"].get(key, {})
    outs = [out for _, entry in with_prefix(manifest["targets"], key + "/") for out in entry["outputs"]]
    failures = [f"{k.rsplit('/', 1)[1]}: {reason}" for k, reason in with_prefix(manifest["failures"], key + "/")]
    shown = [  # not per-section files, nor data for machines (timings): the manifest lists those
        o
        for o in outs
        if o["format"] in FORMATS and (o.get("main") or o["path"].count("/") == 1) and not o["path"].endswith(".json")
    ]
    links = []
    for out in sorted(shown, key=lambda o: (order.index(o["format"]), not o.get("main"), o["path"])):
        label = FORMATS[out["format"]].label
        if not out.get("main"):  # a second file of the format: say what kind
            label += f" ({out['path'].rsplit('.', 1)[-1]})"
        links.append(f'<a href="{escape(out["path"])}">{escape(label)}</a>')
    notes = []
    if state.get("state") == "outdated":
        version, now = state["version"], state["source_version"]
        notes.append(f"outdated translation: of version {version}; the article is now {now}")
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
        notes += [f"not built: {reason}" for reason in failures]
    note = "".join(f"<br><em>{escape(n)}</em>" for n in notes)
    return (
        f'<li><strong>{escape(article)}</strong>: <span lang="{escape(locale.replace("_", "-"))}">'
        f"{escape(native_name(locale))}</span> ({escape(locale)}): {' · '.join(links) or 'no files'}{note}</li>"
    )


def _stat_key(path: Path) -> list:
    return list(stat_key(path.stat()))


def _known(build_dir: Path) -> MutableMapping[str, Any]:
    """Output path -> [size, mtime_ns, ctime_ns, inode, device, sha256]: outputs whose content was
    hashed (or written) with that stat, so a no-op build need not read them again."""
    return kept(build_dir, VERIFIED)


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

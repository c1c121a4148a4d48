"""The manifest's rows on disk (packager/engine/store.py): what a build plans against and records
into, without holding the manifest; manifest.json written from them stays what readers read."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from packager.engine.manifest import MANIFEST, open_manifest, read_manifest, write_index, write_manifest
from packager.engine.store import STORE, Store, Table


def manifest_data(targets: int) -> dict[str, Any]:
    """A manifest of this many targets, with text a JSON encoder must escape."""
    target = {"article": "a", "locale": "fr", "format": "braille"}
    entries = {
        f"a{n:05d}/fr/braille": {
            "inputs": f"{n:064x}",
            "outputs": [
                {"path": f"fr/a{n:05d}.brf", "sha256": f"{n:064x}", "main": True, "title": 'Lupus « é » \u2028 "q"'}
                | target,
                {"path": f"fr/a{n:05d}.pef", "sha256": f"{n + 1:064x}", "main": False, "size": n * 1.5} | target,
            ],
        }
        for n in range(targets)
    }
    return {
        "version": 1,
        "targets": entries,
        "locales": {f"a{n:05d}/fr": {"state": "current", "version": "1.0.0"} for n in range(targets)},
        "failures": {"z/ar/audio": "no voice for ar"},
        "shared": {"site": [{"path": "site/index.html", "sha256": "0" * 64}]},
    }


def write_through_store(folder: Path, data: dict[str, Any]) -> None:
    """The manifest a build would write after recording ``data``'s rows."""
    stored = open_manifest(folder)
    for name in ("targets", "locales", "failures"):
        stored[name].update(data[name])
    write_manifest(folder, stored)


def expected_text(data: dict[str, Any]) -> str:
    """The manifest as json.dumps(indent=2) writes it, keys sorted, with the outputs listed flat."""
    from packager import __version__

    ordered = {
        "version": 1,
        "packager": __version__,
        "locales": dict(sorted(data["locales"].items())),
        "failures": dict(sorted(data["failures"].items())),
        "outputs": [out for _, entry in sorted(data["targets"].items()) for out in entry["outputs"]],
        "targets": dict(sorted(data["targets"].items())),
        "shared": dict(sorted(data.get("shared", {}).items())),
    }
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("targets", [0, 1, 40])
def test_the_manifest_written_from_rows_is_what_json_dumps_writes(tmp_path: Path, targets: int) -> None:
    data = manifest_data(targets)
    if not targets:
        data["failures"] = {}
        data["shared"] = {}
    (tmp_path / "plain").mkdir()
    write_manifest(tmp_path / "plain", data)
    assert (tmp_path / "plain" / MANIFEST).read_text(encoding="utf-8") == expected_text(data)
    build = tmp_path / "stored"
    build.mkdir()
    stored = open_manifest(build)
    assert isinstance(stored["targets"], Table)
    for name in ("targets", "locales", "failures"):
        stored[name].update(reversed(data[name].items()))  # stored in any order, written in key order
    stored["shared"] = data["shared"]
    write_manifest(build, stored)
    assert (build / MANIFEST).read_text(encoding="utf-8") == expected_text(data)


def test_a_table_is_a_mapping_kept_on_disk(tmp_path: Path) -> None:
    table = open_manifest(tmp_path)["failures"]
    table["b"] = "two"
    table["a"] = {"why": ["é"]}
    assert len(table) == 2 and "a" in table and "c" not in table and 3 not in table
    assert list(table) == ["a", "b"] and list(table.items()) == [("a", {"why": ["é"]}), ("b", "two")]
    assert list(table.values()) == [{"why": ["é"]}, "two"] and table == {"b": "two", "a": {"why": ["é"]}}
    value = table["a"]
    value["why"].append("changed")  # a copy: the row changes only when stored
    assert table["a"] == {"why": ["é"]}
    assert table.pop("b") == "two" and table.pop("b", None) is None and table.get("b") is None
    with pytest.raises(KeyError):
        del table["b"]
    with pytest.raises(KeyError):
        table["b"]
    again = Store(tmp_path / STORE).tables()["failures"]  # autocommit: another connection sees every row
    assert dict(again.items()) == {"a": {"why": ["é"]}}


def test_a_manifest_changed_deleted_or_damaged_is_what_the_next_build_trusts(tmp_path: Path) -> None:
    data = manifest_data(3)
    write_through_store(tmp_path, data)
    assert dict(open_manifest(tmp_path)["targets"].items()) == data["targets"]
    assert isinstance(read_manifest(tmp_path)["targets"], Table)  # in step: readers read rows too
    path = tmp_path / MANIFEST
    edited = json.loads(path.read_text(encoding="utf-8"))
    del edited["targets"]["a00001/fr/braille"]
    path.write_text(json.dumps(edited), encoding="utf-8")  # changed by hand: the rows are not its
    assert isinstance(read_manifest(tmp_path)["targets"], dict)
    assert read_manifest(tmp_path)["targets"].keys() == {"a00000/fr/braille", "a00002/fr/braille"}
    assert list(open_manifest(tmp_path)["targets"]) == ["a00000/fr/braille", "a00002/fr/braille"]
    path.unlink()  # deleted: nothing is trusted to be built
    assert len(open_manifest(tmp_path)["targets"]) == 0
    path.write_text(json.dumps(data), encoding="utf-8")
    store = tmp_path / STORE
    for leftover in store.parent.glob(store.name + "*"):
        leftover.write_bytes(b"not a database " * 100)  # damaged: made anew, from manifest.json
    assert list(open_manifest(tmp_path)["targets"]) == sorted(data["targets"])
    assert list(read_manifest(tmp_path)["locales"]) == sorted(data["locales"])


def test_a_build_folder_that_cannot_keep_a_store_reads_the_manifest_whole(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST
    path.write_text(json.dumps(manifest_data(2)), encoding="utf-8")
    (tmp_path / ".cache").write_text("a file where the store's folder goes")  # fails as root too, unlike chmod
    manifest = open_manifest(tmp_path)
    assert isinstance(manifest["targets"], dict)
    assert list(manifest["targets"]) == sorted(manifest_data(2)["targets"])


def test_planning_against_a_big_manifest_holds_a_row_at_a_time(tmp_path: Path) -> None:
    """6,000 targets (about 6 MB of manifest): read whole, it would take several times its size.
    So would the index page, if it gathered every target's files before it wrote a line."""
    data = manifest_data(6000)
    write_through_store(tmp_path, data)
    size = (tmp_path / MANIFEST).stat().st_size
    assert size > 5_000_000
    write_index(tmp_path / "warm", {"targets": {}, "failures": {}, "locales": {"a/fr": {}, "z/ar": {}}})  # CLDR loaded
    tracemalloc.start()
    try:
        manifest = open_manifest(tmp_path)
        found = sum(len(entry["outputs"]) for entry in manifest["targets"].values())
        seen = [manifest["targets"][key]["inputs"] for key in sorted(data["targets"])[:10]]
        manifest["targets"]["a00001/fr/braille"] = {"inputs": "new", "outputs": []}
        write_manifest(tmp_path, manifest)
        write_index(tmp_path, manifest)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == 12000 and seen == [f"{n:064x}" for n in range(10)]
    assert peak < size / 4, (peak, size)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count("<li>") == len({*data["locales"], "z/ar"})  # a locale with a failure alone is listed
    assert index.count('href="fr/a0') == 2 * (6000 - 1) and "audio: no voice for ar" in index  # a00001: no files now
    assert json.loads((tmp_path / MANIFEST).read_text())["targets"]["a00001/fr/braille"]["inputs"] == "new"

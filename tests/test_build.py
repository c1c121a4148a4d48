"""The build engine: incremental, isolated failures, atomic under SIGKILL, safe when concurrent, reproducible."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from packager.engine.store import STORE
from packager.i18n.pofile import read_catalog, write_catalog
from packager.source import read_article
from tests.conftest import ALL_LOCALES, REPO, SLUG, copy_project, run_packager

PDF_FORMATS = ("--format", "handout", "--format", "large-print")


def build_json(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_packager("-C", str(root), "build", "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def statuses(summary: list[dict]) -> dict[str, str]:
    return {row["target"]: row["status"] for row in summary}


def outputs(root: Path) -> dict[str, bytes]:
    build = root / "build"
    return {
        p.relative_to(build).as_posix(): p.read_bytes()
        for p in sorted(build.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(build).parts)
    }


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with its PDFs built once (audio is covered by the session build)."""
    root = copy_project(tmp_path_factory.mktemp("pdfbuild") / "project")
    code, summary = build_json(root, *PDF_FORMATS)
    assert code == 0, summary
    return root


def test_manifest_lists_every_output(pdf_build: Path) -> None:
    manifest = json.loads((pdf_build / "build" / "manifest.json").read_text(encoding="utf-8"))
    by_path = {o["path"]: o for o in manifest["outputs"]}
    version = read_article(pdf_build / "source" / f"{SLUG}.md").meta.version
    for locale in ALL_LOCALES:
        for name, fmt in ((f"{SLUG}.pdf", "handout"), (f"{SLUG}.large-print.pdf", "large-print")):
            entry = by_path[f"{locale}/{name}"]
            data = (pdf_build / "build" / locale / name).read_bytes()
            assert entry["format"] == fmt and entry["locale"] == locale and entry["article_version"] == version
            assert entry["size"] == len(data) and data.startswith(b"%PDF")
            import hashlib

            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert len(entry["inputs"]) == 64 and entry["pages"] >= 1
            assert entry["draft"] is (locale != "en")


def test_second_build_does_nothing(pdf_build: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (pdf_build / "build").rglob("*.pdf")}
    code, summary = build_json(pdf_build, *PDF_FORMATS)
    assert code == 0
    assert set(statuses(summary).values()) == {"up to date"}
    assert {p: p.stat().st_mtime_ns for p in (pdf_build / "build").rglob("*.pdf")} == before


def test_editing_a_translation_rebuilds_only_that_locale(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(path, locale="es")
    message = catalog.get("Key points", context="key-points/heading")
    message.string = "Puntos clave para usted"
    write_catalog(path, catalog)
    code, summary = build_json(root, *PDF_FORMATS)
    assert code == 0
    rebuilt = {k for k, v in statuses(summary).items() if v == "built"}
    assert rebuilt == {f"{SLUG}/es/handout", f"{SLUG}/es/large-print"}


def test_a_second_article_is_untouched_by_edits_to_the_first(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    (root / "packager.yaml").write_text("locales: []\n", encoding="utf-8")
    other = (REPO / "source" / f"{SLUG}.md").read_text(encoding="utf-8").replace(f"slug: {SLUG}", "slug: second")
    (root / "source" / "second.md").write_text(other, encoding="utf-8")
    shutil.rmtree(root / "locales")
    code, summary = build_json(root, "--format", "handout")
    assert code == 0 and statuses(summary)["second/en/handout"] == "built"
    source = root / "source" / f"{SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("strong medicine", "powerful medicine"), "utf-8")
    code, summary = build_json(root, "--format", "handout")
    assert statuses(summary) == {f"{SLUG}/en/handout": "built", "second/en/handout": "up to date"}


def test_one_bad_locale_fails_alone_with_its_reason(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    path = root / "locales" / "vi" / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(path, locale="vi")
    message = next(m for m in catalog if m.id and "$375,000 to $475,000" in m.id)
    broken = str(message.string).replace("475", "485", 1)  # a changed price, in the locale's own digits
    assert broken != message.string
    message.string = broken
    write_catalog(path, catalog)
    shutil.rmtree(root / "build" / "es")
    result = run_packager("-C", str(root), "build", *PDF_FORMATS)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1, "the failure is named once, not once per format"
    assert f"{SLUG}/vi (handout, large-print)" in errors[0] and "[number-changed]" in errors[0]
    assert f"vi/LC_MESSAGES/{SLUG}.po:" in errors[0]
    assert (root / "build" / "es" / f"{SLUG}.pdf").is_file(), "other locales still build"
    # The good vi handout from before is still there, untouched.
    assert (root / "build" / "vi" / f"{SLUG}.pdf").read_bytes() == (
        pdf_build / "build" / "vi" / f"{SLUG}.pdf"
    ).read_bytes()


def test_builds_are_byte_identical(pdf_build: Path, tmp_path: Path) -> None:
    root = copy_project(tmp_path / "again")
    code, _ = build_json(root, *PDF_FORMATS, "--jobs", "1")
    assert code == 0
    first, second = outputs(pdf_build), outputs(root)
    first.pop("manifest.json"), second.pop("manifest.json")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


@pytest.mark.slow
def test_killed_build_leaves_no_partial_file_and_next_build_completes(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    good = outputs(root)
    (root / "build" / "manifest.json").unlink()  # every handout is rebuilt
    process = subprocess.Popen(
        [sys.executable, "-m", "packager", "-C", str(root), "build", "--quiet", "--format", "handout"],
        start_new_session=True,
    )
    # The manifest is written again as soon as the first handout is done: kill then, mid-build.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (root / "build" / "manifest.json").exists():
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert 1 <= len(manifest["targets"]) < len(ALL_LOCALES), "killed part-way"
    for path, data in outputs(root).items():
        assert path in good, f"unexpected file {path}"
        if path.endswith(".pdf"):
            assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), f"partial file {path}"
    code, summary = build_json(root, "--format", "handout")
    assert code == 0 and set(statuses(summary).values()) <= {"built", "up to date"}
    assert not any((root / "build" / ".tmp").glob("*"))


@pytest.mark.slow
def test_concurrent_builds_do_not_corrupt_anything(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    shutil.rmtree(root / "build" / "ar")
    command = [sys.executable, "-m", "packager", "-C", str(root), "build", "--json", "--locale", "ar", *PDF_FORMATS]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [(*p.communicate(timeout=600), p.returncode) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    kinds = sorted(tuple(sorted(statuses(json.loads(out)).values())) for out, _, _ in results)
    assert kinds == [("built", "built"), ("up to date", "up to date")], "the lock serialises them"
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        assert (root / "build" / entry["path"]).stat().st_size == entry["size"]


def test_index_page_links_every_language(pdf_build: Path) -> None:
    page = (pdf_build / "build" / "index.html").read_text(encoding="utf-8")
    for locale in ALL_LOCALES:
        assert f'href="{locale}/{SLUG}.pdf"' in page and f'href="{locale}/{SLUG}.large-print.pdf"' in page
    assert "español" in page and "العربية" in page and "draft translation" in page


def test_one_paragraph_edit_resynthesises_one_utterance_per_locale(shipped_build: Path, tmp_path: Path) -> None:
    from benchmarks.build_benchmark import cache_entries, edit_one_paragraph

    root = tmp_path / "project"
    shutil.copytree(shipped_build, root)
    chapters = root / "build" / ".cache" / "tts" / "chapters"
    before, chapters_before = cache_entries(root), sum(1 for _ in chapters.rglob("*.mp3"))
    edit_one_paragraph(root)
    code, summary = build_json(root, "--format", "audio")
    assert code == 0, summary
    assert set(statuses(summary).values()) == {"built"}, "the edit touches every locale's narration"
    assert cache_entries(root) - before == len(ALL_LOCALES), "exactly one new utterance per locale"
    new_chapters = sum(1 for _ in chapters.rglob("*.mp3")) - chapters_before
    assert new_chapters == len(ALL_LOCALES), "only the edited section is mastered and encoded again"


def test_no_op_build_loads_no_renderer_or_engine(pdf_build: Path) -> None:
    """What keeps a no-op rebuild fast: planning never imports WeasyPrint, numpy or a TTS engine."""
    code = (
        "import sys\nfrom packager.cli import main\n"
        f"args = ['-C', {str(pdf_build)!r}, 'build', '-q', '--format', 'handout', '--format', 'large-print']\n"
        "assert main(args) == 0\n"
        "print(sorted(m for m in ('weasyprint', 'numpy', 'scipy', 'piper', 'gtts', 'textstat') if m in sys.modules))\n"
        "from multiprocessing import forkserver\n"
        "print(forkserver._forkserver._forkserver_pid)"  # nor starts the workers' fork server
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "None"]


def test_a_build_with_work_starts_its_workers_before_checking_translations(pdf_build: Path, tmp_path: Path) -> None:
    """The fork server's imports (WeasyPrint, about a second) overlap the translation checks."""
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    shutil.rmtree(root / "build" / "es")
    code = (
        "import sys\nfrom multiprocessing import forkserver\nimport packager.engine.plan as planning\n"
        "from packager.cli import main\n"
        "check = planning.localize_checked\n"
        "def checked(*args):\n"
        "    print('fork server running:', forkserver._forkserver._forkserver_pid is not None)\n"
        "    return check(*args)\n"
        "planning.localize_checked = checked\n"
        f"sys.exit(main(['-C', {str(root)!r}, 'build', '-q', '--format', 'handout']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["fork server running: True"]


def test_source_language_listed_as_a_locale_is_built_once(pdf_build: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(pdf_build, root)
    (root / "packager.yaml").write_text("locales: [en, es]\n", encoding="utf-8")
    code, summary = build_json(root, "--format", "handout")
    assert code == 0
    assert sorted(row["target"] for row in summary) == [f"{SLUG}/en/handout", f"{SLUG}/es/handout"]
    assert run_packager("-C", str(root), "stats").returncode == 0


def test_changing_an_image_rebuilds_the_handout(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    meta = yaml.safe_load((REPO / "source" / f"{SLUG}.md").read_text(encoding="utf-8").split("---", 2)[1])
    meta.pop("glossary", None)  # its terms are not in this one-line body
    front = yaml.safe_dump({**meta, "slug": "steps"}, allow_unicode=True)
    body = "## Steps\n\n![Four steps: collect, change, grow and return the T cells](steps.svg)\n"
    (root / "source" / "steps.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20"><rect width="{}" height="20"/></svg>'
    (root / "source" / "steps.svg").write_text(svg.format(50), encoding="utf-8")
    code, summary = build_json(root, "--format", "handout")
    assert code == 0 and statuses(summary) == {"steps/en/handout": "built"}
    assert build_json(root, "--format", "handout")[1][0]["status"] == "up to date"
    (root / "source" / "steps.svg").write_text(svg.format(80), encoding="utf-8")
    assert statuses(build_json(root, "--format", "handout")[1]) == {"steps/en/handout": "built"}


def _plan_opening(root: Path, formats: list[str]) -> tuple[Any, dict[str, int]]:
    """A fresh process's plan of ``root``, and how often it opened each file of the project."""
    from collections import Counter

    from packager.engine.inputs import forget
    from packager.engine.plan import plan
    from packager.project import _READ, _RECENT, load_project

    opened: Counter[str] = Counter()
    watching = True

    def audit(event: str, args: tuple) -> None:
        if watching and event == "open" and isinstance(args[0], (str, Path)) and str(args[0]).startswith(str(root)):
            opened[str(args[0])] += 1

    sys.addaudithook(audit)
    forget()
    _READ.clear()  # nothing this test process read before counts
    _RECENT.clear()
    the_plan = plan(load_project(root), None, formats)
    watching = False
    assert opened, "the audit hook saw the plan's reads"
    return the_plan, dict(opened)


def test_a_no_op_plan_opens_every_project_file_at_most_once(tmp_path: Path) -> None:
    """Planning cost grows with the library: a file is read once, whether to parse it or to hash it."""
    from benchmarks.library import make_library

    root = make_library(tmp_path / "library", articles=2, locales=2, sections=1)
    code, _ = build_json(root, "--format", "braille")
    assert code == 0
    the_plan, opened = _plan_opening(root, ["braille"])
    assert the_plan.todo == [] and len(the_plan.fresh) == 4
    assert {path: n for path, n in opened.items() if n > 1} == {}


def test_a_cold_plan_opens_every_catalog_once_though_it_hashes_and_parses_them(tmp_path: Path) -> None:
    """Stale targets: each article's catalog is hashed, then parsed to translate, and the UI catalog
    is parsed for every article's checks; each is opened once all the same."""
    from benchmarks.library import make_library

    root = make_library(tmp_path / "library", articles=2, locales=2, sections=1)
    the_plan, opened = _plan_opening(root, ["braille", "handout"])
    assert len(the_plan.todo) == 2 * 2 * 2
    catalogs = {str(po) for po in (root / "locales").rglob("*.po")}
    assert catalogs and catalogs <= set(opened)  # every catalog was read (the library's: 2 articles + the UI's)
    assert {path: n for path, n in opened.items() if n > 1} == {}


def test_a_no_op_build_reads_no_settled_input_and_a_rewrite_keeping_size_and_mtime_is_still_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs hashed by an earlier build at the same stat are not read again (the store's "known" rows);
    a same-size rewrite with its old mtime put back still changes the ctime, and is rebuilt."""
    from benchmarks.library import make_library
    from packager import statcache
    from packager.engine.run import build
    from packager.project import _READ, _RECENT, load_project

    root = make_library(tmp_path / "library", articles=1, locales=2, sections=1)
    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))  # every file counts as settled at once
    project = load_project(root)
    assert {o.status for o in build(project, None, ["braille"])} == {"built"}
    opened: list[str] = []
    watching = True

    def audit(event: str, args: tuple) -> None:
        if watching and event == "open" and isinstance(args[0], (str, Path)):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    _READ.clear()
    _RECENT.clear()
    assert {o.status for o in build(load_project(root), None, ["braille"])} == {"up to date"}
    watching = False
    project_files = {str(p) for p in (root / "locales").rglob("*") if p.is_file()}
    assert project_files and not project_files & set(opened)  # catalogs, lexicons: hashed before, not opened now
    catalog = next((root / "locales").glob("*/LC_MESSAGES/*-1.po"))
    before = catalog.stat()
    text = catalog.read_text(encoding="utf-8")
    at = text.rindex(" ánd ")  # one letter of the last translation, for another: the same size
    changed = text[:at] + " ánt " + text[at + 5 :]
    assert len(changed.encode()) == len(text.encode()) and changed != text
    catalog.write_text(changed, encoding="utf-8")
    os.utime(catalog, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert catalog.stat().st_size == before.st_size and catalog.stat().st_mtime_ns == before.st_mtime_ns
    locale = catalog.parent.parent.name
    got = {o.target.key: o.status for o in build(load_project(root), None, ["braille"])}
    assert {k for k, s in got.items() if s == "built"} == {f"{catalog.stem}/{locale}/braille"}


def test_inputs_changed_in_the_last_two_seconds_are_hashed_again_by_the_next_build(tmp_path: Path) -> None:
    """A file may change again within its timestamp's tick with the same stat: a digest taken that
    soon after a change is used for this build but not kept for the next (the store's "known" rows)."""
    from benchmarks.library import make_library

    root = make_library(tmp_path / "library", articles=1, locales=2, sections=1)
    catalogs = {str(p) for p in (root / "locales").rglob("*.po")}
    time.sleep(2.1)  # the article settles
    for po in catalogs:  # just written, as an editor saving it
        Path(po).write_bytes(Path(po).read_bytes())
    code, _ = build_json(root, "--format", "braille")
    assert code == 0
    with sqlite3.connect(root / "build" / STORE) as db:  # read as another program would
        known = {key for (key,) in db.execute("SELECT key FROM known")}
    assert catalogs and not catalogs & set(known)
    assert any(key.startswith(str(root / "source")) for key in known)  # older files are kept

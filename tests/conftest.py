"""Shared fixtures: the shipped project copied to a temporary folder, and one full build of it.

The full build is made once per test session (building is the slow part);
tests read its outputs and never modify them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SLUG = "lupus-car-t-cell-therapy"
#: Every translation shipped in the repository: a new catalog is tested without touching the tests.
SHIPPED_LOCALES = tuple(sorted(p.parent.parent.name for p in (REPO / "locales").glob(f"*/LC_MESSAGES/{SLUG}.po")))
ALL_LOCALES = ("en", *SHIPPED_LOCALES)


def copy_project(dest: Path) -> Path:
    """A private copy of the shipped project (sources, catalogs, lexicons, settings)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, dest / name)
    settings = REPO / "packager.yaml"
    if settings.exists():
        shutil.copy(settings, dest / "packager.yaml")
    return dest


#: ``python -m packager`` under scripts/mutation.sh: the mutated copy imports mutmut, which reads its
#: settings from the folder it starts in; so start in the copy's root, then run where the test asked.
_UNDER_MUTMUT = (
    "import os, runpy, sys; here = os.getcwd(); os.chdir(sys.argv.pop(1)); import mutmut.__main__; "
    "os.chdir(here); runpy.run_module('packager', run_name='__main__', alter_sys=True)"
)


def run_packager(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess: exit codes and stderr as a user sees them."""
    command = [sys.executable, "-m", "packager"]
    if os.environ.get("MUTANT_UNDER_TEST") is not None:
        command = [sys.executable, "-c", _UNDER_MUTMUT, str(REPO)]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        # The code beside these tests, even when another copy is installed: mutation testing
        # runs the suite on a mutated copy of the project (see scripts/mutation.sh).
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            **(env or {}),
        },
        timeout=3600,
    )


def po_strings(path: Path) -> dict[str, str]:
    """msgctxt (or msgid, for entries without one) -> msgstr, read from the PO file's text.

    An oracle independent of the code under test: no Babel, no packager. packager writes
    every string on one line, and the shipped catalogs are packager's.
    """
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}

    def unescape(text: str) -> str:
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text)

    text = path.read_text(encoding="utf-8")
    pattern = r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\nmsgstr "(.*)"$'
    return {unescape(m[1] if m[1] is not None else m[2]): unescape(m[3]) for m in re.finditer(pattern, text, re.M)}


def ui_string(locale: str, msgid: str) -> str:
    """packager's own words in ``locale``, read from the interface catalog's text (English if absent)."""
    path = REPO / "locales" / locale / "LC_MESSAGES" / "packager.po"
    return (po_strings(path).get(msgid) if path.exists() else None) or msgid


def expected_article(article, locale: str):
    """The source article with every text replaced by the catalog's msgstr, read as text:
    what a translated output must show, independent of the translate transform."""
    import dataclasses

    if locale == article.meta.language:
        return article
    strings = po_strings(REPO / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po")
    return article.map_texts(lambda text: dataclasses.replace(text, markdown=strings[text.key]))


def figure_alts(struct_tree: object) -> list[str]:
    """The alternative texts of every /Figure in a tagged PDF's structure tree (pikepdf objects)."""
    import pikepdf

    out, stack = [], [struct_tree]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
        elif isinstance(item, pikepdf.Dictionary):
            if item.get("/S") == "/Figure" and "/Alt" in item:
                out.append(str(item.Alt))
            if "/K" in item:
                stack.append(item.K)
    return out


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project, built once per test run: every format in every shipped locale.

    Once per run, not once per xdist worker: the workers share the run's temporary folder,
    and the first to get the lock builds while the others wait for it (pytest-xdist's recipe).
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's folder, not an older one
    root = shared / "shipped" / "project"
    with FileLock(str(shared / "shipped.lock")):
        if not (shared / "shipped" / "built").exists():
            shutil.rmtree(shared / "shipped", ignore_errors=True)
            copy_project(root)
            result = run_packager("-C", str(root), "build", "--quiet")
            if result.returncode != 0:
                pytest.fail(f"packager build failed ({result.returncode}):\n{result.stderr[-4000:]}")
            (shared / "shipped" / "built").touch()
    return root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """mutmut 3.7 (the newest gTTS's click pin allows) reads ``item._nodeid``, which pytest 9 no longer
    sets; only while scripts/mutation.sh runs."""
    if os.environ.get("MUTANT_UNDER_TEST") is not None:
        for item in items:
            if not hasattr(item, "_nodeid"):
                item._nodeid = item.nodeid  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def project_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project, copied once per test module."""
    return copy_project(tmp_path_factory.mktemp("shipped") / "project")


@pytest.fixture
def fresh_project(project_root: Path, tmp_path: Path) -> Path:
    """A fresh copy of the shipped project per test, cheap: copied from the module's copy."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(project_root, root)
    return root

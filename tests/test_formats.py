"""A format is one unit: registered once, it is planned, built after what it needs, listed and
indexed; walkers refuse block kinds they do not know; the library has no import cycle."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHIPPED_LOCALES, SLUG, copy_project

RUN = "import sys, tests.fake_format\nfrom packager.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def packager_with_fake_format(*args: str) -> subprocess.CompletedProcess:
    """The real command line in a process where tests/fake_format.py registered its format."""
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=REPO, capture_output=True, text=True, timeout=900)


def statuses(result: subprocess.CompletedProcess) -> dict[str, str]:
    assert "Traceback" not in result.stderr, result.stderr
    return {row["target"]: row["status"] for row in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("formats") / "project")


def test_a_registered_format_is_planned_built_after_its_needs_listed_and_indexed(project: Path) -> None:
    result = packager_with_fake_format("-C", str(project), "build", "--format", "digest", "--json")
    assert result.returncode == 0, result.stderr
    got = statuses(result)
    for locale in ("en", *SHIPPED_LOCALES):
        assert got[f"{SLUG}/{locale}/digest"] == "built" and got[f"{SLUG}/{locale}/handout"] == "built"
        handout = (project / "build" / locale / f"{SLUG}.pdf").read_bytes()
        digest = (project / "build" / locale / f"{SLUG}.digest.txt").read_text(encoding="utf-8")
        assert digest.endswith(hashlib.sha256(handout).hexdigest() + "\n"), "built after the handout it reads"
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert {o["locale"] for o in manifest["outputs"] if o["format"] == "digest"} == {"en", *SHIPPED_LOCALES}
    index = (project / "build" / "index.html").read_text(encoding="utf-8")
    assert index.count(">Digest of the handout</a>") == 1 + len(SHIPPED_LOCALES)
    help_text = packager_with_fake_format("build", "--help").stdout
    assert "digest" in help_text


def test_dependents_rebuild_when_what_they_need_changes_and_only_then(project: Path) -> None:
    again = statuses(packager_with_fake_format("-C", str(project), "build", "--format", "digest", "--json"))
    assert set(again.values()) == {"up to date"}
    (project / "packager.yaml").write_text("audio:\n  bitrate: 96\n", encoding="utf-8")  # read by audio only
    got = statuses(packager_with_fake_format("-C", str(project), "build", "--format", "digest", "--json"))
    assert set(got.values()) == {"up to date"}, "a setting the PDFs do not read rebuilds nothing"
    (project / "packager.yaml").write_text("paper_size: A4\n", encoding="utf-8")  # the handout changes
    got = statuses(packager_with_fake_format("-C", str(project), "build", "--format", "digest", "--json"))
    assert got[f"{SLUG}/es/handout"] == "built" and got[f"{SLUG}/es/digest"] == "built"


def test_a_failed_dependency_fails_its_dependents_cleanly(project: Path, tmp_path: Path) -> None:
    root = copy_project(tmp_path / "broken")
    po = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "' in text and "$375.000" in text  # the Spanish price, written with Spanish separators
    po.write_text(text.replace("$375.000", "$37.500"), encoding="utf-8")
    result = packager_with_fake_format("-C", str(root), "build", "--format", "digest", "--locale", "es", "--json")
    assert result.returncode == 1
    got = statuses(result)
    assert got == {f"{SLUG}/es/handout": "failed", f"{SLUG}/es/digest": "failed"}
    assert not (root / "build" / "es" / f"{SLUG}.digest.txt").exists()


def test_every_walker_refuses_a_block_kind_it_does_not_know(project: Path) -> None:
    from packager.document import Section
    from packager.project import load_project
    from packager.render.html import HANDOUT, render
    from packager.source import read_article
    from packager.speech.lexicon import load_lexicon
    from packager.speech.script import build_script

    @dataclasses.dataclass(frozen=True)
    class Callout:  # a block kind no walker was taught
        text: str

    loaded = load_project(project)
    article = read_article(loaded.articles()[0])
    sections = (Section("new", None, (Callout("Talk to your care team"),)), *article.sections)
    article = dataclasses.replace(article, sections=sections)
    with pytest.raises(TypeError, match="the print renderer does not know Callout blocks"):
        render(article, loaded, HANDOUT)
    with pytest.raises(TypeError, match="the speech script does not know Callout blocks"):
        build_script(article, load_lexicon(loaded.locales_dir, "en"))


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """Modules imported when ``path`` is; ``from pkg import submodule`` counts as the submodule."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("packager"):
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules
            found |= submodules if len(submodules) == len(node.names) else {node.module}
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("packager"))
    return found


def test_the_library_has_no_import_cycle_and_never_imports_the_command_line() -> None:
    modules = {}
    for path in (REPO / "packager").rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph = {
        name: {m for m in _top_level_imports(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }
    for name, path in modules.items():
        if name != "packager.cli" and name != "packager.__main__":
            assert "packager.cli" not in path.read_text(encoding="utf-8"), f"{name} imports the command line"
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])

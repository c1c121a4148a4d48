"""The environment is the lock: what setup.sh installs is exactly requirements/*.lock."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version

from tests.conftest import REPO

LOCK_LINE = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", re.M)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(name: str) -> dict[str, tuple[str, str]]:
    text = (REPO / "requirements" / name).read_text(encoding="utf-8")
    return {_norm(n): (v, (marker or "").strip()) for n, v, marker in LOCK_LINE.findall(text)}


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    from packaging.markers import Marker
    from packaging.version import Version

    wrong = []
    for name, (pinned, marker) in _locked("test.lock").items():
        if marker and not Marker(marker).evaluate():
            continue  # for another platform
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        if installed == "missing" or Version(installed) != Version(pinned):
            wrong.append(f"{name}: locked {pinned}, installed {installed}")
    assert wrong == [], "run 'bash scripts/setup.sh --test'"


def test_every_line_of_the_lock_carries_hashes() -> None:
    for name in ("packager.lock", "test.lock"):
        text = (REPO / "requirements" / name).read_text(encoding="utf-8")
        assert LOCK_LINE.findall(text), name
        for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
            assert "--hash=sha256:" in block, block[:80]


def test_every_declared_dependency_is_locked() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, test = _locked("packager.lock"), _locked("test.lock")
    for requirement in project["dependencies"]:
        name = _norm(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in runtime and name in test, f"{name} is not in the lock: run 'bash scripts/lock.sh'"
    for requirement in project["optional-dependencies"]["test"]:
        name = _norm(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in test, f"{name} is not in requirements/test.lock: run 'bash scripts/lock.sh'"

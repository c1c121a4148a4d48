#!/usr/bin/env bash
# Drift report: install the newest versions pyproject.toml allows (not the lock) into a
# separate environment, .venv-newest, and run the tests there. Not part of CI's required
# path: it tells the maintainers what next year's fresh install would meet, before a
# clinic does. Prints which versions differ from the lock, then the test summary.
#   bash scripts/test-newest.sh [pytest arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --debian-only
rm -rf .venv-newest
python3 -m venv .venv-newest
.venv-newest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -e ".[test]"
echo "newest: versions that differ from requirements/test.lock"
.venv-newest/bin/python - <<'PY'
import re
from importlib.metadata import PackageNotFoundError, version
from packaging.markers import Marker
from packaging.version import Version

lock = open("requirements/test.lock", encoding="utf-8").read()
pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", lock, re.M)
for name, pinned, marker in pins:
    if (marker and not Marker(marker).evaluate()) or name in ("setuptools", "pip"):
        continue  # another platform's pin; the build backend
    try:
        newest = version(name)
    except PackageNotFoundError:
        continue
    if Version(newest) != Version(pinned):
        print(f"  {name}: locked {pinned}, newest {newest}")
PY
# Everything but the check that the environment is the lock (here it is not, on purpose).
.venv-newest/bin/python -m pytest -q "$@" \
    --deselect tests/test_install.py::test_every_locked_package_is_installed_at_its_locked_version
status=$?
echo "newest: pytest exited $status (0: the newest allowed versions pass)"
exit $status

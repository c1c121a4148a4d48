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
from importlib.metadata import distributions
locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", open("requirements/test.lock").read(), re.M))
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {norm(k): v for k, v in locked.items()}
for dist in sorted(distributions(), key=lambda d: norm(d.metadata["Name"])):
    name = norm(dist.metadata["Name"])
    if name in locked and locked[name] != dist.version:
        print(f"  {name}: locked {locked[name]}, newest {dist.version}")
PY
.venv-newest/bin/python -m pytest -q "$@"
status=$?
echo "newest: pytest exited $status (0: the newest allowed versions pass)"
exit $status

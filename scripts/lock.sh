#!/usr/bin/env bash
# Refresh the dependency locks from pyproject.toml: exact versions with sha256 hashes.
#   bash scripts/lock.sh            # re-resolve, keeping locked versions where still allowed
#   bash scripts/lock.sh --upgrade  # move every dependency to its newest allowed version
# uv (pinned below) resolves; setup.sh installs the result with plain pip --require-hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
tools=.cache/lock-tools
if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
upgrade=""
[ "${1:-}" = "--upgrade" ] && upgrade="--upgrade"
compile() {  # compile OUTPUT [--extra NAME]
    local out=$1
    shift
    "$tools/bin/uv" pip compile pyproject.toml requirements/build.in "$@" $upgrade \
        --universal --python-version 3.11 --generate-hashes --quiet \
        --custom-compile-command "bash scripts/lock.sh" --output-file "$out"
}
compile requirements/packager.lock --extra arabic  # Arabic short vowels are on by default (see README)
compile requirements/test.lock --extra test
echo "lock: wrote requirements/packager.lock and requirements/test.lock"

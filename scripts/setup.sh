#!/usr/bin/env bash
# Install everything packager needs on a fresh Debian machine:
# the Debian packages in debian-packages.txt (needs root), then a Python
# virtual environment in .venv with packager and exactly the locked dependencies.
#   bash scripts/setup.sh          # to build handouts
#   bash scripts/setup.sh --test   # also the test tools
#   bash scripts/setup.sh --debian-only  # only the Debian packages
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements/packager.lock
[ "${1:-}" = "--test" ] && lock=requirements/test.lock

lists=debian-packages.txt
[ "${1:-}" = "--test" ] && lists="$lists debian-test-packages.txt"
packages=$(cat $lists | grep -v '^\s*#' | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Debian's npm is its own package; a NodeSource nodejs ships npm inside and conflicts with it.
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null; then missing="$missing npm"; fi
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ "${1:-}" = "--debian-only" ] && exit 0

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment .venv"
    python3 -m venv .venv
fi
# Exactly the locked versions, checked against their sha256 hashes (bash scripts/lock.sh
# refreshes the lock), then packager itself with no further downloads.
echo "setup: installing $lock into .venv"
pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --require-hashes --no-deps -r "$lock"
"${pip[@]}" install --no-deps --no-build-isolation -e .
if [ "${1:-}" = "--test" ]; then
    # axe-core and Ace by DAISY, exactly as locked; Puppeteer (inside Ace) downloads no browser:
    # the tests give it Debian's Chromium (PUPPETEER_EXECUTABLE_PATH).
    echo "setup: installing tools/package-lock.json into tools/node_modules"
    (cd tools && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
echo "setup: done"

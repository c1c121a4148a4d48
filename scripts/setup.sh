#!/usr/bin/env bash
# Install everything packager needs on a fresh Debian machine:
# the Debian packages in debian-packages.txt (needs root), then a Python
# virtual environment in .venv with packager and its dependencies.
#   bash scripts/setup.sh          # to build handouts
#   bash scripts/setup.sh --test   # also the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras="[arabic]"  # Arabic short vowels (piper-tts ships the tashkeel model)
[ "${1:-}" = "--test" ] && extras="[test]"

packages=$(grep -v '^\s*#' debian-packages.txt | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment .venv"
    python3 -m venv .venv
fi
echo "setup: installing packager${extras} into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
echo "setup: done"

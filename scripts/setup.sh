#!/usr/bin/env bash
# Set up narrate on Debian 12: system packages (as root, via apt-get) and a
# Python virtual environment in .venv with narrate and its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg espeak-ng wamerican wbritish epubcheck default-jre-headless poppler-utils fonts-dejavu-core
              python3-venv python3-pip chromium strace)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js and npm (for axe-core): Debian's, unless the machine already has an npm.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,ray]"
# axe-core (accessibility engine) for the download-page tests, from the npm registry; it
# lives beside the Python environment so that `narrate clean --all` (which empties .narrate/) keeps it.
AXE_VERSION=4.14.1
if [ ! -f .venv/axe/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-save --no-audit --no-fund --prefix .venv/axe "axe-core@$AXE_VERSION" >/dev/null
fi
# DAISY Ace (EPUB accessibility checker) for the EPUB tests. Its puppeteer would download a
# Chrome of its own; it runs Debian's chromium instead (PUPPETEER_EXECUTABLE_PATH in the tests).
ACE_VERSION=1.4.6
if [ ! -x .venv/ace/node_modules/.bin/ace-cli ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-save --no-audit --no-fund --prefix .venv/ace \
    "@daisy/ace-cli@$ACE_VERSION" >/dev/null
fi
echo "setup: ready (.venv/bin/narrate)" >&2

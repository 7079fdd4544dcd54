#!/bin/sh
# Compile narrate's message catalogs (src/narrate/locale/*/LC_MESSAGES/narrate.po → .mo).
# The .mo files are shipped in the repository; tests/test_messages.py fails when one is stale.
set -e
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" -m babel.messages.frontend compile -d src/narrate/locale -D narrate --statistics

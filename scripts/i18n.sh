#!/usr/bin/env bash
# Refresh the message catalogs after changing UI strings: extract, then merge into each language.
# Source strings (msgids) are Simplified Chinese; English lives in wuye_field/translations/en.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location -o wuye_field/translations/messages.pot .
$BIN/pybabel -q update -i wuye_field/translations/messages.pot -d wuye_field/translations --no-fuzzy-matching
$BIN/pybabel -q compile -d wuye_field/translations --statistics

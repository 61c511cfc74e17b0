#!/usr/bin/env bash
# Install everything the tests need, then run every check: lint, types, tests, docs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
py=.venv/bin/python
$py -m ruff check .
$py -m ruff format --check .
$py -m mypy
$py -m mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
# pytest exits 5 when it collected nothing: that is a failure here, as any non-zero code.
$py -m pytest "$@"

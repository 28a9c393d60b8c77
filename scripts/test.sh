#!/usr/bin/env bash
# Install with the test tools (and Chromium), then run the whole test suite:
# unit and property tests, papermill and browser end-to-end tests, nbval on the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
.venv/bin/ruff check kpi tests benchmarks
exec .venv/bin/python -m pytest -q --nbval-lax --nbval-current-env tests notebooks "$@"

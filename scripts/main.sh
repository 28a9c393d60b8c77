#!/usr/bin/env bash
# Install, then run the quarterly job on the data shipped in data/raw/.
# Extra arguments go to `kpi run` (default: --quarter 2022Q1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
[ $# -gt 0 ] || set -- --quarter 2022Q1
exec .venv/bin/kpi run "$@"

#!/usr/bin/env bash
# Install kpi into ./.venv (created if missing) and register its Jupyter kernel.
#   scripts/install.sh          the package and what running it needs (with Debian's
#                               tesseract-ocr, tesseract-ocr-vie, libreoffice-writer-nogui)
#   scripts/install.sh dev      also the test tools, and Debian's chromium + chromium-driver
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
py="${PYTHON:-python3}"
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "kpi needs Python >= 3.11 (found $("$py" --version))" >&2; exit 2; }
# Reading PDFs, scans and Word 97 files: Tesseract with its Vietnamese model, LibreOffice.
need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr)
{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie; } \
  || need+=(tesseract-ocr-vie)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)  # Vietnamese glyphs
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$extra" = "dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev,cluster]"
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
else
  .venv/bin/python -m pip install -q -e .
fi
# "Python (kpi)": the kernel the notebooks name and kpi run starts; python3 for scratch work
.venv/bin/python -m ipykernel install --sys-prefix --name kpi --display-name "Python (kpi)" >/dev/null
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
echo "kpi installed in .venv ($(.venv/bin/python --version))"

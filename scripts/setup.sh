#!/usr/bin/env bash
# Set up a fresh machine: a virtualenv in .venv with the pinned requirements.
#   bash scripts/setup.sh         runtime only (to run the app)
#   bash scripts/setup.sh --dev   plus test tools, Debian's chromium for browser tests, Fashion-MNIST
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  # Fonts for the drawn-like test digits (ae_core/data/drawn.py): more faces make a more varied set; without
  # them the set uses whatever fonts are installed (DejaVu, Liberation), so installing them is best effort.
  FONTS="fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue"
  if ! command -v chromium >/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ] \
     || [ ! -d /usr/share/fonts/opentype/comic-neue ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium dataset-fashion-mnist >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends $FONTS >/dev/null || echo "note: fonts not installed; drawn-like digits use the fonts there are"
  fi
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi
echo "setup done: $(.venv/bin/python --version), $(.venv/bin/python -m pip --version | cut -d' ' -f1-2)"

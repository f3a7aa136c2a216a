#!/usr/bin/env bash
# Set up a fresh machine: a virtualenv in .venv with the pinned requirements.
#   bash scripts/setup.sh         runtime only (to run the app)
#   bash scripts/setup.sh --serve runtime plus Debian's nginx, for scripts/serve.sh --replicas N (a workshop)
#   bash scripts/setup.sh --dev   plus test tools, Debian's chromium for browser tests, Fashion-MNIST, nginx
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip

apt_install() {  # Debian packages, with sudo unless already root
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "$@" >/dev/null
}
# Debian's nginx (the proxy of scripts/serve.sh runs as the current user with its own config; the system
# service the package installs is not used).
have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }

case "${1:-}" in
  --dev)
    .venv/bin/python -m pip install -q -r requirements-dev.txt
    # Fonts for the drawn-like test digits (ae_core/data/drawn.py): more faces make a more varied set; without
    # them the set uses whatever fonts are installed (DejaVu, Liberation), so installing them is best effort.
    FONTS="fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue"
    if ! command -v chromium >/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ] || ! have_nginx \
       || [ ! -d /usr/share/fonts/opentype/comic-neue ]; then
      apt_install chromium dataset-fashion-mnist nginx
      $SUDO apt-get install -y -qq --no-install-recommends $FONTS >/dev/null || echo "note: fonts not installed; drawn-like digits use the fonts there are"
    fi ;;
  --serve)
    .venv/bin/python -m pip install -q -r requirements.txt
    have_nginx || apt_install nginx ;;
  "")
    .venv/bin/python -m pip install -q -r requirements.txt ;;
  *) echo "setup.sh: unknown option $1 (--dev or --serve)" >&2; exit 2 ;;
esac
echo "setup done: $(.venv/bin/python --version), $(.venv/bin/python -m pip --version | cut -d' ' -f1-2)"

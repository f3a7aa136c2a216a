"""Deep-link stub for /compression on a fresh server (see pages/README.md); the page itself is pages/views/compression.py."""
from pages.shared.entry import run_app

run_app()

"""Deep-link stub for /draw on a fresh server (see pages/README.md); the page itself is pages/views/draw.py."""
from pages.shared.entry import run_app

run_app()

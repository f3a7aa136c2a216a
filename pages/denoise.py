"""Deep-link stub for /denoise on a fresh server (see pages/README.md); the page itself is pages/views/denoise.py."""
from pages.shared.entry import run_app

run_app()

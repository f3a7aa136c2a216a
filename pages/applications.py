"""Deep-link stub for /applications on a fresh server (see pages/README.md); the page itself is pages/views/applications.py."""
from pages.shared.entry import run_app

run_app()

"""Deep-link stub for /train on a fresh server (see pages/README.md); the page itself is pages/views/train.py."""
from pages.shared.entry import run_app

run_app()

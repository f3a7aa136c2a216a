"""Deep-link stub for /latent on a fresh server (see pages/README.md); the page itself is pages/views/latent.py."""
from pages.shared.entry import run_app

run_app()

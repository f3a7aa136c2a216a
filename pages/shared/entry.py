"""Hand a fresh server's first run over to app.py, for the deep-link stubs in pages/ (see pages/README.md)."""
from __future__ import annotations

import runpy

from ae_core.paths import REPO_ROOT


def run_app() -> None:
    """Run app.py, whose st.navigation then picks the page the URL asks for."""
    runpy.run_path(str(REPO_ROOT / "app.py"), run_name="__main__")

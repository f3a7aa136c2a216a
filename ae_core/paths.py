"""Where things live: the repository's shipped assets and the user's own data folder."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
SHIPPED_MODELS_DIR = ASSETS_DIR / "models"
SAMPLES_DIR = ASSETS_DIR / "data"


def user_data_dir() -> Path:
    """Folder for models a user trains or uploads: $AE_LAB_HOME, else $XDG_DATA_HOME/autoencoder-lab."""
    explicit = os.environ.get("AE_LAB_HOME")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "autoencoder-lab"


def user_models_dir() -> Path:
    """Folder of the user's trained and uploaded models (created on demand)."""
    path = user_data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_shipped(path: str | os.PathLike) -> bool:
    """Whether `path` lies inside the shipped models folder (which only --replace-shipped may write)."""
    try:
        Path(path).resolve().relative_to(SHIPPED_MODELS_DIR.resolve())
        return True
    except ValueError:
        return False

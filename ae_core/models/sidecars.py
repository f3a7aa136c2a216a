"""Reading a model's JSON sidecar (no TensorFlow import: pages show sidecar facts before models load)."""
from __future__ import annotations

import json
import os
from pathlib import Path


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """The JSON sidecar next to a model file."""
    return Path(model_path).with_suffix(".json")


def read_sidecar(model_path: str | os.PathLike) -> dict:
    """The sidecar of a model, or {} when it has none or it is unreadable."""
    try:
        return json.loads(sidecar_path(model_path).read_text())
    except (OSError, ValueError):
        return {}

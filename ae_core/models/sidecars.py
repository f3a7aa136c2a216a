"""A model's JSON sidecar: what it is, how it was made, its figures and its ONNX files (no TensorFlow import)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ae_core.files import write_json


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """The JSON sidecar next to a model file."""
    return Path(model_path).with_suffix(".json")


def read_sidecar(model_path: str | os.PathLike) -> dict:
    """The sidecar of a model, or {} when it has none or it is unreadable."""
    try:
        data = json.loads(sidecar_path(model_path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_sidecar(model_path: str | os.PathLike, info: dict) -> Path:
    """Atomically write the JSON sidecar for `model_path`."""
    path = sidecar_path(model_path)
    write_json(path, info, indent=2, sort_keys=True)
    return path

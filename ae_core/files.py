"""Writing files so that a reader never sees half of one: a temp file in the same folder, then a rename."""
from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same folder, fsync and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(o: object) -> object:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def write_json(path: str | os.PathLike, data: dict, *, indent: int | None = 1, sort_keys: bool = False) -> None:
    """Atomically replace `path` with `data` as JSON (numpy scalars and arrays, paths allowed)."""
    text = json.dumps(data, indent=indent, sort_keys=sort_keys, default=_jsonable) + "\n"
    atomic_write_bytes(path, text.encode())


def read_json(path: str | os.PathLike) -> dict:
    """The JSON object in `path`, or {} when missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_array(path: str | os.PathLike, array: np.ndarray) -> None:
    """Atomically write a float32 .npy file."""
    buf = io.BytesIO()
    np.save(buf, np.asarray(array, dtype="float32"))
    atomic_write_bytes(path, buf.getvalue())


def load_array(path: str | os.PathLike) -> np.ndarray | None:
    """A .npy file's array, or None when missing or unreadable."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None

"""The user's own models (trained or uploaded) in `<user data dir>/models`: list, import, make servable, delete.

Nothing here loads a Keras file: an upload is checked and exported to ONNX by a separate worker process
(`ae_core.training.model_import`, with TensorFlow and `safe_mode=True`), so the app server never runs Keras
and never deserialises a user's file itself.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ae_core.files import atomic_write_bytes
from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.models.errors import MAX_MODEL_BYTES, ModelFileError
from ae_core.models.sidecars import read_sidecar
from ae_core.paths import REPO_ROOT, user_data_dir, user_models_dir

#: How long the import worker may take to load, check and export one uploaded model.
IMPORT_TIMEOUT_S = 180


@dataclass(frozen=True)
class SavedModel:
    """A model file in the user folder, with what its sidecar says."""

    name: str
    path: Path
    info: dict
    size: int
    mtime: float

    @property
    def label(self) -> str:
        """The name shown for it."""
        return self.info.get("label") or self.name

    @property
    def source(self) -> str:
        """'trained' or 'uploaded'."""
        return self.info.get("source", "uploaded" if not self.info.get("config") else "trained")


def list_models() -> list[SavedModel]:
    """Every .keras file in the user models folder, newest first (temp files skipped)."""
    out = []
    for path in user_models_dir().glob("*.keras"):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        out.append(SavedModel(path.stem, path, read_sidecar(path), st.st_size, st.st_mtime))
    return sorted(out, key=lambda m: m.mtime, reverse=True)


def safe_name(filename: str) -> str:
    """A file stem safe to use as a model name: letters, digits, '.', '-', '_' (no '__'), at most 60 chars."""
    stem = Path(str(filename)).name
    if stem.lower().endswith(".keras"):
        stem = stem[: -len(".keras")]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"_{2,}", "_", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:60].strip(".-_")
    return stem or "model"


def reserve_name(name: str, folder: Path) -> str:
    """`name`, or `name-2`, `name-3`, ...: the first with neither a model file nor a sidecar in `folder`, claimed at
    once (an empty sidecar, created exclusively), so two processes saving into one folder at the same moment
    (uploads, a training, other replicas) never pick the same name."""
    folder.mkdir(parents=True, exist_ok=True)
    for candidate in (name, *(f"{name}-{i}" for i in range(2, 1000))):
        if (folder / f"{candidate}.keras").exists():
            continue
        try:
            os.close(os.open(folder / f"{candidate}.json", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            continue
        return candidate
    raise ModelFileError(f"too many models named {name!r}; delete some first")


def unclaimed_reservations(folder: Path, older_than_s: float) -> list[Path]:
    """Empty sidecars left by a reserve_name whose model never came (its writer was killed), older than given."""
    now = time.time()
    out = []
    for path in folder.glob("*.json"):
        try:
            stat = path.stat()
        except OSError:
            continue
        if stat.st_size == 0 and now - stat.st_mtime > older_than_s and not path.with_suffix(".keras").exists():
            out.append(path)
    return out


def model_path(name: str) -> Path:
    """The path of a saved model by name; ValueError for names that would leave the folder."""
    if safe_name(name) != name:
        raise ValueError(f"not a model name: {name!r}")
    return user_models_dir() / f"{name}.keras"


def _run_import_worker(*args: str) -> dict:
    """Run `python -m ae_core.training.model_import ARGS` and return its JSON answer; ModelFileError if it failed."""
    cmd = [sys.executable, "-m", "ae_core.training.model_import", *args]
    try:
        out = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S,
                             stdin=subprocess.DEVNULL, env={**_child_env(), "TF_CPP_MIN_LOG_LEVEL": "3"})
    except subprocess.TimeoutExpired:
        raise ModelFileError(f"checking the model took longer than {IMPORT_TIMEOUT_S} s; it was abandoned") from None
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1][:200]
        raise ModelFileError(f"the model could not be checked (the import worker said: {tail})") from None
    if not answer.get("ok"):
        raise ModelFileError(answer.get("error") or "the model could not be used")
    return answer


def _child_env() -> dict[str, str]:
    import os
    pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": pythonpath}


def import_upload(filename: str, data: bytes) -> SavedModel:
    """Check an uploaded .keras file and keep it, with its ONNX files, in the user folder.

    Raises ModelFileError with a clear reason when the file is unusable; nothing is left behind then.
    """
    name = safe_name(filename)
    if name in SHIPPED_MODELS:  # "dense.keras" must not pass for the shipped dense AE on other pages
        name = f"{name}-uploaded"
    if not data:
        raise ModelFileError(f"{name}.keras is empty (0 bytes)")
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(f"{name}.keras is {len(data) / 2**20:.0f} MB; the limit is {MAX_MODEL_BYTES // 2**20} MB")
    staging_root = user_data_dir() / "uploads"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=staging_root))
    try:
        tmp = staging / f"{name}.keras"  # same name as the user's file, so messages mention it
        atomic_write_bytes(tmp, data)
        answer = _run_import_worker("upload", str(tmp), "--dest", str(user_models_dir()),
                                    "--original-name", str(filename)[:200])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    final = Path(answer["path"])
    st = final.stat()
    return SavedModel(final.stem, final, read_sidecar(final), st.st_size, st.st_mtime)


def make_servable(path: Path) -> None:
    """Make sure a user model has current ONNX files beside it (exported by the import worker if not)."""
    from ae_core.models.onnx_export import stale_onnx
    if stale_onnx(path):
        _run_import_worker("export", str(path))


def delete_model(name: str) -> None:
    """Remove a saved model, its sidecar and its ONNX files (missing ones are fine)."""
    path = model_path(name)
    for entry in (read_sidecar(path).get("onnx") or {}).values():
        if isinstance(entry, dict) and entry.get("file"):
            (path.parent / Path(str(entry["file"])).name).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)

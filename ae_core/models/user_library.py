"""The user's own models (trained or uploaded) in `<user data dir>/models`: list, import, delete."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ae_core.paths import user_data_dir, user_models_dir
from ae_core.models.files import MAX_MODEL_BYTES, ModelFileError, atomic_write_bytes, read_sidecar, write_sidecar


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
        return self.info.get("label") or self.name

    @property
    def source(self) -> str:
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


def _unique(name: str) -> str:
    folder = user_models_dir()
    if not (folder / f"{name}.keras").exists():
        return name
    for i in range(2, 1000):
        if not (folder / f"{name}-{i}.keras").exists():
            return f"{name}-{i}"
    return f"{name}-{dt.datetime.now().strftime('%H%M%S%f')}"


def model_path(name: str) -> Path:
    """The path of a saved model by name; ValueError for names that would leave the folder."""
    if safe_name(name) != name:
        raise ValueError(f"not a model name: {name!r}")
    return user_models_dir() / f"{name}.keras"


def import_upload(filename: str, data: bytes):
    """Check an uploaded .keras file (safe_mode) and keep it in the user folder.

    Returns (SavedModel, keras.Model). Raises ModelFileError with a clear reason when the file is unusable;
    nothing is left behind in that case.
    """
    from ae_core.models.files import load_model
    from ae_core.models.vae import VAE

    from ae_core.serving.runners import SHIPPED_MODELS
    name = safe_name(filename)
    if name in SHIPPED_MODELS:  # "dense.keras" must not pass for the shipped dense AE on other pages
        name = f"{name}-uploaded"
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(f"{name}.keras is {len(data) / 2**20:.0f} MB; the limit is {MAX_MODEL_BYTES // 2**20} MB")
    staging_root = user_data_dir() / "uploads"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=staging_root))
    try:
        tmp = staging / f"{name}.keras"  # same name as the user's file, so messages mention it
        atomic_write_bytes(tmp, data)
        model = load_model(tmp)  # safe_mode; raises ModelFileError for every unusable file
        final_name = _unique(name)
        final = user_models_dir() / f"{final_name}.keras"
        is_vae = isinstance(model, VAE)
        info = {
            "kind": "vae" if is_vae else "autoencoder", "name": final_name, "source": "uploaded",
            "label": f"Uploaded: {final_name}", "original_filename": str(filename)[:200],
            "params": int(model.count_params()),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        write_sidecar(final, info)
        shutil.move(str(tmp), str(final))  # same file system: an atomic rename
        st = final.stat()
        return SavedModel(final_name, final, info, st.st_size, st.st_mtime), model
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def delete_model(name: str) -> None:
    """Remove a saved model and its sidecar (a missing one is fine)."""
    path = model_path(name)
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)

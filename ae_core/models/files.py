"""Saving and loading `.keras` models with JSON sidecars: atomic writes, safe loading, clear errors."""
from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import tempfile
import zipfile
from pathlib import Path

import keras

from ae_core.files import atomic_write_bytes  # noqa: F401  (used by callers that save next to a model)
from ae_core.models.errors import MAX_MODEL_BYTES, ModelFileError, ShippedModelError
from ae_core.models.sidecars import read_sidecar, write_sidecar  # noqa: F401
from ae_core.paths import is_shipped
from ae_core.shapes import IMAGE_SHAPE


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a saved model."""
    import numpy
    import tensorflow
    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__}


def _without_training_state(model: keras.Model) -> keras.Model:
    """A fresh, uncompiled copy with the same weights (so no optimizer state is saved)."""
    clone = model.__class__.from_config(model.get_config())
    if not clone.built:
        clone(keras.ops.zeros((1, *IMAGE_SHAPE)))
    clone.set_weights(model.get_weights())
    return clone


def save_model(model: keras.Model, path: str | os.PathLike, info: dict | None = None, *,
               replace_shipped: bool = False) -> Path:
    """Save `model` (weights + architecture, no optimizer) and its sidecar, atomically."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model files end in .keras, got {path.name!r}")
    if is_shipped(path) and path.exists() and not replace_shipped:
        raise ShippedModelError(f"{path} is a shipped model and is never overwritten; save elsewhere")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".keras", dir=path.parent)
    os.close(fd)
    try:
        _without_training_state(model).save(tmp)
        if info is not None:
            write_sidecar(path, {**info, "versions": library_versions(), "file": path.name})
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _known_class(entry: dict) -> bool:
    """Whether Keras can build this config entry's class without running code from the file."""
    name, module = entry.get("class_name"), entry.get("module")
    registered = entry.get("registered_name") or name
    if keras.saving.get_registered_object(registered) is not None:
        return True
    if not module:
        return False
    # Only Keras' own modules are imported; any other module must already be loaded (a file never picks one).
    if module == "keras" or module.startswith("keras."):
        try:
            return hasattr(importlib.import_module(module), name)
        except ImportError:
            return False
    return hasattr(sys.modules.get(module), name)


def unknown_classes(config_text: str) -> list[str]:
    """Class names in a model's config.json that neither Keras nor this app defines (in file order)."""
    try:
        config = json.loads(config_text)
    except ValueError:
        return []
    found: list[str] = []
    stack = [config]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            name = item.get("class_name")
            if (isinstance(name, str) and not name.startswith("__") and name not in found
                    and not _known_class(item)):  # "__keras_tensor__" marks a reference, not a class
                found.append(name)
            stack[:0] = list(item.values())
    return found


def _unknown_message(filename: str, names: list[str]) -> str:
    kinds = "a layer type" if len(names) == 1 else "layer types"
    return (f"{filename} uses {kinds} this app doesn't know ({', '.join(names[:5])}): custom layers need their "
            "Python code, which is never run from an uploaded file. Rebuild the model from built-in Keras layers.")


def load_model(path: str | os.PathLike, *, expect_image_io: bool = True) -> keras.Model:
    """Load a `.keras` file with safe_mode=True; raise ModelFileError with a clear reason if unusable."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}")
    size = path.stat().st_size
    if size == 0:
        raise ModelFileError(f"{path.name} is empty (0 bytes)")
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_MODEL_BYTES // 2**20} MB")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path.name} is not a Keras 3 .keras file (it is not a zip archive); "
                             "old .h5 files and SavedModel folders are not supported")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            config_text = zf.read("config.json").decode("utf-8", "replace") if "config.json" in names else ""
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelFileError(f"{path.name} is corrupt: {e}") from None
    if not config_text:
        raise ModelFileError(f"{path.name} has no config.json: not a Keras model file")
    if '"class_name": "Lambda"' in config_text or '"Lambda"' in config_text:
        raise ModelFileError(f"{path.name} contains a Lambda layer (arbitrary Python code); "
                             "it is refused for safety (safe_mode)")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except ValueError as e:
        if "lambda" in str(e).lower() or "safe_mode" in str(e):
            raise ModelFileError(f"{path.name} needs unsafe deserialisation (code inside the file); refused") from None
        unknown = unknown_classes(config_text)
        if unknown:
            raise ModelFileError(_unknown_message(path.name, unknown)) from None
        raise ModelFileError(f"{path.name} could not be loaded: {str(e).splitlines()[0][:300]}") from None
    except Exception as e:  # corrupt weights, unknown layers, truncated archives ...
        unknown = unknown_classes(config_text)
        if unknown:
            raise ModelFileError(_unknown_message(path.name, unknown)) from None
        first = (str(e).splitlines() or [type(e).__name__])[0][:300]
        raise ModelFileError(f"{path.name} could not be loaded ({type(e).__name__}): {first}") from None
    if not isinstance(model, keras.Model):
        raise ModelFileError(f"{path.name} does not hold a Keras model")
    if expect_image_io:
        check_image_model(model, path.name)
    return model


def check_image_model(model: keras.Model, label: str = "model") -> None:
    """Raise ModelFileError unless the model maps 28x28x1 images to 28x28x1 images."""
    try:
        in_shape = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    except (AttributeError, ValueError):
        in_shape = None
    if in_shape is not None and in_shape != IMAGE_SHAPE:
        raise ModelFileError(f"{label} expects inputs of shape {in_shape}; this app needs 28x28x1 images")
    try:
        out = model(keras.ops.zeros((1, *IMAGE_SHAPE)), training=False)
    except Exception as e:
        raise ModelFileError(f"{label} cannot run on a 28x28x1 image: {str(e).splitlines()[0][:200]}") from None
    if isinstance(out, (list, tuple)) or tuple(out.shape) != (1, *IMAGE_SHAPE):
        shape = [tuple(o.shape) for o in out] if isinstance(out, (list, tuple)) else tuple(out.shape)
        raise ModelFileError(f"{label} outputs shape {shape}; an autoencoder here must output 28x28x1 images")

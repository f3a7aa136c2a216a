"""Datasets: MNIST and Fashion-MNIST loaders, shipped samples, and array helpers."""

from __future__ import annotations

import gzip
import importlib
import os
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from ae_core.data.catalog import FASHION_CLASSES, dataset_spec
from ae_core.paths import SAMPLES_DIR

Split = tuple[np.ndarray, np.ndarray]
Dataset = tuple[Split, Split]

DATASET_NAMES: tuple[str, ...] = ("mnist", "fashion_mnist")

MNIST_ENV = "AE_LAB_MNIST"
FASHION_MNIST_ENV = "AE_LAB_FASHION_MNIST"
DEBIAN_FASHION_MNIST_DIR: Path = Path("/usr/share/datasets/fashion-mnist")

IDX_FILES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
_IDX_IMAGES_MAGIC = 2051
_IDX_LABELS_MAGIC = 2049

_PATH_OPTION = "the `path` argument / `--data` CLI flag"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset could not be found or read from any source."""


# ----------------------------------------------------------------- readers
def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one (optionally gzipped) idx file of uint8 images or labels."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetNotFoundError(f"cannot read idx file {path}: {exc}") from exc
    if len(raw) < 8:
        raise DatasetNotFoundError(f"{path} is too short to be an idx file")
    magic = int.from_bytes(raw[:4], "big")
    ndim = {_IDX_IMAGES_MAGIC: 3, _IDX_LABELS_MAGIC: 1}.get(magic)
    if ndim is None:
        raise DatasetNotFoundError(
            f"{path} has idx magic {magic}; expected {_IDX_IMAGES_MAGIC} (images) "
            f"or {_IDX_LABELS_MAGIC} (labels)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetNotFoundError(f"{path} has a truncated idx header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DatasetNotFoundError(
            f"{path} holds {len(raw) - header} data bytes; its header {shape} needs {expected}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _read_idx_dir(folder: Path) -> Dataset:
    """Read the four gzipped idx files of a dataset folder."""
    missing = [name for name in IDX_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DatasetNotFoundError(f"{folder} lacks {', '.join(missing)}")
    arrays = {key: read_idx(folder / name) for key, name in IDX_FILES.items()}
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _read_npz(file: Path) -> Dataset:
    """Read a dataset .npz in Keras layout (x_train, y_train, x_test, y_test)."""
    try:
        with open(file, "rb") as handle:
            npz = np.load(handle, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise DatasetNotFoundError(f"{file} holds a single array, not an .npz archive")
            with npz:
                missing = [key for key in IDX_FILES if key not in npz.files]
                if missing:
                    raise DatasetNotFoundError(
                        f"{file} lacks the key(s) {', '.join(missing)} (found {', '.join(npz.files)})"
                    )
                arrays = {key: npz[key] for key in IDX_FILES}
    except DatasetNotFoundError:
        raise
    except Exception as exc:  # zipfile, pickle, OS and format errors alike
        raise DatasetNotFoundError(f"cannot read {file} as .npz: {_brief(exc)}") from exc
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _validate_split(x: object, y: object, origin: str, split: str) -> Split:
    """Check one (x, y) pair: x uint8 (N, 28, 28), y integer (N,); return y as uint8."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DatasetNotFoundError(f"{origin}: x_{split} is {x.dtype} {x.shape}; expected uint8 (N, 28, 28)")
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise DatasetNotFoundError(f"{origin}: y_{split} is {y.dtype} {y.shape}; expected integer ({x.shape[0]},)")
    if y.size and (y.min() < 0 or y.max() > 255):
        raise DatasetNotFoundError(f"{origin}: y_{split} has labels outside 0..255")
    return x, y.astype(np.uint8, copy=False)


def _validate(data: object, origin: str) -> Dataset:
    """Check a loaded ((x_train, y_train), (x_test, y_test)) dataset."""
    try:
        (x_train, y_train), (x_test, y_test) = data  # type: ignore[misc]
    except (TypeError, ValueError) as exc:
        raise DatasetNotFoundError(f"{origin} did not give ((x_train, y_train), (x_test, y_test))") from exc
    return _validate_split(x_train, y_train, origin, "train"), _validate_split(x_test, y_test, origin, "test")


def _load_path(path: Path) -> Dataset:
    """Load and validate a dataset from an .npz file or an idx folder."""
    if path.is_dir():
        data = _read_idx_dir(path)
    elif path.is_file():
        data = _read_npz(path)
    else:
        raise DatasetNotFoundError(f"{path} does not exist")
    return _validate(data, str(path))


# ----------------------------------------------------------------- sources
def _brief(exc: BaseException, limit: int = 160) -> str:
    """Shorten an exception to one line for an error message."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def keras_datasets_dir() -> Path:
    """Return the folder where Keras caches downloaded datasets."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets"


def _keras_download(module: str) -> object:
    """Download a dataset through keras.datasets (imported lazily)."""
    return importlib.import_module(f"keras.datasets.{module}").load_data()


def _resolve(
    title: str,
    path: str | os.PathLike | None,
    env_var: str,
    fallbacks: list[tuple[str, Path]],
    keras_module: str,
) -> Dataset:
    """Try the explicit path, the env var, local fallbacks, then the Keras download."""
    if path is not None and str(path) != "":
        try:
            return _load_path(Path(path).expanduser())
        except DatasetNotFoundError as exc:
            raise DatasetNotFoundError(f"{title}: the given path is unusable: {exc}") from exc
    env_value = os.environ.get(env_var, "").strip()
    if env_value:
        try:
            return _load_path(Path(env_value).expanduser())
        except DatasetNotFoundError as exc:
            raise DatasetNotFoundError(
                f"{title}: the {env_var} environment variable points to an unusable dataset: {exc}"
            ) from exc

    reasons = [(_PATH_OPTION, "not given"), (f"the {env_var} environment variable", "not set")]
    for label, candidate in fallbacks:
        try:
            return _load_path(candidate)
        except DatasetNotFoundError as exc:
            reasons.append((label, str(exc)))
    download = f"the download via keras.datasets.{keras_module}.load_data()"
    try:
        return _validate(_keras_download(keras_module), download)
    except Exception as exc:  # no keras, no network, bad data: all mean "not available"
        reasons.append((download, _brief(exc)))
    tried = "\n".join(f"  - {label}: {why}" for label, why in reasons)
    raise DatasetNotFoundError(
        f"{title} was not found. Tried, in order:\n{tried}\n"
        f"Pass a path (path=... or --data PATH), set {env_var}=/path/to/dataset, "
        f"or place the data at {fallbacks[-1][1]}."
    )


# ----------------------------------------------------------------- public API
def load_mnist(path: str | os.PathLike | None = None) -> Dataset:
    """Load MNIST as ((x_train, y_train), (x_test, y_test)) uint8 arrays."""
    cache = keras_datasets_dir() / "mnist.npz"
    return _resolve("MNIST", path, MNIST_ENV, [(f"the Keras cache file {cache}", cache)], "mnist")


def load_fashion_mnist(path: str | os.PathLike | None = None) -> Dataset:
    """Load Fashion-MNIST as ((x_train, y_train), (x_test, y_test)) uint8 arrays."""
    cache = keras_datasets_dir() / "fashion-mnist"
    fallbacks = [
        (f"Debian's dataset-fashion-mnist folder {DEBIAN_FASHION_MNIST_DIR}", DEBIAN_FASHION_MNIST_DIR),
        (f"the Keras cache folder {cache}", cache),
    ]
    return _resolve("Fashion-MNIST", path, FASHION_MNIST_ENV, fallbacks, "fashion_mnist")


def _canonical(name: str) -> str:
    """Normalise a dataset name ("Fashion-MNIST", "fashion" -> "fashion_mnist") and check it."""
    try:
        return dataset_spec(name).loader_name
    except ValueError:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(DATASET_NAMES)}") from None


def load_dataset(name: str, path: str | os.PathLike | None = None) -> Dataset:
    """Load the dataset called `name` ("mnist" or "fashion_mnist")."""
    loaders: dict[str, Callable[[str | os.PathLike | None], Dataset]] = {
        "mnist": load_mnist,
        "fashion_mnist": load_fashion_mnist,
    }
    return loaders[_canonical(name)](path)


def class_names(name: str) -> tuple[str, ...]:
    """Return the ten class names of a dataset, indexed by label."""
    if _canonical(name) == "mnist":
        return tuple(str(d) for d in range(10))
    return FASHION_CLASSES


def sample_path(name: str = "mnist") -> Path:
    """Return the path of a shipped sample file."""
    return SAMPLES_DIR / f"{_canonical(name)}_sample.npz"


def load_sample(name: str = "mnist") -> Split:
    """Load a small shipped sample (x uint8 (N, 28, 28), y uint8 (N,))."""
    file = sample_path(name)
    if not file.is_file():
        raise DatasetNotFoundError(f"{file} is missing; run `python scripts/make_samples.py`")
    try:
        with open(file, "rb") as handle, np.load(handle, allow_pickle=False) as npz:
            x, y = npz["x"], npz["y"]
    except Exception as exc:
        raise DatasetNotFoundError(f"cannot read sample {file}: {_brief(exc)}") from exc
    return _validate_split(x, y, str(file), "sample")


# ----------------------------------------------------------------- array helpers
def to_float_images(x: np.ndarray) -> np.ndarray:
    """Convert uint8 images (N, 28, 28) to float32 (N, 28, 28, 1) in [0, 1]."""
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"expected images of shape (N, H, W), got {x.shape}")
    if x.dtype == np.uint8:
        out = x.astype(np.float32) / np.float32(255.0)
    elif np.issubdtype(x.dtype, np.floating):
        out = np.clip(x.astype(np.float32), 0.0, 1.0)
    else:
        raise ValueError(f"expected uint8 or float images, got {x.dtype}")
    return out[..., np.newaxis]


def binarize(x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Return float32 0/1 images: 1 where the [0, 1] intensity exceeds threshold."""
    x = np.asarray(x)
    values = x.astype(np.float32) / np.float32(255.0) if x.dtype == np.uint8 else x
    return (values > threshold).astype(np.float32)

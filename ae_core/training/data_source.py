"""Which digits a training uses: the full MNIST where it is found, else the sample shipped with the app."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.paths import SAMPLES_DIR

N_SAMPLES = 10  # fixed validation digits shown per epoch (one of each class)
SAMPLE_VAL_SIZE = 500  # the shipped sample keeps its last 500 digits for validation


@dataclass(frozen=True)
class DataInfo:
    """Which digits a training will use, found without loading them."""

    source: str  # "mnist" (the full set) or "sample" (the 3,000 digits shipped with the app)
    path: str | None
    train_available: int
    val_size: int
    note: str  # one sentence for the page ("" for the full set)


def _sample_info(reason: str) -> DataInfo:
    n = 3000
    try:
        with np.load(SAMPLES_DIR / "mnist_sample.npz", allow_pickle=False) as npz:
            n = int(npz["y"].shape[0])
    except Exception:  # noqa: BLE001 - the worker reports a missing sample clearly
        pass
    n_train = max(n - SAMPLE_VAL_SIZE, 0)
    return DataInfo("sample", None, n_train, min(SAMPLE_VAL_SIZE, n),
                    f"{reason}Training uses the small sample shipped with the app: {n_train:,} digits to "
                    f"learn from and {min(SAMPLE_VAL_SIZE, n):,} to validate on (full MNIST has 60,000), "
                    "so models come out rougher than the shipped ones.")


def describe_data(data_source: str = "auto") -> DataInfo:
    """What `data_source` ("auto", "sample" or a path to MNIST) resolves to; cheap (checks files only).

    "auto" is the full MNIST from $AE_LAB_MNIST or the Keras cache (~/.keras/datasets/mnist.npz), never a
    download (the app works offline), else the shipped sample.
    """
    from ae_core.data.datasets import MNIST_ENV, keras_datasets_dir
    if data_source == "sample":
        return _sample_info("")
    if data_source not in ("auto", ""):
        return DataInfo("mnist", str(data_source), 60000, 10000, "")
    env = os.environ.get(MNIST_ENV, "").strip()
    if env:
        if Path(env).expanduser().exists():
            return DataInfo("mnist", env, 60000, 10000, "")
        return _sample_info(f"{MNIST_ENV} points to {env}, which does not exist. ")
    cache = keras_datasets_dir() / "mnist.npz"
    if cache.is_file():
        return DataInfo("mnist", str(cache), 60000, 10000, "")
    return _sample_info(f"Full MNIST was not found (set {MNIST_ENV} to mnist.npz to use it). ")


def load_training_data(data_source: str = "auto"):
    """(x_train, x_val, y_val, DataInfo) as float32 (N,28,28,1); falls back to the sample if MNIST fails."""
    from ae_core.data.datasets import DatasetNotFoundError, load_mnist, load_sample, to_float_images
    info = describe_data(data_source)
    if info.source == "mnist":
        try:
            (xtr, _), (xte, yte) = load_mnist(info.path)
            return to_float_images(xtr), to_float_images(xte), yte, info
        except DatasetNotFoundError as e:
            if data_source not in ("auto", ""):
                raise
            info = _sample_info(f"Full MNIST could not be read ({str(e).splitlines()[0][:160]}). ")
    x, y = load_sample("mnist")
    x = to_float_images(x)
    cut = len(x) - min(SAMPLE_VAL_SIZE, len(x) // 6)
    return x[:cut], x[cut:], y[cut:], info


def pick_samples(x_val: np.ndarray, y_val: np.ndarray, n: int = N_SAMPLES) -> np.ndarray:
    """The first validation digit of each class 0..n-1 (fixed, so epochs compare like for like)."""
    idx = []
    for d in range(n):
        hits = np.flatnonzero(np.asarray(y_val) == d % 10)
        idx.append(int(hits[0]) if hits.size else d)
    return x_val[np.asarray(idx) % len(x_val)]

"""Which images a training uses: the full dataset (MNIST or Fashion-MNIST) where it is found, else the shipped sample."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.data.catalog import dataset_spec
from ae_core.paths import SAMPLES_DIR

N_SAMPLES = 10  # fixed validation images shown per epoch (one of each class)
SAMPLE_VAL_SIZE = 500  # the shipped sample keeps its last 500 images for validation


@dataclass(frozen=True)
class DataInfo:
    """Which images a training will use, found without loading them."""

    source: str  # "mnist" / "fashion" (the full set) or "sample" (the images shipped with the app)
    path: str | None
    train_available: int
    val_size: int
    note: str  # one sentence for the page ("" for the full set)
    dataset: str = "mnist"


def _sample_info(reason: str, dataset: str = "mnist") -> DataInfo:
    spec = dataset_spec(dataset)
    n = 3000
    try:
        with np.load(SAMPLES_DIR / f"{spec.loader_name}_sample.npz", allow_pickle=False) as npz:
            n = int(npz["y"].shape[0])
    except Exception:  # noqa: BLE001 - the worker reports a missing sample clearly
        pass
    n_train = max(n - SAMPLE_VAL_SIZE, 0)
    return DataInfo("sample", None, n_train, min(SAMPLE_VAL_SIZE, n),
                    f"{reason}Training uses the small sample shipped with the app: {n_train:,} {spec.items} to "
                    f"learn from and {min(SAMPLE_VAL_SIZE, n):,} to validate on (full {spec.short} has 60,000), "
                    "so models come out rougher than the shipped ones.", spec.key)


def _full(path: str, dataset: str) -> DataInfo:
    return DataInfo(dataset_spec(dataset).key, path, 60000, 10000, "", dataset_spec(dataset).key)


def _fashion_candidates() -> list[Path]:
    from ae_core.data.datasets import DEBIAN_FASHION_MNIST_DIR, IDX_FILES, keras_datasets_dir
    return [d for d in (DEBIAN_FASHION_MNIST_DIR, keras_datasets_dir() / "fashion-mnist")
            if all((d / name).is_file() for name in IDX_FILES.values())]


def describe_data(data_source: str = "auto", dataset: str = "mnist") -> DataInfo:
    """What `data_source` ("auto", "sample" or a path) resolves to for `dataset`; cheap (checks files only).

    "auto" is the full set from its environment variable ($AE_LAB_MNIST, $AE_LAB_FASHION_MNIST), the system
    copy (Fashion-MNIST: /usr/share/datasets/fashion-mnist) or the Keras cache, never a download (the app
    works offline), else the shipped sample.
    """
    from ae_core.data.datasets import FASHION_MNIST_ENV, MNIST_ENV, keras_datasets_dir
    spec = dataset_spec(dataset)
    if data_source == "sample":
        return _sample_info("", spec.key)
    if data_source not in ("auto", ""):
        return _full(str(data_source), spec.key)
    env_var = MNIST_ENV if spec.key == "mnist" else FASHION_MNIST_ENV
    env = os.environ.get(env_var, "").strip()
    if env:
        if Path(env).expanduser().exists():
            return _full(env, spec.key)
        return _sample_info(f"{env_var} points to {env}, which does not exist. ", spec.key)
    if spec.key == "mnist":
        cache = keras_datasets_dir() / "mnist.npz"
        if cache.is_file():
            return _full(str(cache), spec.key)
        return _sample_info(f"Full MNIST was not found (set {MNIST_ENV} to mnist.npz to use it). ")
    found = _fashion_candidates()
    if found:
        return _full(str(found[0]), spec.key)
    return _sample_info(f"Full Fashion-MNIST was not found (install Debian's dataset-fashion-mnist, or set "
                        f"{FASHION_MNIST_ENV} to its folder). ", spec.key)


def load_training_data(data_source: str = "auto", dataset: str = "mnist"):
    """(x_train, x_val, y_val, DataInfo) as float32 (N,28,28,1); falls back to the sample if the full set fails."""
    from ae_core.data.datasets import DatasetNotFoundError, load_dataset, load_sample, to_float_images
    info = describe_data(data_source, dataset)
    spec = dataset_spec(dataset)
    if info.source != "sample":
        try:
            (xtr, _), (xte, yte) = load_dataset(spec.loader_name, info.path)
            return to_float_images(xtr), to_float_images(xte), yte, info
        except DatasetNotFoundError as e:
            if data_source not in ("auto", ""):
                raise
            info = _sample_info(f"Full {spec.short} could not be read ({str(e).splitlines()[0][:160]}). ", spec.key)
    x, y = load_sample(spec.loader_name)
    x = to_float_images(x)
    cut = len(x) - min(SAMPLE_VAL_SIZE, len(x) // 6)
    return x[:cut], x[cut:], y[cut:], info


def pick_samples(x_val: np.ndarray, y_val: np.ndarray, n: int = N_SAMPLES) -> np.ndarray:
    """The first validation image of each class 0..n-1 (fixed, so epochs compare like for like)."""
    idx = []
    for d in range(n):
        hits = np.flatnonzero(np.asarray(y_val) == d % 10)
        idx.append(int(hits[0]) if hits.size else d)
    return x_val[np.asarray(idx) % len(x_val)]

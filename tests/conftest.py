"""Shared fixtures: small data from the shipped samples; the full MNIST only where a test says so."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
FULL_MNIST = Path(os.environ.get("AE_LAB_MNIST", REPO.parent / "shared" / "data" / "mnist.npz"))


@pytest.fixture(scope="session")
def small_digits() -> tuple[np.ndarray, np.ndarray]:
    """3,000 shipped MNIST test digits as float32 (N,28,28,1) in [0,1], with labels."""
    from ae_core.data.datasets import load_sample, to_float_images
    x, y = load_sample("mnist")
    return to_float_images(x), y


@pytest.fixture(scope="session")
def full_mnist():
    """The full MNIST set as floats; skips with a message when the file is absent."""
    if not FULL_MNIST.is_file():
        pytest.skip(f"full MNIST not found at {FULL_MNIST} (set AE_LAB_MNIST); floors not checked")
    from ae_core.data.datasets import load_mnist, to_float_images
    (xtr, ytr), (xte, yte) = load_mnist(FULL_MNIST)
    return to_float_images(xtr), ytr, to_float_images(xte), yte


@pytest.fixture
def user_home(tmp_path, monkeypatch) -> Path:
    """A throw-away user data folder (AE_LAB_HOME)."""
    monkeypatch.setenv("AE_LAB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="session")
def full_fashion():
    """The full Fashion-MNIST set as floats; skips with a message when it is not installed (never downloads)."""
    from ae_core.training.data_source import describe_data
    found = describe_data("auto", "fashion")
    if found.source == "sample":
        pytest.skip(f"full Fashion-MNIST not found ({found.note.split('. ')[0]}); Fashion floors not checked")
    from ae_core.data.datasets import load_fashion_mnist, to_float_images
    (xtr, ytr), (xte, yte) = load_fashion_mnist(found.path)
    return to_float_images(xtr), ytr, to_float_images(xte), yte

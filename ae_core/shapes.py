"""The image every model in the app takes and gives: 28x28 pixels, one channel, values in [0, 1]."""
from __future__ import annotations

import numpy as np

IMAGE_SIDE = 28
IMAGE_SHAPE = (IMAGE_SIDE, IMAGE_SIDE, 1)
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE


def as_batch(images: np.ndarray) -> np.ndarray:
    """(28,28), (28,28,1), (N,28,28) or (N,28,28,1) float images -> float32 (N,28,28,1)."""
    x = np.asarray(images, dtype="float32")
    if x.ndim == 2 or x.shape == IMAGE_SHAPE:
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"expected {IMAGE_SIDE}x{IMAGE_SIDE} images, got shape {np.shape(images)}")
    return x


def as_images(batch: np.ndarray) -> np.ndarray:
    """(N,28,28,1) or (N,784) model output -> (N,28,28)."""
    x = np.asarray(batch)
    return x.reshape(len(x), IMAGE_SIDE, IMAGE_SIDE)

"""Latent-space tools: grids over the code plane, interpolation, sampling from the prior."""
from __future__ import annotations

import numpy as np

from ae_core.serving.runners import ModelRunner


def grid_codes(n: int, extent: float = 3.0) -> np.ndarray:
    """(n*n, 2) codes on an n x n grid over [-extent, extent]^2, row 0 = highest z2, left to right in z1."""
    if n < 1:
        raise ValueError("grid size must be at least 1")
    ticks = np.linspace(-extent, extent, n, dtype="float32")
    z1, z2 = np.meshgrid(ticks, ticks[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def manifold(runner: ModelRunner, n: int = 15, extent: float = 3.0) -> np.ndarray:
    """(n*n, 28, 28) digits decoded across the 2-d code plane in one batched call."""
    return runner.decode(grid_codes(n, extent))


def interpolate_codes(z_a: np.ndarray, z_b: np.ndarray, steps: int) -> np.ndarray:
    """(steps, d) codes on the straight line from z_a to z_b, both ends included."""
    if steps < 2:
        raise ValueError("interpolation needs at least 2 steps")
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1 - t) * np.asarray(z_a, "float32")[None] + t * np.asarray(z_b, "float32")[None]


def interpolate(runner: ModelRunner, image_a: np.ndarray, image_b: np.ndarray, steps: int = 9
                ) -> tuple[np.ndarray, np.ndarray]:
    """(codes, frames): decode evenly spaced codes between the codes of two images."""
    codes = runner.encode(np.stack([image_a, image_b]))
    path = interpolate_codes(codes[0], codes[1], steps)
    return path, runner.decode(path)


def sample_prior(runner: ModelRunner, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, images) for n codes drawn from N(0, I) and decoded."""
    dim = int(runner.model.decoder.input_shape[-1]) if runner.is_vae else None
    if dim is None:
        raise ValueError("sampling from the prior needs a VAE")
    z = np.random.default_rng(seed).standard_normal((n, dim)).astype("float32")
    return z, runner.decode(z)

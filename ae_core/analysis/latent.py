"""Latent-space tools: grids over the code plane, interpolation, sampling, and the map's extent and clicks."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ae_core.analysis.decoding import Decoder, Encoder


def grid_codes(n: int, extent: float = 3.0) -> np.ndarray:
    """(n*n, 2) codes on an n x n grid over [-extent, extent]^2, row 0 = highest z2, left to right in z1."""
    if n < 1:
        raise ValueError("grid size must be at least 1")
    ticks = np.linspace(-extent, extent, n, dtype="float32")
    z1, z2 = np.meshgrid(ticks, ticks[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def manifold(runner: Decoder, n: int = 15, extent: float = 3.0) -> np.ndarray:
    """(n*n, 28, 28) digits decoded across the 2-d code plane in one batched call."""
    return runner.decode(grid_codes(n, extent))


def interpolate_codes(z_a: np.ndarray, z_b: np.ndarray, steps: int) -> np.ndarray:
    """(steps, d) codes on the straight line from z_a to z_b, both ends included."""
    if steps < 2:
        raise ValueError("interpolation needs at least 2 steps")
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1 - t) * np.asarray(z_a, "float32")[None] + t * np.asarray(z_b, "float32")[None]


def interpolate(runner: Encoder, image_a: np.ndarray, image_b: np.ndarray, steps: int = 9
                ) -> tuple[np.ndarray, np.ndarray]:
    """(codes, frames): decode evenly spaced codes between the codes of two images."""
    codes = runner.encode(np.stack([image_a, image_b]))
    path = interpolate_codes(codes[0], codes[1], steps)
    return path, runner.decode(path)


def sample_prior(runner: Decoder, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, images) for n codes drawn from N(0, I) and decoded."""
    if not runner.is_vae:
        raise ValueError("sampling from the prior needs a VAE")
    z = np.random.default_rng(seed).standard_normal((n, runner.latent_dim)).astype("float32")
    return z, runner.decode(z)


def plane_extent(codes: np.ndarray, quantile: float = 0.99, lo: float = 1.5, hi: float = 6.0,
                 step: float = 0.5) -> float:
    """Half-width of a square [-e, e]^2 that holds `quantile` of the codes' |z|, rounded up to `step`.

    Clipped to [lo, hi], so a 2-d VAE gets about 3 and an untrained or odd model still gets a usable plane.
    """
    z = np.abs(np.asarray(codes, dtype=np.float64)).ravel()
    z = z[np.isfinite(z)]
    if z.size == 0:
        return float(lo)
    e = float(np.quantile(z, quantile))
    e = np.ceil(e / step) * step
    return float(min(max(e, lo), hi))


def _point_id(point: Mapping) -> int | None:
    """The customdata of a Plotly selection point as an int (None when absent or not a number)."""
    cd = point.get("customdata")
    if isinstance(cd, (list, tuple)):
        cd = cd[0] if cd else None
    try:
        return int(cd) if cd is not None else None
    except (TypeError, ValueError):
        return None


def clicked_code(points: Sequence[Mapping], codes: np.ndarray) -> tuple[np.ndarray, int | None] | None:
    """(z, row) for the first clicked point: a digit (customdata = row of codes) or the plane (customdata < 0).

    For a digit the code is taken from `codes` (exact, not the rounded x/y of the event) and row is its index;
    for anything else z = (x, y) of the click and row is None. None when there is no usable point.
    """
    codes = np.asarray(codes)
    for p in points or ():
        row = _point_id(p)
        if row is not None and 0 <= row < len(codes):
            return np.asarray(codes[row], dtype=np.float64).copy(), row
        try:
            x, y = float(p["x"]), float(p["y"])
        except (KeyError, TypeError, ValueError):
            continue
        if np.isfinite(x) and np.isfinite(y):
            return np.array([x, y]), None
    return None


def clip_code(z: np.ndarray, extent: float) -> np.ndarray:
    """The code clipped into the square [-extent, extent]^2."""
    return np.clip(np.asarray(z, dtype=np.float64), -extent, extent)

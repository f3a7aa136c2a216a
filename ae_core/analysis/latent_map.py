"""Helpers for the interactive latent map: plane extent, and turning a chart click into a code."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


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

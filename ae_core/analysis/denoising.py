"""Denoising evaluation: how well models rebuild clean digits from noisy ones (numpy + callables only)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ae_core.analysis.metrics import mse, per_image_mse, psnr
from ae_core.data.noise import add_noise

#: Noise levels of the error-vs-noise curve (0, 0.1, ..., 1).
CURVE_LEVELS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
#: Name of the "no model" baseline curve: the noisy input itself compared with the clean digit.
NOISY_INPUT = "noisy input (no model)"

Reconstruct = Callable[[np.ndarray], np.ndarray]


def noise_error_curves(
    reconstruct: Mapping[str, Reconstruct],
    images: np.ndarray,
    kind: str,
    levels: Sequence[float] = CURVE_LEVELS,
    seed: int = 0,
    *,
    baseline: bool = True,
) -> dict[str, list[float]]:
    """Mean per-image MSE against the clean images, per model and noise level.

    reconstruct maps a display name to a function (N,28,28) -> (N,28,28); each is called once on all
    levels stacked together. With baseline, the first
    curve (NOISY_INPUT) is the error of the noisy input itself: how much a model has to undo.
    Every level uses the same seed, so the noise grows smoothly from one level to the next.
    """
    clean = np.asarray(images, dtype=np.float32)
    if clean.ndim == 4 and clean.shape[-1] == 1:
        clean = clean[..., 0]
    if clean.ndim != 3 or clean.shape[0] == 0:
        raise ValueError(f"expected a non-empty (N, 28, 28) batch, got shape {np.shape(images)}")
    levels = [float(v) for v in levels]
    if not levels:
        raise ValueError("need at least one noise level")
    n = clean.shape[0]
    noisy = np.concatenate([add_noise(clean, kind, level, seed) for level in levels])
    target = np.tile(clean, (len(levels), 1, 1))

    def per_level(outputs: np.ndarray) -> list[float]:
        errs = per_image_mse(np.asarray(outputs).reshape(target.shape), target)
        return [float(e) for e in errs.reshape(len(levels), n).mean(axis=1)]

    curves: dict[str, list[float]] = {}
    if baseline:
        curves[NOISY_INPUT] = per_level(noisy)
    for name, fn in reconstruct.items():
        curves[name] = per_level(fn(noisy))
    return curves


def image_scores(clean: np.ndarray, images: Mapping[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """{name: (MSE, PSNR in dB)} of each image against the clean one (PSNR is inf for a perfect copy)."""
    return {name: (mse(clean, img), psnr(clean, img)) for name, img in images.items()}


def format_score(score: tuple[float, float], sep: str = " · ") -> str:
    """'MSE 0.0123 · PSNR 19.1 dB'; an exact copy (infinite PSNR) reads 'PSNR perfect'."""
    err, db = score
    db_text = f"{db:.1f} dB" if np.isfinite(db) else "perfect"
    return f"MSE {err:.4f}{sep}PSNR {db_text}"

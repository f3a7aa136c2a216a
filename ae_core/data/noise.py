"""Corrupt images with noise, for denoising autoencoders."""

from __future__ import annotations

import math

import numpy as np

NOISE_KINDS: tuple[str, ...] = ("gaussian", "salt_pepper", "masking")
NOISE_LABELS: dict[str, str] = {
    "gaussian": "Gaussian noise",
    "salt_pepper": "Salt-and-pepper noise",
    "masking": "Masking (pixels turned off)",
}
MAX_AMOUNT: dict[str, float] = {"gaussian": 5.0, "salt_pepper": 1.0, "masking": 1.0}
#: The noise every denoising figure is measured with (test set and drawn-like digits alike).
EVAL_NOISE = {"kind": "gaussian", "amount": 0.5, "seed": 1234}


def _check_amount(kind: str, amount: float) -> float:
    """Return amount as a float, or raise ValueError if it is out of range for kind."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise kind {kind!r}; valid kinds: {', '.join(NOISE_KINDS)}")
    if isinstance(amount, bool):
        raise ValueError(f"noise amount must be a number, got {amount!r}")
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise ValueError(f"noise amount must be a number, got {amount!r}") from None
    limit = MAX_AMOUNT[kind]
    if not math.isfinite(value) or not 0.0 <= value <= limit:
        what = "the noise factor (standard deviation)" if kind == "gaussian" else "the fraction of pixels"
        raise ValueError(f"{kind} noise amount is {what} and must be between 0 and {limit:g}; got {amount!r}")
    return value


def _as_float(x: np.ndarray) -> np.ndarray:
    """Return images as a float32 copy in [0, 1] scale (uint8 is divided by 255)."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x.astype(np.float32) / np.float32(255.0)
    return np.array(x, dtype=np.float32, copy=True)


def add_noise(
    x: np.ndarray, kind: str = "gaussian", amount: float = 0.5, seed: int | None = 0
) -> np.ndarray:
    """Return a noisy float32 copy of images in [0, 1], reproducible for a given seed."""
    value = _check_amount(kind, amount)
    out = _as_float(x)
    if value == 0.0:
        return out
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        out += np.float32(value) * rng.standard_normal(out.shape, dtype=np.float32)
    else:
        hit = rng.random(out.shape) < value
        if kind == "masking":
            out[hit] = 0.0
        else:
            out[hit] = (rng.random(int(hit.sum())) < 0.5).astype(np.float32)
    return np.clip(out, 0.0, 1.0, out=out)

"""Anomaly detection with an autoencoder: reconstruction error as the score, a threshold, and its metrics."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ae_core.analysis.metrics import per_image_mse, precision_recall_at, roc_auc, roc_curve


def noise_images(n: int, seed: int = 0) -> np.ndarray:
    """(n, 28, 28) float32 images of pure uniform noise in [0, 1], reproducible for a seed."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return np.random.default_rng(seed).random((n, 28, 28), dtype=np.float32)


def reconstruction_errors(runner, images: np.ndarray) -> np.ndarray:
    """Per-image reconstruction MSE (N,) of images under a model runner (anything with .reconstruct)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    if len(x) == 0:
        return np.zeros(0)
    return per_image_mse(x.reshape(len(x), 28, 28), runner.reconstruct(x))


def image_error(runner, image: np.ndarray) -> float:
    """Reconstruction MSE of one 28x28 image under a model runner (its anomaly score)."""
    return float(reconstruction_errors(runner, image)[0])


def threshold_options(*groups: np.ndarray, n: int = 121) -> list[float]:
    """Log-spaced candidate thresholds (3 significant digits, increasing, unique) spanning every score."""
    vals = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in groups]) if groups else np.zeros(0)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return [0.01]
    lo, hi = float(vals.min()), float(vals.max())
    if hi <= lo * 1.01:
        lo, hi = lo / 2, hi * 2
    grid = np.logspace(np.log10(lo), np.log10(hi), n)
    return sorted({float(f"{v:.3g}") for v in grid})


def default_threshold(normal: np.ndarray, options: list[float], false_alarm_rate: float = 0.05) -> float:
    """The option closest (in log scale) to the normal scores' (1 - false_alarm_rate) quantile."""
    if not options:
        raise ValueError("no threshold options")
    normal = np.asarray(normal, dtype=np.float64)
    normal = normal[np.isfinite(normal)]
    if normal.size == 0:
        return float(options[len(options) // 2])
    q = max(float(np.quantile(normal, 1 - false_alarm_rate)), 1e-12)
    opts = np.asarray(options, dtype=np.float64)
    return float(opts[np.argmin(np.abs(np.log(np.maximum(opts, 1e-12)) - np.log(q)))])


@dataclass
class DetectionSummary:
    """How a threshold does: anomalies are the positive class ('flagged' = error > threshold)."""

    threshold: float
    precision: float  # NaN when nothing is flagged
    recall: float  # share of anomalies flagged
    false_alarm_rate: float  # share of normal digits flagged
    auc: float
    fpr: np.ndarray
    tpr: np.ndarray
    caught: dict[str, float] = field(default_factory=dict)  # recall per anomaly group
    n_normal: int = 0
    n_anomalies: int = 0


def summarize(threshold: float, normal: np.ndarray, anomalies: Mapping[str, np.ndarray]) -> DetectionSummary:
    """Precision, recall, false-alarm rate, ROC curve and AUC for normal vs all anomaly groups together."""
    normal = np.asarray(normal, dtype=np.float64).ravel()
    groups = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in anomalies.items()}
    groups = {k: v for k, v in groups.items() if v.size}
    if normal.size == 0 or not groups:
        raise ValueError("need at least one normal score and one anomaly score")
    anom = np.concatenate(list(groups.values()))
    precision, recall = precision_recall_at(threshold, normal, anom)
    fpr, tpr, _ = roc_curve(normal, anom)
    return DetectionSummary(
        threshold=float(threshold), precision=precision, recall=recall,
        false_alarm_rate=float(np.mean(normal > threshold)), auc=roc_auc(normal, anom), fpr=fpr, tpr=tpr,
        caught={k: float(np.mean(v > threshold)) for k, v in groups.items()},
        n_normal=int(normal.size), n_anomalies=int(anom.size),
    )


def is_anomaly(score: float, threshold: float) -> bool:
    """Whether a score is flagged (strictly above the threshold, as in the metrics)."""
    return bool(score > threshold)

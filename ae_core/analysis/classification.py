"""Classification by per-class autoencoders: reading the training summary, and per-class reconstructions."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def predicted_class(errors: np.ndarray) -> int:
    """The class whose autoencoder rebuilds the digit best: the index of its lowest reconstruction error."""
    errors = np.asarray(errors, dtype=np.float64).ravel()
    if errors.size == 0:
        raise ValueError("no class errors")
    return int(np.argmin(errors))


def summary_metrics(info: Mapping) -> tuple[float | None, np.ndarray | None, int | None]:
    """(accuracy, 10x10 confusion matrix, number of test images) from a per-class summary sidecar.

    Each part is None when absent or malformed, so a page can show what there is.
    """
    acc = info.get("accuracy") if info else None
    try:
        acc = float(acc) if acc is not None else None
        if acc is not None and not np.isfinite(acc):
            acc = None
    except (TypeError, ValueError):
        acc = None
    cm = info.get("confusion_matrix") if info else None
    try:
        cm = np.asarray(cm, dtype=np.int64) if cm is not None else None
        if cm is not None and (cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0):
            cm = None
    except (TypeError, ValueError):
        cm = None
    n = info.get("test_images") if info else None
    if not isinstance(n, int):
        n = int(cm.sum()) if cm is not None else None
    return acc, cm, n


def top_confusions(cm: np.ndarray, k: int = 3) -> list[tuple[int, int, int]]:
    """The k largest off-diagonal cells of a confusion matrix as (true, predicted, count), count > 0 only."""
    cm = np.asarray(cm)
    off = cm.astype(np.int64).copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:k]
    cells = [(int(i), int(j), int(off[i, j])) for i, j in zip(*np.unravel_index(order, off.shape))]
    return [c for c in cells if c[2] > 0]


def error_scales(info: Mapping | None, n_classes: int = 10) -> np.ndarray | None:
    """Each class's error scale (summary's "error_scale"), or None when absent or malformed."""
    values = info.get("error_scale") if info else None
    try:
        scales = np.asarray(values, dtype=np.float64) if values is not None else None
    except (TypeError, ValueError):
        return None
    if scales is None or scales.shape != (n_classes,) or not np.all(np.isfinite(scales)) or np.any(scales <= 0):
        return None
    return scales


def relative_errors(errors: np.ndarray, scales: np.ndarray | None) -> np.ndarray:
    """Errors (N, classes) divided by each class's error scale, so the ten compare (unchanged without scales)."""
    errors = np.asarray(errors, dtype=np.float64)
    return errors if scales is None else errors / scales


def fit_error_scales(errors: np.ndarray, y: np.ndarray, rounds: int = 4, span: float = 1.0,
                     steps: int = 41) -> np.ndarray:
    """Per-class scales on the errors that maximise accuracy on (errors, y), from 1 (raw errors) up.

    Raw errors favour the digits with little ink (a 1 rebuilds with less error than any other digit under
    most autoencoders), and dividing by each class's typical error over-corrects; a scale per class, searched
    one class at a time on a log grid, finds the balance. Ties keep the scale nearer 1.
    """
    log_e = np.log(np.maximum(np.asarray(errors, dtype=np.float64), 1e-12))
    y = np.asarray(y)
    offsets = np.zeros(log_e.shape[1])
    grid = np.linspace(-span, span, steps)
    for _ in range(rounds):
        for c in range(log_e.shape[1]):
            best, best_acc = offsets[c], -1.0
            for g in sorted(grid, key=abs):
                offsets[c] = g
                acc = float(((log_e - offsets).argmin(axis=1) == y).mean())
                if acc > best_acc:
                    best, best_acc = g, acc
            offsets[c] = best
    return np.exp(offsets)


def class_accuracies(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> list[float | None]:
    """Share of each class's digits predicted right (None for a class with no digits)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    out: list[float | None] = []
    for c in range(n_classes):
        hits = y_true == c
        out.append(float((y_pred[hits] == c).mean()) if hits.any() else None)
    return out

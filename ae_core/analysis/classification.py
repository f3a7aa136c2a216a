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

"""Reconstruction, PCA-baseline, anomaly-detection and classification metrics (numpy only)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def _flat_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return a and b as float64 (N, D) arrays, checking they hold the same batch."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("expected batched arrays, got scalars")
    if a.shape[0] != b.shape[0] or a.size != b.size:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    n = a.shape[0]
    return a.reshape(n, -1), b.reshape(n, -1)


def mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error over every element of two equally sized arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size != b.size:
        raise ValueError(f"size mismatch: {a.shape} vs {b.shape}")
    if a.size == 0:
        return float("nan")
    return float(np.mean((a.ravel() - b.ravel()) ** 2))


def per_image_mse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean squared error of each image in a batch: (N,28,28[,1]) or (N,784) -> (N,)."""
    fa, fb = _flat_pair(a, b)
    if fa.shape[1] == 0:
        return np.full(fa.shape[0], np.nan)
    return np.mean((fa - fb) ** 2, axis=1)


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB; float('inf') when a and b are identical.

    The infinite value is returned as-is (no cap); formatting it is the caller's job.
    """
    err = mse(a, b)
    if err == 0.0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / err))


def psnr_batch(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """Per-image PSNR in dB, shape (N,); inf where an image is reconstructed exactly."""
    err = per_image_mse(a, b)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / err)


class PCA:
    """Principal component analysis fitted with an SVD of the centred data."""

    def __init__(self, n_components: int | None = None, solver: str = "svd") -> None:
        """Keep n_components components (None keeps min(N, D)); solver is "svd" or "gram".

        "svd" decomposes the centred data itself (exact, ~8 s for 60000x784 on 2 cores);
        "gram" eigendecomposes the D x D scatter matrix (about 10x faster for N >> D,
        slightly less accurate for the smallest components).
        """
        if n_components is not None and n_components < 0:
            raise ValueError("n_components must be >= 0")
        if solver not in ("svd", "gram"):
            raise ValueError(f"unknown solver {solver!r}")
        self.n_components = n_components
        self.solver = solver
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None  # (k, D), orthonormal rows
        self.singular_values_: np.ndarray | None = None  # (k,)
        self.explained_variance_: np.ndarray | None = None  # (k,), unbiased (N-1)
        self.n_samples_: int = 0

    def fit(self, x: np.ndarray) -> PCA:
        """Fit the mean and principal axes of x with shape (N, D); returns self."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(f"expected a non-empty (N, D) array, got {x.shape}")
        n, d = x.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if k > min(n, d):
            raise ValueError(f"n_components={k} exceeds min(N, D)={min(n, d)}")
        self.mean_ = x.mean(axis=0)
        xc = x - self.mean_
        if self.solver == "svd":
            _, s, vt = np.linalg.svd(xc, full_matrices=False)
        else:
            eigval, eigvec = np.linalg.eigh(xc.T @ xc)
            order = np.argsort(eigval)[::-1][: min(n, d)]
            s = np.sqrt(np.clip(eigval[order], 0.0, None))
            vt = eigvec[:, order].T
        # Deterministic signs: largest-magnitude loading of each axis is positive.
        signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
        signs[signs == 0] = 1.0
        vt = vt * signs[:, None]
        self.components_ = vt[:k]
        self.singular_values_ = s[:k]
        self.explained_variance_ = s[:k] ** 2 / max(n - 1, 1)
        self.n_samples_ = n
        self.n_components = k
        return self

    def _check(self) -> None:
        """Raise if the model has not been fitted."""
        if self.components_ is None or self.mean_ is None:
            raise RuntimeError("PCA is not fitted; call fit() first")

    def truncated(self, k: int) -> PCA:
        """A copy of this fitted PCA that keeps only its first k components."""
        self._check()
        if not 0 <= k <= self.components_.shape[0]:
            raise ValueError(f"k={k} outside 0..{self.components_.shape[0]}")
        out = PCA(k, self.solver)
        out.mean_ = self.mean_
        out.components_ = self.components_[:k]
        out.singular_values_ = self.singular_values_[:k]
        out.explained_variance_ = self.explained_variance_[:k]
        out.n_samples_ = self.n_samples_
        return out

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Project (N, D) data onto the components: (N, k) codes."""
        self._check()
        return (np.asarray(x, dtype=np.float64) - self.mean_) @ self.components_.T

    def inverse_transform(self, z: np.ndarray) -> np.ndarray:
        """Map (N, k) codes back to (N, D) data space."""
        self._check()
        return np.asarray(z, dtype=np.float64) @ self.components_ + self.mean_

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """Project (N, D) data onto the components and back: (N, D)."""
        return self.inverse_transform(self.transform(x))


def pca_mse_by_components(
    x_train: np.ndarray, x_test: np.ndarray, ks: Iterable[int], solver: str = "svd"
) -> dict[int, float]:
    """Test-set reconstruction MSE of a PCA fitted on x_train, for each number of components k."""
    ks = [int(k) for k in ks]
    if not ks:
        return {}
    x_train = np.asarray(x_train, dtype=np.float64)
    x_train = x_train.reshape(x_train.shape[0], -1)
    x_test = np.asarray(x_test, dtype=np.float64)
    x_test = x_test.reshape(x_test.shape[0], -1)
    full = PCA(max(ks), solver).fit(x_train)
    return {k: mse(x_test, full.truncated(k).reconstruct(x_test)) for k in ks}


def _scores(normal: np.ndarray, anomaly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate and flatten the two score groups."""
    n = np.asarray(normal, dtype=np.float64).ravel()
    a = np.asarray(anomaly, dtype=np.float64).ravel()
    if n.size == 0 or a.size == 0:
        raise ValueError("both score groups must be non-empty")
    if np.isnan(n).any() or np.isnan(a).any():
        raise ValueError("scores must not contain NaN")
    return n, a


def roc_curve(
    scores_normal: np.ndarray, scores_anomaly: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve (fpr, tpr, thresholds) for 'score > threshold means anomaly'.

    Point i flags every score strictly greater than thresholds[i]. thresholds are the
    distinct scores in decreasing order followed by -inf, so the curve runs from
    (0, 0) at the highest score to (1, 1) at -inf. All three arrays share one length.
    """
    fp, tp, thresholds, n_normal, n_anomaly = _roc_counts(scores_normal, scores_anomaly)
    return fp / n_normal, tp / n_anomaly, thresholds


def _roc_counts(
    scores_normal: np.ndarray, scores_anomaly: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """False/true positive counts at each ROC threshold, plus the group sizes."""
    n, a = _scores(scores_normal, scores_anomaly)
    thresholds = np.append(np.unique(np.concatenate([n, a]))[::-1], -np.inf)
    fp = n.size - np.searchsorted(np.sort(n), thresholds, side="right")
    tp = a.size - np.searchsorted(np.sort(a), thresholds, side="right")
    return fp, tp, thresholds, n.size, a.size


def roc_auc(scores_normal: np.ndarray, scores_anomaly: np.ndarray) -> float:
    """Area under the ROC curve = P(anomaly score > normal score) + 0.5 P(tie)."""
    fp, tp, _, n_normal, n_anomaly = _roc_counts(scores_normal, scores_anomaly)
    # Trapezoid on integer counts is exact (multiples of 0.5), then one division.
    area = float(np.sum(np.diff(fp) * (tp[1:] + tp[:-1]))) / 2.0
    return area / (n_normal * n_anomaly)


def precision_recall_at(
    threshold: float, scores_normal: np.ndarray, scores_anomaly: np.ndarray
) -> tuple[float, float]:
    """(precision, recall) when flagging score > threshold, anomalies being the positive class.

    Precision is NaN when nothing is flagged (undefined: no flags to be right or wrong about).
    """
    n, a = _scores(scores_normal, scores_anomaly)
    tp = int(np.count_nonzero(a > threshold))
    fp = int(np.count_nonzero(n > threshold))
    precision = tp / (tp + fp) if tp + fp > 0 else float("nan")
    return float(precision), tp / a.size


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Integer (n_classes, n_classes) counts; rows are true labels, columns predictions."""
    t = np.asarray(y_true).ravel()
    p = np.asarray(y_pred).ravel()
    if t.shape != p.shape:
        raise ValueError(f"length mismatch: {t.shape} vs {p.shape}")
    if t.size and not (np.issubdtype(t.dtype, np.integer) and np.issubdtype(p.dtype, np.integer)):
        if not (np.all(t == np.round(t)) and np.all(p == np.round(p))):
            raise ValueError("labels must be integers")
    t = t.astype(np.int64)
    p = p.astype(np.int64)
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    flat = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions equal to the true labels (NaN for empty input)."""
    t = np.asarray(y_true).ravel()
    p = np.asarray(y_pred).ravel()
    if t.shape != p.shape:
        raise ValueError(f"length mismatch: {t.shape} vs {p.shape}")
    if t.size == 0:
        return float("nan")
    return float(np.mean(t == p))

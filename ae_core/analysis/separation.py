"""How clearly a code space separates the classes: k-nearest-neighbour accuracy of codes (numpy only)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The protocol of the figure the sidecars and pages report (issue 12): 5 neighbours among 20,000 training codes.
KNN_K = 5
KNN_TRAIN = 20000


def knn_predict(train_codes: np.ndarray, train_labels: np.ndarray, codes: np.ndarray, k: int = KNN_K,
                chunk: int = 1000) -> np.ndarray:
    """The majority class among each code's `k` nearest training codes (Euclidean); a tie goes to the nearest."""
    ref = np.asarray(train_codes, dtype=np.float64).reshape(len(train_codes), -1)
    labels = np.asarray(train_labels).astype(np.int64).ravel()
    q_all = np.asarray(codes, dtype=np.float64).reshape(len(codes), -1)
    if len(ref) != len(labels):
        raise ValueError(f"{len(ref)} training codes but {len(labels)} labels")
    if not 1 <= k <= len(ref):
        raise ValueError(f"k must be between 1 and the number of training codes ({len(ref)}), got {k}")
    if q_all.shape[1] != ref.shape[1]:
        raise ValueError(f"codes have {q_all.shape[1]} values but the training codes {ref.shape[1]}")
    n_classes = int(labels.max()) + 1 if len(labels) else 0
    ref_sq = np.einsum("ij,ij->i", ref, ref)
    out = np.empty(len(q_all), dtype=np.int64)
    for start in range(0, len(q_all), chunk):
        q = q_all[start:start + chunk]
        d2 = ref_sq[None, :] - 2.0 * q @ ref.T + np.einsum("ij,ij->i", q, q)[:, None]
        near = np.argpartition(d2, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(near, np.argsort(np.take_along_axis(d2, near, axis=1), axis=1), axis=1)
        votes = labels[near]  # (n, k), nearest first
        counts = np.zeros((len(q), n_classes), dtype=np.float64)
        np.add.at(counts, (np.arange(len(q))[:, None], votes), 1.0)
        # among tied classes the one whose neighbour comes first wins: a bonus below 1 that falls with rank
        bonus = np.zeros_like(counts)
        ranks = np.broadcast_to(np.arange(k)[None, :], votes.shape)
        np.maximum.at(bonus, (np.arange(len(q))[:, None], votes), (k - ranks) / (k + 1.0))
        out[start:start + len(q)] = np.argmax(counts + bonus, axis=1)
    return out


def knn_accuracy(train_codes: np.ndarray, train_labels: np.ndarray, codes: np.ndarray, labels: np.ndarray,
                 k: int = KNN_K) -> float:
    """Share of `codes` whose k-nearest-neighbour vote among the training codes gives their own label."""
    labels = np.asarray(labels).astype(np.int64).ravel()
    if len(labels) == 0:
        raise ValueError("knn_accuracy needs at least one code to classify")
    return float(np.mean(knn_predict(train_codes, train_labels, codes, k) == labels))


def code_separation(encode: Callable[[np.ndarray], np.ndarray], x_train: np.ndarray, y_train: np.ndarray,
                    x_test: np.ndarray, y_test: np.ndarray, *, k: int = KNN_K,
                    n_train: int = KNN_TRAIN, batch_size: int = 1000) -> dict[str, float]:
    """{"knn<k>_accuracy": share of test codes classified right among the first `n_train` training codes}.

    `encode` maps images to codes (a VAE's: the posterior mean), called in batches of `batch_size`.
    """
    def codes_of(x: np.ndarray) -> np.ndarray:
        parts = [np.asarray(encode(x[i:i + batch_size])) for i in range(0, len(x), batch_size)]
        return np.concatenate(parts).reshape(len(x), -1)

    n_train = min(int(n_train), len(x_train))
    acc = knn_accuracy(codes_of(x_train[:n_train]), y_train[:n_train], codes_of(x_test), y_test, k)
    return {f"knn{int(k)}_accuracy": acc}

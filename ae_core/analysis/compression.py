"""Compression: code size against reconstruction error, for the autoencoder series and PCA (numpy only)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ae_core.analysis.metrics import PCA
from ae_core.shapes import N_PIXELS

#: Code sizes of the shipped compression series (assets/models/compression/code_<k>.keras).
CODE_SIZES: tuple[int, ...] = (2, 4, 8, 16, 32, 64)

Reconstruct = Callable[[np.ndarray], np.ndarray]


def compression_ratio(code_size: int, input_dim: int = N_PIXELS) -> float:
    """How many times smaller the code is than the image (784 / code size)."""
    if code_size <= 0:
        raise ValueError("code size must be positive")
    return input_dim / code_size


def ratio_text(code_size: int, input_dim: int = N_PIXELS) -> str:
    """'784 -> 16 numbers (49x smaller)', with a real arrow and times sign."""
    r = compression_ratio(code_size, input_dim)
    return f"{input_dim} → {code_size} numbers ({r:.3g}× smaller)"


@dataclass
class SidecarCurve:
    """Test MSE per code size, read from the models' JSON sidecars (sizes ascending)."""

    sizes: list[int] = field(default_factory=list)
    ae_mse: list[float] = field(default_factory=list)
    pca_mse: list[float] = field(default_factory=list)
    incomplete: list[int] = field(default_factory=list)  # sizes whose sidecar lacks a figure


def sidecar_curve(infos: Mapping[int, Mapping]) -> SidecarCurve:
    """Collect info["test_metrics"]["mse"] and info["pca_mse"] per code size from sidecar dicts.

    Sizes missing either figure (or holding a non-finite one) go to `incomplete` instead of the curve.
    """
    out = SidecarCurve()
    for size in sorted(infos):
        info = infos[size] or {}
        try:
            ae = float(info["test_metrics"]["mse"])
            pc = float(info["pca_mse"])
        except (KeyError, TypeError, ValueError):
            out.incomplete.append(int(size))
            continue
        if not (np.isfinite(ae) and np.isfinite(pc)):
            out.incomplete.append(int(size))
            continue
        out.sizes.append(int(size))
        out.ae_mse.append(ae)
        out.pca_mse.append(pc)
    return out


def fit_pca(images: np.ndarray, max_components: int = max(CODE_SIZES)) -> PCA:
    """PCA with max_components axes fitted on (N,28,28) images; truncate it for smaller codes."""
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    return PCA(min(max_components, *flat.shape)).fit(flat)


def pca_rebuild(pca: PCA, images: np.ndarray, k: int) -> np.ndarray:
    """(N,28,28) images rebuilt from their first k principal components, clipped to [0, 1]."""
    x = np.asarray(images, dtype=np.float64)
    flat = x.reshape(len(x), -1)
    rec = pca.truncated(k).reconstruct(flat)
    return np.clip(rec, 0.0, 1.0).reshape(x.shape[0], *x.shape[1:3]).astype("float32")


def rebuild_across_sizes(
    images: np.ndarray,
    sizes: Sequence[int],
    pca: PCA | None,
    autoencoders: Mapping[int, Reconstruct],
) -> dict[str, dict[int, np.ndarray]]:
    """{"autoencoder": {size: (N,28,28)}, "PCA": {size: (N,28,28)}} for every size each method has.

    autoencoders maps a code size to a reconstruct function; sizes without one are left out.
    PCA sizes above its number of components are left out too.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    out: dict[str, dict[int, np.ndarray]] = {"autoencoder": {}, "PCA": {}}
    for k in sizes:
        if k in autoencoders:
            out["autoencoder"][k] = np.asarray(autoencoders[k](x), dtype="float32").reshape(x.shape)
        if pca is not None and k <= pca.components_.shape[0]:
            out["PCA"][k] = pca_rebuild(pca, x, k)
    return out


def example_indices(labels: np.ndarray, wanted: Sequence[int], limit: int | None = None) -> list[int]:
    """Index of the first image of each wanted label among labels[:limit] (labels not found are skipped)."""
    y = np.asarray(labels).ravel()[:limit]
    out = []
    for lab in wanted:
        hits = np.flatnonzero(y == lab)
        if hits.size:
            out.append(int(hits[0]))
    return out

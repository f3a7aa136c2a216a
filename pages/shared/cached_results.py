"""Cached results the latent-space and applications pages compute once per server (model-dependent data)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae_core.data.catalog import DATASET_KEYS
from pages.shared.resources import dataset_info, registry, samples

NOISE_GROUP = "Pure noise"
N_NOISE = 500


@st.cache_data(show_spinner=False, max_entries=8)
def latent_codes(model: str = "vae2", dataset: str = "mnist") -> np.ndarray:
    """(N, d) codes of a dataset's shipped test images under its shipped model (VAE: posterior means)."""
    x, _ = samples(dataset)
    return registry(dataset).runner(model).encode(x)


@st.cache_data(show_spinner=False, max_entries=16)
def manifold_canvas(model: str, n: int, extent: float, dataset: str = "mnist") -> np.ndarray:
    """(n*28, n*28) tiled digits decoded over the code plane [-extent, extent]^2 (one batched call)."""
    from ae_core.figures.images import tile_images
    from ae_core.analysis.latent import manifold
    return tile_images(manifold(registry(dataset).runner(model), n, extent), n)


def anomaly_groups(dataset: str) -> tuple[str, tuple[str, ...]]:
    """(the normal images' name, the anomaly sets' names) for a model of `dataset`: the other dataset, and noise."""
    others = tuple(dataset_info(k).set_name for k in DATASET_KEYS if k != dataset)
    return dataset_info(dataset).set_name, others + (NOISE_GROUP,)


@st.cache_data(show_spinner=False, max_entries=8)
def anomaly_scores(model: str, dataset: str = "mnist") -> dict[str, np.ndarray]:
    """Reconstruction MSE of the dataset's shipped test images and of each anomaly set under its shipped model."""
    from ae_core.analysis.anomaly import noise_images, reconstruction_errors
    runner = registry(dataset).runner(model)
    sets = {dataset_info(k).set_name: samples(k)[0] for k in DATASET_KEYS}
    sets[NOISE_GROUP] = noise_images(N_NOISE, seed=0)
    normal, anomalies = anomaly_groups(dataset)
    return {name: reconstruction_errors(runner, sets[name]) for name in (normal, *anomalies)}

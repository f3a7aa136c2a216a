"""Cached results the latent-space and applications pages compute once per server (model-dependent data)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from pages.shared.resources import registry, samples

ANOMALY_GROUPS = ("Fashion-MNIST", "Pure noise")  # the anomaly sets, besides the user's drawing
N_NOISE = 500


@st.cache_data(show_spinner=False, max_entries=8)
def latent_codes(model: str = "vae2") -> np.ndarray:
    """(N, d) codes of the shipped MNIST test digits under a shipped model (VAE: posterior means)."""
    x, _ = samples("mnist")
    return registry().runner(model).encode(x)


@st.cache_data(show_spinner=False, max_entries=16)
def manifold_canvas(model: str, n: int, extent: float) -> np.ndarray:
    """(n*28, n*28) tiled digits decoded over the code plane [-extent, extent]^2 (one batched call)."""
    from ae_core.figures.images import tile_images
    from ae_core.analysis.latent import manifold
    return tile_images(manifold(registry().runner(model), n, extent), n)


@st.cache_data(show_spinner=False, max_entries=8)
def anomaly_scores(model: str) -> dict[str, np.ndarray]:
    """Reconstruction MSE of MNIST test digits and of each anomaly set under a shipped model."""
    from ae_core.analysis.anomaly import noise_images, reconstruction_errors
    runner = registry().runner(model)
    fashion, _ = samples("fashion_mnist")
    sets = {"MNIST digits": samples("mnist")[0], ANOMALY_GROUPS[0]: fashion,
            ANOMALY_GROUPS[1]: noise_images(N_NOISE, seed=0)}
    return {name: reconstruction_errors(runner, x) for name, x in sets.items()}

"""What the Home page shows besides the demo: model descriptions, the layer table, the tour of the pages."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ae_core.models.architecture import ModelCard, dense_widths
from ae_core.models.sidecars import read_sidecar

if TYPE_CHECKING:
    import pandas as pd

DESCRIPTIONS = {
    "dense": "Fully connected layers squeeze the 784 pixels down to a short code and mirror back up. "
             "The simplest autoencoder, and the one in the demo above.",
    "conv": "Convolutions and max-pooling shrink the image to a small stack of 4x4 feature maps that keeps "
            "a rough picture of where the strokes are; upsampling convolutions rebuild it.",
    "denoising": "The conv architecture again, but trained to turn noisy digits back into clean ones: "
                 "its input is corrupted, its target is the original.",
    "vae2": "A variational autoencoder with a 2-number code: every digit becomes a point on a plane you "
            "can explore, and decoding random points draws brand-new digits.",
    "vae16": "The same variational autoencoder with a 16-number code: sharper copies, and still a smooth "
             "code space to sample from.",
}
VAE_NOTE = ("These VAEs fix the bugs of the tutorial this lab grew out of: the encoder has separate heads for "
            "the mean and the log-variance of the code (the tutorial computed both from the same tensor, so "
            "they were always equal), and the loss is the proper negative ELBO: the Bernoulli reconstruction "
            "loss summed over all 784 pixels plus the KL divergence to the N(0, I) prior.")
TOUR = [
    ("pages/views/draw.py", "Draw & reconstruct", "Your digit through all five autoencoders, with error maps."),
    ("pages/views/denoise.py", "Denoise", "Add noise and watch a denoising autoencoder clean it up."),
    ("pages/views/latent.py", "Latent space", "Walk the 2-d code plane, interpolate, sample new digits."),
    ("pages/views/compression.py", "Compression", "How small can the code get? Autoencoder against PCA."),
    ("pages/views/applications.py", "Applications", "Anomaly detection and classification by reconstruction error."),
    ("pages/views/train.py", "Train", "Train your own autoencoder and watch it learn."),
]


@st.cache_data(show_spinner=False)
def shipped_dense_widths(folder: str) -> tuple[int, ...]:
    """Layer widths of the shipped dense AE, read from its sidecar (no model load needed)."""
    return dense_widths(read_sidecar(Path(folder) / "dense.keras"))


def layer_frame(card: ModelCard) -> pd.DataFrame:
    """A model card's layer table with display column names."""
    import pandas as pd  # only once the models' tables are shown: the first page renders without it
    return pd.DataFrame(card.layers).rename(columns={"output": "output shape", "params": "parameters"})


def layer_table(card: ModelCard) -> None:
    """The layer table of a model, full width."""
    st.dataframe(layer_frame(card), hide_index=True, width="stretch",
                 column_config={"parameters": st.column_config.NumberColumn(format="%d")})


def tour_grid(pages: list[tuple[str, str, str]], n_cols: int = 3) -> None:
    """A bordered card per page (its link and a one-line description), n_cols per row."""
    cols = st.columns(n_cols, gap="medium")
    for i, (path, label, text) in enumerate(pages):
        with cols[i % n_cols].container(border=True):
            st.page_link(path, label=f"**{label}**")
            st.caption(text)

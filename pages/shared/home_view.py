"""What the Home page shows besides the demo: model descriptions, the layer table, the tour of the pages."""
from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from ae_core.models.architecture import ModelCard, dense_widths
from ae_core.models.sidecars import read_sidecar

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


#: (column, heading, right-aligned) of the layer table
LAYER_COLUMNS = (("layer", "layer", False), ("type", "type", False), ("part", "part", False),
                 ("output", "output shape", False), ("params", "parameters", True))
LAYER_TABLE_CSS = """<style>
.ae-layers { border-collapse: collapse; width: 100%; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
.ae-layers th, .ae-layers td { padding: 0.3rem 0.6rem; border-bottom: 1px solid rgba(49, 51, 63, 0.12); text-align: left; }
.ae-layers th { font-weight: 600; color: rgba(49, 51, 63, 0.75); }
.ae-layers .num { text-align: right; }
.ae-layers-wrap { overflow-x: auto; }
</style>"""


def layer_table_html(card: ModelCard) -> str:
    """A model card's layers as one HTML table (one element: far lighter for the browser than a grid per tab)."""
    head = "".join(f'<th class="num">{h}</th>' if right else f"<th>{h}</th>" for _, h, right in LAYER_COLUMNS)
    rows = []
    for layer in card.layers:
        cells = []
        for key, _, right in LAYER_COLUMNS:
            value = layer.get(key, "")
            text = f"{value:,}" if isinstance(value, int) else html.escape(str(value))
            cells.append(f'<td class="num">{text}</td>' if right else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="ae-layers-wrap"><table class="ae-layers" aria-label="layers of the model">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def layer_table(card: ModelCard) -> None:
    """The layer table of a model, full width."""
    st.html(LAYER_TABLE_CSS + layer_table_html(card))


def tour_grid(pages: list[tuple[str, str, str]], n_cols: int = 3) -> None:
    """A bordered card per page (its link and a one-line description), n_cols per row."""
    cols = st.columns(n_cols, gap="medium")
    for i, (path, label, text) in enumerate(pages):
        with cols[i % n_cols].container(border=True):
            st.page_link(path, label=f"**{label}**")
            st.caption(text)

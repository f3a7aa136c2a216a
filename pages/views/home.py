"""Home: what an autoencoder is, a ten-second live demo, the shipped models' architectures, the tour."""
import numpy as np
import pandas as pd
import streamlit as st

from ae_core.models.architecture import ModelCard, card_from_sidecar, dense_widths
from ae_core.analysis.metrics import mse
from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.models.errors import ModelFileError
from ae_core.figures.architecture import architecture_svg
from ae_core.models.sidecars import read_sidecar
from pages.shared.resources import registry, samples
from pages.shared.widgets import drawing_canvas, presenter_mode, show_image

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
def _dense_widths(folder: str) -> tuple[int, ...]:
    """Layer widths of the shipped dense AE, read from its sidecar (no model load needed)."""
    from pathlib import Path
    return dense_widths(read_sidecar(Path(folder) / "dense.keras"))


def _layer_frame(card: ModelCard) -> pd.DataFrame:
    return pd.DataFrame(card.layers).rename(columns={"output": "output shape", "params": "parameters"})


# ---------------------------------------------------------------- intro
st.title("Autoencoder Lab")
reg = registry()
widths = _dense_widths(str(reg.folder))
intro, diagram = st.columns([1, 1.55], gap="large")
with intro:
    st.markdown(
        "An **autoencoder** is a neural network trained to copy its input to its output through a narrow "
        "bottleneck. The **encoder** squeezes a 28x28 image (784 numbers) into a short **code**, and the "
        "**decoder** has to rebuild the whole image from that code alone. Because the code is far too small "
        "to store every pixel, the network must learn what handwritten digits have in common, and that "
        "learned code is what makes autoencoders useful for denoising, compression, anomaly detection and "
        "drawing new digits."
    )
with diagram:
    st.image(architecture_svg(widths), width="stretch")
    st.caption(f"The dense autoencoder in the demo below: {' → '.join(str(w) for w in widths)} numbers "
               "per layer (bar height grows with the square root of the layer's size).")

# ---------------------------------------------------------------- live demo
st.header("Try it: draw a digit")
was_loading = not reg.ready


@st.fragment(run_every=1.0 if was_loading else None)
def live_demo() -> None:
    """The pad and the dense AE's copy of the digit: a stroke reruns only this; polls while the models load."""
    canvas_col, result_col = st.columns([1, 1.25] if presenter_mode() else [1, 1.55], gap="large")
    with canvas_col:
        st.markdown("Draw a digit (0-9) in the black square with your mouse or finger.")
        drawn = drawing_canvas("home")
    with result_col:
        demo_result(drawn)


def demo_result(digit: np.ndarray | None) -> None:
    """Input and the dense AE's copy, its code and what the bottleneck did (an info while the models load)."""
    reg = registry()
    if not reg.ready:
        st.info("The models are loading (a few seconds on first start). "
                "The autoencoder's copy of your digit will appear here by itself.")
        return
    if was_loading:
        st.rerun()  # full rerun, so the architecture section below fills in too
    if "dense" not in reg.models:
        st.warning("The dense autoencoder is unavailable: " + reg.errors.get("dense", "model file not found")
                   + ". The other pages still work with the models that did load.")
        return
    if digit is None:
        x, y = samples("mnist")
        digit, what = x[0], f"example: test digit #0<br>(a {y[0]}; draw your own)"
    else:
        what = "your drawing<br>(shrunk to 28x28, as MNIST)"
    dense = reg.runner("dense")
    rec = dense.reconstruct(digit)[0]
    code = dense.encode(digit)[0]
    err = mse(rec, digit)
    px = 240 if presenter_mode() else 220
    a, b, c = st.columns([1, 0.62, 1], vertical_alignment="center")  # equal two-line captions keep rows level
    with a:
        show_image(digit, f"input: {what}", px)
    with b:
        st.markdown(f"<div style='text-align:center;line-height:1.5'>encoder →<br>"
                    f"<b style='font-size:1.8em'>{code.size}</b><br>numbers<br>→ decoder</div>",
                    unsafe_allow_html=True)
    with c:
        show_image(rec, f"the autoencoder's copy<br>MSE {err:.4f}", px)
    st.caption("The code the decoder rebuilt it from: "
               + "  ".join(f"{v:+.1f}" for v in code.ravel()))
    st.markdown(f"784 pixel values went in, only **{code.size}** numbers came out of the encoder "
                f"({784 / code.size:.0f}x fewer), and the decoder redrew the digit from them.")


live_demo()

# ---------------------------------------------------------------- the models
st.header("The five shipped autoencoders")
if not reg.ready:
    st.info("The model details appear as soon as the models have loaded.")
else:
    missing = [label for name, label in SHIPPED_MODELS.items() if name not in reg.models]
    if missing:
        st.warning("Not available right now: " + ", ".join(missing)
                   + " (the tab says why). Everything else works.")
    tabs = st.tabs(list(SHIPPED_MODELS.values()))
    for tab, (name, label) in zip(tabs, SHIPPED_MODELS.items()):
        with tab:
            st.markdown(DESCRIPTIONS.get(name, ""))
            if name not in reg.models:
                st.warning(f"{label} is missing: {reg.errors.get(name, 'model file not found')}")
                continue
            info = reg.models[name].info
            try:
                card = card_from_sidecar(info)
            except ModelFileError as e:
                st.warning(f"The architecture of {label} is not recorded: {e}")
                continue
            m1, m2, m3, m4 = st.columns(4)
            m1.metric("Parameters", f"{card.params:,}", help=f"encoder {card.encoder_params:,} + "
                      f"decoder {card.decoder_params:,} trainable weights")
            m2.metric("Code size", card.code_text, help="numbers per image passed from encoder to decoder")
            m3.metric("Compression", f"{card.ratio:.3g}x", help=f"784 pixels -> {card.code_size} numbers")
            test_mse = info.get("test_metrics", {}).get("mse")
            m4.metric("Test MSE", f"{test_mse:.4f}" if isinstance(test_mse, (int, float)) else "n/a",
                      help="mean squared pixel error on the 10,000 MNIST test digits (from the model's sidecar)"
                      + ("; for the denoising AE measured on noisy inputs" if name == "denoising" else ""))
            if name == "denoising":
                factor = info.get("config", {}).get("noise_factor")
                if factor is not None:
                    st.caption(f"Trained on digits with Gaussian noise of strength {factor:g} added.")
            if reg.models[name].is_vae:
                st.info(VAE_NOTE)
            st.dataframe(_layer_frame(card), hide_index=True, width="stretch",
                         column_config={"parameters": st.column_config.NumberColumn(format="%d")})

# ---------------------------------------------------------------- tour
st.header("Explore")
cols = st.columns(3, gap="medium")
for i, (path, label, text) in enumerate(TOUR):
    with cols[i % 3].container(border=True):
        st.page_link(path, label=f"**{label}**")
        st.caption(text)

"""Draw & reconstruct: one digit through every autoencoder, with error maps."""
import numpy as np
import streamlit as st

from ae_core.serving.runners import reconstruct_all
from pages.shared.live_views import live_reconstructions, look_inside
from pages.shared.resources import core_models, dataset_info
from pages.shared.session_models import trained_on, user_models, user_reconstructions
from pages.shared.widgets import image_px, picker_beside_results, reconstruction_grid, show_image

st.title("Draw & reconstruct")
st.caption(f"Draw a {dataset_info().item} and watch five autoencoders rebuild it from their compressed codes. "
           "Bright spots in the error maps are where a model got it wrong.")


def shipped_reconstructions(digit: np.ndarray, source: str) -> int:
    """The input, then every shipped model's reconstruction and error map; returns how many models there are."""
    reg = core_models(in_fragment=True)
    recons, codes = reconstruct_all(reg.models, digit)
    show_image(digit, f"input: {source}<br>(28x28, as MNIST)")
    reconstruction_grid(digit, recons, {name: lm.label for name, lm in reg.models.items()})
    if "vae2" in codes:
        z = codes["vae2"]
        st.caption(f"The 2-d VAE places this digit at z = ({z[0]:+.2f}, {z[1]:+.2f}) on its latent map.")
    return len(recons)


def session_reconstructions(digit: np.ndarray, n_shipped: int) -> None:
    """The models this session trained or uploaded (Train page), at the shipped models' column width."""
    dataset = dataset_info().key
    mine = user_reconstructions(digit, dataset)
    if any(trained_on(m) not in (None, dataset) for m in user_models().values()):
        st.caption("Your models trained on the other dataset are left out here: switch the dataset to see them.")
    if not mine:
        return
    st.markdown("##### Your models")
    n = max(n_shipped, len(mine))
    with st.columns([len(mine), n - len(mine)] if n > len(mine) else 1)[0]:
        reconstruction_grid(digit, mine, {name: lm.label for name, lm in user_models().items()})


@st.fragment
def draw_and_reconstruct() -> None:
    """The pad and every model's reconstruction, live in the browser while drawing; a stroke reruns only this."""
    digit, source, right = picker_beside_results("draw")
    with right:
        reg = core_models(in_fragment=True)
        if not reg.models:
            st.info(f"No autoencoder is shipped for {dataset_info().short} yet; switch the dataset in the "
                    "sidebar to use the others.")
            return
        drawing = st.session_state.get("draw-source", "Draw") == "Draw"
        live = live_reconstructions("draw-live", reg.models, px=image_px(), pad="draw-canvas" if drawing else None,
                                    digit=None if drawing else digit, source=source)
        if live.ok is False:
            st.caption(f"Live preview unavailable in this browser ({live.reason}); the reconstructions come "
                       "from the server after each stroke.")
        if digit is None:
            if live.ok is not True:
                st.info("The reconstructions appear here as soon as there is a digit.")
            return
        # Until the browser has said its runtime works (and wherever it does not), the server answers.
        n_shipped = len(reg.models) if live.ok else shipped_reconstructions(digit, source)
        session_reconstructions(digit, n_shipped)


@st.fragment
def inside_the_conv_ae() -> None:
    """The conv AE's layers for the digit on the pad, live in the browser (where it runs the models)."""
    reg = core_models()
    if "conv" not in reg.models or not reg.models["conv"].can("activations"):
        return
    st.subheader("Look inside the conv AE")
    st.caption("Each small square is one channel of a layer: what one learned filter responds to in your digit. "
               "Follow the digit down to the 4x4x8 code (highlighted) and back up to the copy.")
    drawing = st.session_state.get("draw-source", "Draw") == "Draw"
    live = look_inside("draw-inside", reg.models["conv"], pad="draw-canvas" if drawing else None,
                       digit=None if drawing else st.session_state.get("current_digit"))
    if live.ok is False:
        st.caption("The layer-by-layer view needs the in-browser runtime, which this browser lacks.")


draw_and_reconstruct()
inside_the_conv_ae()

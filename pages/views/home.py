"""Home: what an autoencoder is, a ten-second live demo, the shipped models' architectures, the tour."""
import numpy as np
import streamlit as st

from ae_core.analysis.compression import compression_ratio
from ae_core.analysis.metrics import mse
from ae_core.figures.architecture import ARCHITECTURE_TITLE, architecture_description, architecture_svg
from ae_core.models.architecture import ModelCard, card_from_sidecar
from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.models.errors import ModelFileError
from ae_core.serving.registry import ModelRegistry
from ae_core.serving.runners import ServedModel
from pages.shared.home_view import DESCRIPTIONS, TOUR, VAE_NOTE, layer_table, shipped_dense_widths, tour_grid
from pages.shared.resources import core_models, dataset_info, registry, samples, unopened_models
from pages.shared.live_views import browser_runtime, live_reconstructions
from pages.shared.widgets import CURRENT_DIGIT, drawing_canvas, presenter_mode, show_image


# ---------------------------------------------------------------- intro
def intro(reg: ModelRegistry) -> None:
    """What an autoencoder is, beside a diagram of the dense one."""
    widths = shipped_dense_widths(str(reg.folder))
    text, diagram = st.columns([1, 1.55], gap="large")
    spec = dataset_info()
    text.markdown(
        "An **autoencoder** is a neural network trained to copy its input to its output through a narrow "
        "bottleneck. The **encoder** squeezes a 28x28 image (784 numbers) into a short **code**, and the "
        "**decoder** has to rebuild the whole image from that code alone. Because the code is far too small "
        "to store every pixel, the network must learn what handwritten digits have in common, and that "
        "learned code is what makes autoencoders useful for denoising, compression, anomaly detection and "
        "drawing new digits."
        + ("" if spec.key == "mnist" else
           f"\n\nThis session uses **{spec.short}**: 28x28 gray pictures of ten kinds of clothing "
           f"({', '.join(spec.classes)}), with autoencoders of the same kinds trained on them. "
           "Switch back to digits in the sidebar.")
    )
    with diagram:
        st.image(architecture_svg(widths), width="stretch",
                 alt=f"{ARCHITECTURE_TITLE}: {architecture_description(widths)}")
        what = "" if spec.key == "mnist" else f" (trained on {spec.short})"
        st.caption(f"The dense autoencoder in the demo below{what}: {' → '.join(str(w) for w in widths)} numbers "
                   "per layer (bar height grows with the square root of the layer's size).")


# ---------------------------------------------------------------- live demo
def live_demo() -> None:
    """The pad and the dense AE's copy of the digit (run as a fragment: a stroke reruns only this)."""
    canvas_col, result_col = st.columns([1, 1.25] if presenter_mode() else [1, 1.55], gap="large")
    with canvas_col:
        st.markdown("Draw a digit (0-9) in the black square with your mouse or finger." if dataset_info().key == "mnist"
                    else "Draw a piece of clothing (a T-shirt, trousers, a shoe, a bag...) in the black square.")
        drawn = drawing_canvas("home")
    with result_col:
        demo_result(drawn)


def demo_result(digit: np.ndarray | None) -> None:
    """The dense AE's copy of the digit (in the browser, or from the server), or a warning without the model."""
    x, y = samples()
    spec = dataset_info()
    last = st.session_state.get(CURRENT_DIGIT) if digit is None else None
    # a digit drawn or chosen on another page is shown until one is drawn here
    example = (last, f"your last {spec.item}<br>(from another page)") if last is not None else (
        x[0], f"example: test {spec.item} #0<br>({spec.label_phrase(y[0])}; draw your own)")
    px = 240 if presenter_mode() else 220
    if not registry().ready and browser_runtime().ok is not False and (preview := unopened_models("dense")):
        # the browser runs its own copy of the model from the files: it need not wait for the server's
        live_reconstructions("home-live", preview, px=px, pad="home", layout="pipeline", example=example)
        return
    reg = core_models(in_fragment=True)  # the server's answer needs its models (they open in a moment)
    if "dense" not in reg.models:
        st.warning("The dense autoencoder is unavailable: " + reg.errors.get("dense", "model file not found")
                   + ". The other pages still work with the models that did load.")
        return
    live = live_reconstructions("home-live", {"dense": reg.models["dense"]}, px=px,
                                pad="home", layout="pipeline", example=example)
    if live.ok is True:
        return  # the browser shows the copy, live while drawing
    if digit is None:
        digit, what = example
    else:
        what = "your drawing<br>(shrunk to 28x28, as MNIST)"
    dense_copy(reg, digit, what, px)


def dense_copy(reg: ModelRegistry, digit: np.ndarray, what: str, px: int) -> None:
    """Input, code size and reconstruction side by side, then the code itself."""
    dense = reg.runner("dense")
    rec = dense.reconstruct(digit)[0]
    code = dense.encode(digit)[0]
    a, b, c = st.columns([1, 0.62, 1], vertical_alignment="center")  # equal two-line captions keep rows level
    with a:
        show_image(digit, f"input: {what}", px)
    b.markdown(f"<div style='text-align:center;line-height:1.5'>encoder →<br>"
               f"<b style='font-size:1.8em'>{code.size}</b><br>numbers<br>→ decoder</div>",
               unsafe_allow_html=True)
    with c:
        show_image(rec, f"the autoencoder's copy<br>MSE {mse(rec, digit):.4f}", px)
    st.caption("The code the decoder rebuilt it from: "
               + "  ".join(f"{v:+.1f}" for v in code.ravel()))
    st.markdown(f"784 pixel values went in, only **{code.size}** numbers came out of the encoder "
                f"({compression_ratio(code.size):.0f}x fewer), and the decoder redrew the digit from them.")


def demo_section() -> None:
    """The live demo, as a fragment: a stroke reruns only the pad and its answer."""
    st.header("Try it: draw a digit")
    st.fragment(live_demo)()


# ---------------------------------------------------------------- the models
def model_metrics(name: str, card: ModelCard, info: dict) -> None:
    """Parameters, code size, compression and test MSE of one shipped model."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Parameters", f"{card.params:,}", help=f"encoder {card.encoder_params:,} + "
              f"decoder {card.decoder_params:,} trainable weights")
    m2.metric("Code size", card.code_text, help="numbers per image passed from encoder to decoder")
    m3.metric("Compression", f"{card.ratio:.3g}x", help=f"784 pixels -> {card.code_size} numbers")
    test_mse = info.get("test_metrics", {}).get("mse")
    m4.metric("Test MSE", f"{test_mse:.4f}" if isinstance(test_mse, (int, float)) else "n/a",
              help=f"mean squared pixel error on the 10,000 {dataset_info().short} test images (from the model's sidecar)"
              + ("; for the denoising AE measured on noisy inputs" if name == "denoising" else ""))


def model_tab(models: dict[str, ServedModel], errors: dict[str, str], name: str, label: str) -> None:
    """One shipped model: what it is, its figures and its layers (a warning when it or its record is missing)."""
    st.markdown(DESCRIPTIONS.get(name, ""))
    if name not in models:
        st.warning(f"{label} is missing: {errors.get(name, 'model file not found')}")
        return
    info = models[name].info
    try:
        card = card_from_sidecar(info)
    except ModelFileError as e:
        st.warning(f"The architecture of {label} is not recorded: {e}")
        return
    model_metrics(name, card, info)
    factor = info.get("config", {}).get("noise_factor") if name == "denoising" else None
    if factor is not None:
        st.caption(f"Trained on digits with Gaussian noise of strength {factor:g} added.")
    if models[name].is_vae:
        st.info(VAE_NOTE if dataset_info().key == "mnist" else
                VAE_NOTE + f" On {dataset_info().short} the reconstruction term is the "
                f"{dataset_info().likelihood}, so the textures and shading are kept.")
    layer_table(card)


MODEL_TAB = "home-model-tab"  # session key: the label of the open model tab


def models_section(reg: ModelRegistry) -> None:
    """A tab per shipped autoencoder, from the sidecars (so it need not wait for the models to open)."""
    st.header("The five shipped autoencoders")
    # once opened, a model that failed says why; before, its sidecar is all the tab needs
    if reg.ready:
        models, errors = reg.models, reg.errors
    else:
        models = unopened_models(*SHIPPED_MODELS)
        errors = {n: reg.not_shipped(label) for n, label in SHIPPED_MODELS.items() if n not in models}
    missing = [label for name, label in SHIPPED_MODELS.items() if name not in models]
    if missing:
        st.warning("Not available right now: " + ", ".join(missing)
                   + " (the tab says why). Everything else works.")
    # only the open tab is computed and drawn: five tabs of figures and tables were the browser's largest task in
    # the page's first second, while the pad already takes strokes; opening another tab reruns this fragment
    tabs = st.tabs(list(SHIPPED_MODELS.values()), key=MODEL_TAB, on_change="rerun")
    for tab, (name, label) in zip(tabs, SHIPPED_MODELS.items()):
        if tab.open:
            with tab:
                model_tab(models, errors, name, label)


# ---------------------------------------------------------------- page
st.title("Autoencoder Lab")
reg = registry()
intro(reg)
demo_section()
st.fragment(models_section)(reg)
st.header("Explore")
tour_grid(TOUR)

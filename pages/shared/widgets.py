"""Shared widgets: presenter mode, sidebar, drawing canvas, digit picker and image rows."""
from __future__ import annotations

from html import escape, unescape

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ae_core.analysis.metrics import mse
from ae_core.figures.images import error_heatmap, figure_html
from ae_core.figures.style import for_projector
from ae_core.data.image_files import ImageInputError, read_image
from ae_core.data.preprocess import to_mnist
from pages.shared.access import presenter_controls
from pages.shared.canvas import drawing_pad
from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.data.catalog import DATASET_KEYS, DEFAULT_DATASET, dataset_spec
from pages.shared.resources import DATASET, DATASET_PARAM, current_dataset, dataset_info, samples

CURRENT_DIGIT = "current_digit"  # session key: the last digit the user drew, picked or uploaded (28x28)
CURRENT_SOURCE = "current_digit_source"  # session key: where the current digit came from, as plain text
PRESENTER_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 21px; }
[data-testid="stAppViewContainer"] h1 { font-size: 2.6rem; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
#MainMenu, footer, header [data-testid="stHeaderActionElements"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-top: 2.5rem; }
/* the (empty) header bar would cover the big title: let the page show through it */
header[data-testid="stHeader"] { background: transparent; }
[data-testid="stCaptionContainer"] { font-size: 1.0rem; color: #111827; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
</style>
"""
#: How figures look, on the page and inside the live views' components (their shadow roots see no page CSS).
FIGURE_CSS = """
.ae-caption { text-align: center; font-size: 0.9rem; line-height: 1.25; margin-top: 0.3rem; }
.ae-fig { margin: 0 0 0.6rem 0; }
.ae-fig img, .ae-fig canvas { display: block; width: 100%; height: auto; image-rendering: pixelated;
    border-radius: 0.3rem; }
.ae-row { display: grid; gap: 0.4rem 0.8rem; align-items: start; }
.ae-model-title { font-weight: 600; line-height: 1.3; margin-bottom: 0.4rem; align-self: end; }
/* One column per model, each between 92 px and the full image size; too narrow a row wraps rather than shrinking
   the images below legibility, and a title, its images and captions share rows with the other models (subgrid),
   so a long title no longer pushes its column down. */
.ae-models { --ae-gap: 0.6rem; gap: 0.4rem var(--ae-gap);
    grid-template-columns: repeat(auto-fit, minmax(max(92px, calc((100% - (var(--ae-n) - 1) * var(--ae-gap)) / var(--ae-n))), 1fr));
    max-width: calc(var(--ae-n) * var(--ae-px, 140px) + (var(--ae-n) - 1) * var(--ae-gap)); }
.ae-models > .ae-model { display: grid; grid-row: span 3; grid-template-rows: subgrid; gap: 0; }
"""
BASE_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 2.2rem; }}
/* a metric in a narrow column wraps instead of ending in "..." */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] * {{
    white-space: normal !important; text-overflow: clip !important; overflow: visible !important; }}
[data-testid="stMetricValue"] {{ line-height: 1.15; }}
/* a chosen segment's text: the theme's blue on its pale fill reads 4.2:1, under WCAG's 4.5:1 */
[data-testid="stButtonGroup"] button[aria-checked="true"] p {{ color: #155a8a; }}
{FIGURE_CSS}
</style>
"""


def presenter_mode() -> bool:
    """Whether presenter mode is on (sidebar toggle, or ?present=1 in the URL)."""
    if "presenter" not in st.session_state:
        st.session_state["presenter"] = st.query_params.get("present", "0") in ("1", "true", "yes")
    return bool(st.session_state["presenter"])


#: Plotly's tool bar cut to what a reader uses on a chart without selections (zoom, pan, reset, save): the full
#: bar covers the right half of a narrow chart's title.
CHART_CONFIG = {"displaylogo": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"]}


def chart(fig, slot: DeltaGenerator | None = None, **kwargs):
    """Show a Plotly figure (its text and legend enlarged in presenter mode); returns plotly_chart's value."""
    if kwargs.get("on_select", "ignore") == "ignore":
        kwargs.setdefault("config", CHART_CONFIG)
    return (slot or st).plotly_chart(for_projector(fig) if presenter_mode() else fig, **kwargs)


def apply_style() -> None:
    """Inject the base CSS, and the large high-contrast presenter CSS when presenter mode is on."""
    st.html(BASE_CSS + (PRESENTER_CSS if presenter_mode() else ""))


def sidebar() -> DeltaGenerator:
    """The sidebar every page shares: presenter toggle and controls; returns the slot for the model status."""
    with st.sidebar:
        dataset_switch()
        presenter_mode()
        st.toggle("Presenter mode", key="presenter", help="Large canvas, images and text for a projector; "
                  "also ?present=1 in the URL.")
        slot = st.empty()
        presenter_controls()
        return slot


def dataset_switch() -> str:
    """The sidebar's dataset choice (MNIST digits or Fashion-MNIST clothing), kept in the URL as ?dataset=..."""
    current_dataset()  # first run: take the URL's choice
    key = st.radio("Dataset", DATASET_KEYS, key=DATASET, format_func=lambda k: dataset_spec(k).title,
                   help="Every page follows this choice: its test images, models and classes. "
                        "Also ?dataset=fashion in the URL.")
    # the URL says which dataset is open, so a reload or a shared link opens the same one
    if key == DEFAULT_DATASET:
        st.query_params.pop(DATASET_PARAM, None)
    else:
        st.query_params[DATASET_PARAM] = key
    return key


STATUS_WAIT_S = 2.0  # how long the sidebar's status waits for models still opening (they take well under a second)


def model_status(slot: DeltaGenerator) -> None:
    """Fill the sidebar's model status slot; called after the page ran, so it is current if the page waited."""
    from pages.shared.resources import SIDEBAR_SAYS_LOADING, registry
    reg = registry()
    # the page is on screen already: waiting a moment here spares a second run just to update this line
    reg.wait(timeout=STATUS_WAIT_S)
    st.session_state[SIDEBAR_SAYS_LOADING] = not reg.ready
    with slot.container():
        broken = {k: v for k, v in reg.errors.items()
                  if k not in reg.unshipped and k not in ("perclass", "compression") or "not shipped" not in v}
        if not reg.ready:
            st.caption("Loading models in the background...")
        elif broken:
            st.warning("Some models are unavailable: " + "; ".join(f"{k}: {v}" for k, v in broken.items()))
        else:
            st.caption(f"{len(reg.models)} shipped autoencoders loaded.")
        if reg.ready and reg.unshipped:
            st.caption(f"Not shipped for {dataset_info().short} yet: "
                       + ", ".join(SHIPPED_MODELS[k] for k in reg.unshipped) + ".")


def canvas_size() -> int:
    """Canvas side in CSS pixels (larger in presenter mode)."""
    return 420 if presenter_mode() else 280


def drawing_canvas(key: str = "canvas", label: str = "Drawing pad", *, remember: bool = True) -> np.ndarray | None:
    """A white-on-black drawing pad with Undo and Clear; returns the MNIST-style 28x28 digit or None.

    With `remember` the drawing becomes the user's current digit (shown on other pages); Clear forgets it.
    """
    forget = (lambda: st.session_state.pop(CURRENT_DIGIT, None)) if remember else None
    digit = drawing_pad(key, canvas_size(), label, on_clear=forget)
    if digit is not None and remember:
        st.session_state[CURRENT_DIGIT] = digit
    return digit


def _remember(digit: np.ndarray, source: str) -> None:
    st.session_state[CURRENT_DIGIT] = digit
    st.session_state[CURRENT_SOURCE] = unescape(source)


def digit_picker(key: str, *, default: str = "Draw") -> tuple[np.ndarray | None, str]:
    """Draw, choose a test digit (class 0-9, stepping through its examples, or a random one), or upload an image;
    returns (28x28 digit or None, where it came from). Choosing a digit is the keyboard's way in: a free-hand pad
    is pointer-only."""
    from pages.shared.digit_sources import test_digit_row  # digit_sources builds on this module
    spec = dataset_info()
    sources = ["Draw", "Test digit", "Upload", "Last digit"]
    source = st.radio("Input", sources, index=sources.index(default), horizontal=True, key=f"{key}-source",
                      label_visibility="collapsed", format_func=lambda s: s.replace("digit", spec.item),
                      help=f"Last {spec.item}: the image you last drew, chose or uploaded, on any page of the app.")
    if source == "Last digit":
        last = current_digit()
        if last is None:
            st.info("Draw, choose or upload a digit on any page first; it is then offered here.")
            return None, "your last digit"
        what = f"your last digit ({st.session_state.get(CURRENT_SOURCE, 'from another page')})"
        show_image(last, what, alt=f"Your last digit, {st.session_state.get(CURRENT_SOURCE, 'from another page')}")
        return last, what
    if source == "Draw":
        digit = drawing_canvas(f"{key}-canvas")
        if digit is None:
            st.info(f"Draw {'a digit (0-9)' if spec.key == 'mnist' else 'a piece of clothing (a T-shirt, trousers, a shoe...)'} "
                    f"on the black square with your mouse or finger, or choose one under \"Test {spec.item}\" (keyboard).")
        else:
            st.session_state[CURRENT_SOURCE] = "your drawing"
        return digit, "your drawing"
    if source == "Test digit":
        x, y = samples()
        i = test_digit_row(key, random=True)
        what = f"test digit #{i} (label {y[i]})" if spec.key == "mnist" else f"test {spec.item} #{i} ({spec.class_name(y[i])})"
        _remember(x[i], what)
        return x[i], what
    upload = st.file_uploader(f"Image of a {spec.item} (PNG, JPEG, ...)", type=None, key=f"{key}-upload")
    if upload is None:
        st.info("Upload a photo or scan of a single handwritten digit." if spec.key == "mnist"
                else "Upload a photo of a single piece of clothing, light on a dark background or dark on light.")
        return None, "upload"
    try:
        digit = to_mnist(read_image(upload.getvalue()))
    except ImageInputError as e:
        st.error(f"That file can't be used: {e}")
        return None, "upload"
    if digit is None:
        st.warning(f"No {spec.item} found in that image: it looks blank.")
        return None, "upload"
    what = f"upload {escape(upload.name)}"
    _remember(digit, what)
    return digit, what


def picker_beside_results(key: str) -> tuple[np.ndarray | None, str, DeltaGenerator]:
    """The digit picker in a left column; returns its digit, where it came from, and the wider right column."""
    left, right = st.columns([1, 2], gap="large")  # the pad shrinks to its column when that is narrower
    with left:
        digit, source = digit_picker(key)
    return digit, source, right


def current_digit() -> np.ndarray | None:
    """The digit the user last drew, picked or uploaded on any page (None if none yet)."""
    return st.session_state.get(CURRENT_DIGIT)


def image_px() -> int:
    """Display width of a 28x28 image in CSS pixels (larger in presenter mode)."""
    return 200 if presenter_mode() else 140


def show_image(image: np.ndarray, caption: str = "", width: int | None = None, alt: str | None = None) -> None:
    """A crisp, enlarged 28x28 image (float in [0,1] or RGB uint8) with a centred HTML caption, as one element.

    `alt` is its text alternative (plain text); by default the caption's text."""
    st.html(figure_html(image, caption, width or image_px(), alt))


def _row(cells: list[str], px: int) -> str:
    """HTML cells side by side, each at most px wide, shrinking together when the row is narrower."""
    return (f'<div class="ae-row" style="grid-template-columns: repeat({len(cells)}, minmax(0, {px}px))">'
            + "".join(cells) + "</div>")


def image_row(items: list[tuple[np.ndarray, str] | tuple[np.ndarray, str, str]], width: int | None = None) -> None:
    """Images side by side (wrapping on narrow screens), each with its caption, as one element.

    An item is (image, caption) or (image, caption, alt text); without alt text the caption's text is used."""
    px = width or image_px()
    st.html(_row([figure_html(item[0], item[1], px, item[2] if len(item) > 2 else None) for item in items], px))


def reconstruction_grid(original: np.ndarray, recons: dict[str, np.ndarray], labels: dict[str, str],
                        source: str | None = None) -> None:
    """Per model: its name, reconstruction, an error heat map and the MSE, side by side in one element.

    Each image's alt text names the model, what it reconstructed (`source`, plain text; by default where the
    current digit came from) and the error, e.g. "Dense AE's reconstruction of your drawing, MSE 0.0123"."""
    px = image_px()
    what = source or st.session_state.get(CURRENT_SOURCE) or "the input digit"
    cells = []
    for name, rec in recons.items():
        err = mse(rec, original)
        label = labels.get(name, name)
        cells.append(f'<div class="ae-model"><div class="ae-model-title">{escape(label)}</div>'
                     + figure_html(rec, "reconstruction", px, f"{label}'s reconstruction of {what}, MSE {err:.4f}")
                     + figure_html(error_heatmap(original, rec), f"error map<br>MSE {err:.4f}", px,
                                   f"{label}'s error map (bright where its reconstruction of {what} differs), "
                                   f"MSE {err:.4f}") + "</div>")
    st.html(f'<div class="ae-row ae-models" style="--ae-px: {px}px; --ae-n: {max(1, len(cells))}">'
            + "".join(cells) + "</div>")

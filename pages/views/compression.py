"""Compression: code size against reconstruction error, the autoencoder next to PCA."""
import numpy as np
import streamlit as st

from ae_core.analysis.compression import (
    CODE_SIZES,
    SidecarCurve,
    compression_ratio,
    example_indices,
    fit_pca,
    ratio_text,
    rebuild_across_sizes,
    sidecar_curve,
)
from ae_core.analysis.metrics import PCA, per_image_mse
from ae_core.figures.compression import compression_curve
from ae_core.serving.runners import ServedModel
from pages.shared.resources import dataset_info, extra_models, samples
from pages.shared.widgets import chart, current_digit, image_row, presenter_mode

HOLDOUT = 500  # examples come from the first 500 shipped digits; PCA is fitted on the other 2,500
EXAMPLE_LABELS = (0, 2, 4, 5, 8)
DEFAULT_SIZE = 16


@st.cache_resource(show_spinner=False)
def pca_baseline(dataset: str) -> PCA:
    """PCA with 64 components, fitted on the dataset's shipped images not shown as examples."""
    return fit_pca(samples(dataset)[0][HOLDOUT:], max(CODE_SIZES))


def availability_note(loaded: bool, comp: dict[int, ServedModel], errors: dict[str, str]) -> None:
    """Say which compression models are still loading or missing (PCA stands in for them)."""
    missing = [k for k in CODE_SIZES if k not in comp]
    if not loaded:
        st.info("The compression models are still loading; PCA is shown meanwhile. Reload the page in a minute.")
    elif not comp and errors.get("compression"):
        st.info(f"{errors['compression']}, so only PCA is shown below.")
    elif not comp:
        st.warning("The compression models are missing (no code_*.keras in the compression folder), so only "
                   "PCA is shown below.")
    elif missing:
        st.warning("Compression models missing for code size " + ", ".join(map(str, missing))
                   + "; those sizes show PCA only.")


def size_metrics(size: int, curve: SidecarCurve) -> None:
    """Ratio, code length and both methods' recorded test MSE at this code size."""
    ae_mse, pca_mse = dict(zip(curve.sizes, zip(curve.ae_mse, curve.pca_mse))).get(size, (None, None))
    m1, m2, m3, m4 = st.columns(4)
    spec = dataset_info()
    m1.metric("Compression", f"{compression_ratio(size):.3g}x smaller", help=ratio_text(size))
    m2.metric("Code", f"{size} numbers", help="instead of 784 pixel values")
    m3.metric("Autoencoder test MSE", f"{ae_mse:.4f}" if ae_mse is not None else "n/a",
              help=f"on the 10,000 {spec.short} test {spec.items}, from the model's sidecar file")
    m4.metric("PCA test MSE", f"{pca_mse:.4f}" if pca_mse is not None else "n/a",
              help=f"PCA fitted on the 60,000 training {spec.items}, same test {spec.items}")
    st.caption(f"{ratio_text(size)}: each {spec.item} is stored as {size} numbers instead of 784 pixel values.")


def example_digits() -> tuple[np.ndarray, list[str]]:
    """The example test digits (the user's digit first, if there is one) and their names."""
    x, y = samples()
    idx = example_indices(y, EXAMPLE_LABELS, HOLDOUT)
    images, names = [x[i] for i in idx], [f"test #{i}" for i in idx]
    mine = current_digit()
    if mine is not None:
        images.insert(0, mine)
        names.insert(0, f"your {dataset_info().item}")
    return np.stack(images), names


def curve_panel(curve: SidecarCurve, size: int) -> None:
    """Recorded test error against code size for both methods, the chosen size marked."""
    if curve.sizes:
        chart(compression_curve(curve.sizes, curve.ae_mse, curve.pca_mse, current=size),
              config={"displayModeBar": False}, key="compression-curve")
        spec = dataset_info()
        st.caption(f"Test error of every shipped model, read from its training record (full 10,000-image "
                   f"{spec.short} test set). Left = smaller code = more compression.")
    else:
        st.info("The error curve needs the compression models' records, which are missing.")
    if curve.incomplete:
        st.caption("No recorded test figures for code size " + ", ".join(map(str, curve.incomplete)) + ".")


def rebuild_grid(images: np.ndarray, names: list[str], rebuilt: dict[str, dict[int, np.ndarray]], size: int) -> None:
    """The examples, then each method's rebuilds at this code size with their MSE."""
    st.subheader(f"Rebuilt from {size} numbers")
    px = 110 if presenter_mode() else 72
    image_row(list(zip(images, names)), px)
    for method in ("autoencoder", "PCA"):
        if size not in rebuilt[method]:
            st.markdown(f"**{method}**: no model for this code size")
            continue
        recs = rebuilt[method][size]
        errs = per_image_mse(recs, images)
        st.markdown(f"**{method}** (mean MSE {np.mean(errs):.3f})")
        image_row([(rec, f"{err:.3f}") for rec, err in zip(recs, errs)], px)
    n_fit = len(samples()[0]) - HOLDOUT
    st.caption(f"Numbers under the rebuilt images: their MSE. PCA here is fitted on {n_fit:,} other shipped test "
               f"{dataset_info().items}, not on these examples.")


def size_strip(original: np.ndarray, name: str, rebuilt: dict[str, dict[int, np.ndarray]], sizes: list[int],
               size: int) -> None:
    """The first example rebuilt at every code size by each method, next to the original."""
    st.subheader(f"One {dataset_info().item} at every code size: {name}")
    px = 160 if presenter_mode() else 112
    placeholder = np.full((28, 28), 0.85, dtype="float32")
    for method in ("autoencoder", "PCA"):
        st.markdown(f"**{method}**")
        items = [(rebuilt[method][k][0], f"<b>{k}</b> (chosen)" if k == size else str(k)) if k in rebuilt[method]
                 else (placeholder, f"{k}: no model") for k in sizes]
        image_row(items + [(original, "original")], px)
    st.caption(f"The number under each image is the code size. Tiny codes keep only the rough shape of a {dataset_info().item}; "
               "the autoencoder's non-linear decoder usually makes better use of them than PCA's linear "
               "projection.")


# ---------------------------------------------------------------- page
st.title("Compression")
st.caption("How small can the code be? Each autoencoder of this series is the same dense network with a "
           "different code size. PCA, the classic linear method, gets the same number of values per image.")

reg = extra_models("the compression models")
comp = reg.compression
availability_note(reg.wait_extras(timeout=0), comp, reg.errors)
sizes = sorted(set(CODE_SIZES) | set(comp))
size = st.select_slider("Code size: numbers kept per image", options=sizes, value=DEFAULT_SIZE
                        if DEFAULT_SIZE in sizes else sizes[0], key="compression-size")
curve = sidecar_curve({k: lm.info for k, lm in comp.items()})
size_metrics(size, curve)

images, names = example_digits()
rebuilt = rebuild_across_sizes(images, sizes, pca_baseline(reg.dataset), {k: m.reconstruct for k, m in comp.items()})
curve_col, grid_col = st.columns([1.2, 1], gap="large")
with curve_col:
    curve_panel(curve, size)
with grid_col:
    rebuild_grid(images, names, rebuilt, size)
size_strip(images[0], names[0], rebuilt, sizes, size)

"""Denoise: corrupt a digit and compare the plain conv AE with the denoising AE."""
import streamlit as st

from ae_core.figures.denoising import error_curve_figure
from ae_core.analysis.denoising import CURVE_LEVELS, format_score, image_scores, noise_error_curves
from ae_core.data.noise import NOISE_KINDS, NOISE_LABELS, add_noise
from pages.shared.resources import core_models, registry, samples
from pages.shared.widgets import current_digit, digit_picker, image_row, presenter_mode

MODELS = {"conv": "Plain conv AE", "denoising": "Denoising AE"}
CURVE_IMAGES = 200  # the first shipped test digits, the same batch for every noise kind
SEED_KEY = "denoise-seed"
AMOUNT_HELP = {
    "gaussian": "Standard deviation of the random value added to every pixel (pixels then clipped to 0..1).",
    "salt_pepper": "Fraction of pixels set to pure white or pure black at random.",
    "masking": "Fraction of pixels switched off (set to black).",
}


@st.cache_data(show_spinner=False, max_entries=16)
def error_curves(kind: str, models: tuple[str, ...], folder: str) -> dict[str, list[float]]:
    """Error-vs-noise curves on a fixed batch of test digits; cached per noise kind and model set."""
    reg = registry()
    x = samples("mnist")[0][:CURVE_IMAGES]
    fns = {MODELS[name]: reg.runner(name).reconstruct for name in models}
    return noise_error_curves(fns, x, kind, CURVE_LEVELS, seed=0)


st.title("Denoise")
st.caption("Add noise to a digit and compare two autoencoders with the same architecture: one trained to copy "
           "clean digits, one trained to turn noisy digits back into clean ones. Lower MSE and higher PSNR "
           "mean closer to the clean digit.")
st.session_state.setdefault(SEED_KEY, 0)

presenting = presenter_mode()  # big canvas: controls stacked, slightly smaller result images
left, right = st.columns([1, 1.25] if presenting else [1.1, 2.6], gap="large")
with left:
    digit, source = digit_picker("denoise")
with right:
    if presenting:
        c1, c2, c3 = st.container(), st.container(), st.container()
    else:
        c1, c2, c3 = st.columns([1.2, 1.6, 0.6], vertical_alignment="bottom", gap="medium")
    kind = c1.selectbox("Noise type", NOISE_KINDS, format_func=NOISE_LABELS.get, key="denoise-kind")
    amount = c2.slider("Amount", 0.0, 1.0, 0.5, 0.05, key="denoise-amount", help=AMOUNT_HELP[kind])
    if c3.button("New noise", key="denoise-reseed", help="Draw a fresh random noise pattern"):
        st.session_state[SEED_KEY] += 1

if digit is None and current_digit() is not None:
    digit, source = current_digit(), "your last digit"
if digit is None:
    x, y = samples("mnist")
    digit, source = x[0], f"example test digit (a {y[0]})"

with right:
    reg = core_models()
    available = tuple(name for name in MODELS if name in reg.models)
    for name in MODELS:
        if name not in available:
            st.warning(f"{MODELS[name]} is missing ({reg.errors.get(name, 'model file not found')}); "
                       "it is left out below.")

    noisy = add_noise(digit, kind, amount, seed=st.session_state[SEED_KEY])
    outputs = {MODELS[name]: reg.runner(name).reconstruct(noisy[None])[0] for name in available}
    scores = image_scores(digit, {"noisy input": noisy, **outputs})
    items = [(digit, f"clean: {source}"), (noisy, f"noisy input<br>{format_score(scores['noisy input'], '<br>')}")]
    items += [(img, f"<b>{label}</b><br>{format_score(scores[label], '<br>')}") for label, img in outputs.items()]
    image_row(items, 170 if presenting else None)

    if len(outputs) == 2:
        (a, (mse_a, _)), (b, (mse_b, _)) = [(k, scores[k]) for k in outputs]
        best = a if mse_a < mse_b else b
        if amount == 0:
            st.markdown("No noise: both models just copy the clean digit.")
        else:
            st.markdown(f"Here the **{best}** gets closer to the clean digit "
                        f"(MSE {min(mse_a, mse_b):.4f} against {max(mse_a, mse_b):.4f}).")

factor = reg.models["denoising"].info.get("config", {}).get("noise_factor") if "denoising" in available else None
with st.spinner("Measuring both models at every noise level (once per noise type)..."):
    curves = error_curves(kind, available, str(reg.folder))
st.plotly_chart(error_curve_figure(CURVE_LEVELS, curves, amount, noise_label=NOISE_LABELS[kind].lower(),
                                   n_images=CURVE_IMAGES),
                config={"displayModeBar": False}, key="denoise-curve")
note = "The dashed line is your current amount; the dotted grey line is the noisy input itself (no model)."
if factor is not None:
    note += f" The denoising AE was trained on Gaussian noise of strength {factor:g} only."
st.caption(note)

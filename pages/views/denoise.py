"""Denoise: corrupt a digit and compare the plain conv AE with the denoising AE."""
import numpy as np
import streamlit as st

from ae_core.figures.denoising import error_curve_figure
from ae_core.analysis.denoising import CURVE_LEVELS, format_score, image_scores, noise_error_curves
from ae_core.data.noise import NOISE_KINDS, NOISE_LABELS, add_noise
from ae_core.serving.registry import ModelRegistry
from pages.shared.live_denoise import NoiseSettings, live_denoise
from pages.shared.live_views import browser_runtime
from pages.shared.resources import core_models, dataset_info, registry, samples
from pages.shared.widgets import chart, current_digit, digit_picker, image_px, image_row, presenter_mode

MODELS = {"conv": "Plain conv AE", "denoising": "Denoising AE"}
CURVE_IMAGES = 200  # the first shipped test digits, the same batch for every noise kind
SEED_KEY = "denoise-seed"
LIVE_KEY = "denoise-live"  # the live view's component state (its settings and the runtime report)
LIVE_SETTINGS = "denoise-live-settings"  # the settings it last reported, kept across visits to the page
AMOUNT_HELP = {
    "gaussian": "Standard deviation of the random value added to every pixel (pixels then clipped to 0..1).",
    "salt_pepper": "Fraction of pixels set to pure white or pure black at random.",
    "masking": "Fraction of pixels switched off (set to black).",
}


@st.cache_data(show_spinner=False, max_entries=16)
def error_curves(kind: str, models: tuple[str, ...], dataset: str) -> dict[str, list[float]]:
    """Error-vs-noise curves on a fixed batch of test images; cached per noise kind, model set and dataset."""
    reg = registry(dataset)
    x = samples(dataset)[0][:CURVE_IMAGES]
    fns = {MODELS[name]: reg.runner(name).reconstruct for name in models}
    return noise_error_curves(fns, x, kind, CURVE_LEVELS, seed=0)


def noise_controls(presenting: bool) -> tuple[str, float]:
    """Noise type, amount and a "New noise" button (stacked for the big presenter canvas); returns (kind, amount)."""
    if presenting:
        c1, c2, c3 = st.container(), st.container(), st.container()
    else:
        c1, c2, c3 = st.columns([1.2, 1.6, 0.6], vertical_alignment="bottom", gap="medium")
    kind = c1.selectbox("Noise type", NOISE_KINDS, format_func=NOISE_LABELS.get, key="denoise-kind")
    amount = c2.slider("Amount", 0.0, 1.0, 0.5, 0.05, key="denoise-amount", help=AMOUNT_HELP[kind])
    if c3.button("New noise", key="denoise-reseed", help="Draw a fresh random noise pattern"):
        st.session_state[SEED_KEY] += 1
    return kind, amount


def with_fallback(digit: np.ndarray | None, source: str) -> tuple[np.ndarray, str]:
    """The picked digit, else the user's last digit from any page, else the first test digit."""
    if digit is None and current_digit() is not None:
        return current_digit(), f"your last {dataset_info().item}"
    if digit is None:
        x, y = samples()
        return x[0], f"example test {dataset_info().item} ({dataset_info().label_phrase(y[0])})"
    return digit, source


def available_models(reg: ModelRegistry) -> tuple[str, ...]:
    """The compared models that loaded (a warning for each one that did not)."""
    for name in MODELS:
        if name not in reg.models:
            st.warning(f"{MODELS[name]} is missing ({reg.errors.get(name, 'model file not found')}); "
                       "it is left out below.")
    return tuple(name for name in MODELS if name in reg.models)


def comparison(reg: ModelRegistry, models: tuple[str, ...], digit: np.ndarray, source: str, kind: str,
               amount: float, presenting: bool) -> None:
    """Clean, noisy and each model's output with MSE and PSNR, and which model got closer."""
    noisy = add_noise(digit, kind, amount, seed=st.session_state[SEED_KEY])
    outputs = {MODELS[name]: reg.runner(name).reconstruct(noisy[None])[0] for name in models}
    scores = image_scores(digit, {"noisy input": noisy, **outputs})
    items = [(digit, f"clean: {source}"), (noisy, f"noisy input<br>{format_score(scores['noisy input'], '<br>')}")]
    items += [(img, f"<b>{label}</b><br>{format_score(scores[label], '<br>')}") for label, img in outputs.items()]
    image_row(items, 170 if presenting else None)
    if len(outputs) != 2:
        return
    if amount == 0:
        st.markdown("No noise: both models just copy the clean digit.")
        return
    (a, (mse_a, _)), (b, (mse_b, _)) = [(k, scores[k]) for k in outputs]
    st.markdown(f"Here the **{a if mse_a < mse_b else b}** gets closer to the clean digit "
                f"(MSE {min(mse_a, mse_b):.4f} against {max(mse_a, mse_b):.4f}).")


def curve_section(reg: ModelRegistry, models: tuple[str, ...], kind: str, amount: float) -> None:
    """Both models' error at every amount of this noise type, with the current amount marked."""
    if not models:
        return
    denoiser = reg.models["denoising"].info if "denoising" in models else {}
    factor = denoiser.get("config", {}).get("noise_factor")
    with st.spinner("Measuring both models at every noise level (once per noise type)..."):
        curves = error_curves(kind, models, reg.dataset)
    chart(error_curve_figure(CURVE_LEVELS, curves, amount, noise_label=NOISE_LABELS[kind].lower(),
                             n_images=CURVE_IMAGES),
          config={"displayModeBar": False}, key="denoise-curve")
    note = "The dashed line is your current amount; the dotted grey line is the noisy input itself (no model)."
    if factor is not None:
        note += f" The denoising AE was trained on Gaussian noise of strength {factor:g} only."
    st.caption(note)


def live_view(reg: ModelRegistry, models: tuple[str, ...], digit: np.ndarray, source: str,
              presenting: bool) -> tuple[NoiseSettings, bool]:
    """Mount the live view (it reports whether the browser runtime works); returns (settings, whether it shows).

    Hidden until the runtime is known to work; then its reported settings are kept for the next visit.
    """
    kept = st.session_state.get(LIVE_SETTINGS) or {
        "kind": st.session_state.get("denoise-kind", NOISE_KINDS[0]),
        "amount": st.session_state.get("denoise-amount", 0.5), "seed": st.session_state[SEED_KEY]}
    settings, runtime = live_denoise(LIVE_KEY, {n: reg.models[n] for n in models}, digit, source, kept["kind"],
                                     kept["amount"], kept["seed"], 170 if presenting else image_px(),
                                     labels=MODELS, help_text=AMOUNT_HELP)
    if runtime.ok is True and models:
        st.session_state[LIVE_SETTINGS] = {"kind": settings.kind, "amount": settings.amount, "seed": settings.seed}
        st.session_state[SEED_KEY] = settings.seed
        return settings, True
    if runtime.ok is False:
        st.caption(f"Live preview unavailable in this browser ({runtime.reason}); the noisy digit and the "
                   "outputs come from the server.")
    return settings, False


# ---------------------------------------------------------------- page
st.title("Denoise")
st.caption("Add noise to a digit and compare two autoencoders with the same architecture: one trained to copy "
           "clean digits, one trained to turn noisy digits back into clean ones. Lower MSE and higher PSNR "
           "mean closer to the clean digit.")
st.session_state.setdefault(SEED_KEY, 0)

presenting = presenter_mode()  # big canvas: controls stacked, slightly smaller result images
left, right = st.columns([1, 1.25] if presenting else [1.1, 2.6], gap="large")
with left:
    picked, picked_from = digit_picker("denoise")
digit, source = with_fallback(picked, picked_from)
# Once the browser has said its runtime works, the live view holds the controls and the images; until then
# (and wherever it does not work) the server does, and the live view is mounted hidden below, to report.
with right:
    reg = core_models()
    models = available_models(reg)
    if browser_runtime().ok is True and models:
        settings, _ = live_view(reg, models, digit, source, presenting)
        kind, amount = settings.kind, settings.amount
    else:
        kind, amount = noise_controls(presenting)
        comparison(reg, models, digit, source, kind, amount, presenting)
        live_view(reg, models, digit, source, presenting)
curve_section(reg, models, kind, amount)

"""Latent space: the 2-d VAE's code plane as a clickable map, with decoder, manifold, interpolation and sampling."""
import numpy as np
import streamlit as st

from ae_core.analysis.latent import interpolate, plane_extent, sample_prior
from ae_core.figures.images import interpolation_strip, upscale
from ae_core.figures.latent import latent_map, manifold_image_figure
from ae_core.serving.runners import ServedModel
from pages.shared.beta_view import beta_models, beta_strip, title_suffix
from pages.shared.cached_results import latent_codes, manifold_canvas
from pages.shared.digit_sources import endpoint_picker
from pages.shared.latent_view import (
    ROW_KEY,
    Z_KEYS,
    apply_map_click,
    apply_pin,
    current_z,
    follow_model,
    map_key,
    plane_limits,
    set_z,
    slider_moved,
)
from pages.shared.live_latent import live_interpolation, live_latent_map
from pages.shared.live_views import browser_runtime
from pages.shared.resources import core_models, dataset_info, named_classes, samples
from pages.shared.widgets import chart, current_digit, digit_picker, image_row, presenter_mode, show_image

DEFAULT_MODEL = "vae2"
LIVE_MAP = "latent-live-map"  # the browser's map (the server's map keeps its own latent-map-<gen> keys)
PAD = "latent-canvas"  # the pad of "Your digit on the map" (digit_picker("latent"))
TABS = ["Manifold grid", "Interpolation", "Sample from the prior", "Your digit on the map"]
ss = st.session_state


def decoder_panel(runner: ServedModel, z_lim: float, big: int) -> np.ndarray:
    """What the decoder draws at the sliders' code (beside its test digit, if a dot was clicked), and the sliders.

    Returns the decoded code.
    """
    st.subheader("What the decoder draws")
    z = current_z()
    decoded = runner.decode(z[None])[0]
    row = ss.get(ROW_KEY)
    if row is not None:
        x_test, y_test = samples()
        item = dataset_info().item
        image_row([(decoded, "decoded"), (x_test[row], f"original<br>(test {item} #{row})")], big)
        where = f"the code of test {item} #{row} ({dataset_info().label_phrase(y_test[row])})"
    else:
        show_image(decoded, "decoded", big)
        where = "the red cross on the map"
    st.markdown(f"Decoding **z = ({z[0]:+.2f}, {z[1]:+.2f})**, {where}.")
    st.slider("z1 (left - right)", -z_lim, z_lim, step=0.05, format="%.2f", key=Z_KEYS[0],
              on_change=slider_moved, persist_state="session")
    st.slider("z2 (down - up)", -z_lim, z_lim, step=0.05, format="%.2f", key=Z_KEYS[1],
              on_change=slider_moved, persist_state="session")
    st.caption("Slide to walk the decoder across the plane: nearby points decode to similar digits, "
               "and the digit changes smoothly between the coloured clusters.")
    return z


def manifold_tab(model: str, extent: float) -> None:
    """The decoder run on an n x n grid of codes covering the plane."""
    grid_col, text_col = st.columns([3, 2], gap="large")
    with text_col:
        n = st.slider("Digits per side", 10, 20, 15, key="latent-manifold-n", persist_state="session")
        st.markdown(f"The decoder run on an evenly spaced {n} x {n} grid of codes covering "
                    f"[-{extent:g}, {extent:g}] in both directions: {n * n} digits in one batched call.")
        st.caption("Compare with the map above: each region of the plane draws the digit whose "
                   "dots live there, and the in-between regions blend two digits.")
    with grid_col:
        with st.spinner("Decoding the grid..."):
            canvas = manifold_canvas(model, n, extent, reg.dataset)
        chart(manifold_image_figure(canvas, extent, title=f"{n} x {n} decoded digits", subtitle="across the latent plane"),
              key="latent-manifold", config={"displaylogo": False})


def interpolation_tab(runner: ServedModel, big: int) -> tuple[np.ndarray | None, int | None]:
    """Two end points and the digits decoded between their codes; returns (the path's codes, the shown frame)."""
    a_col, b_col, frame_col = st.columns([1, 1, 1.3], gap="large")
    with a_col:
        image_a, cap_a = endpoint_picker("latent-from", "From", default_class=1)
    with b_col:
        image_b, cap_b = endpoint_picker("latent-to", "To", default_class=0)
    with frame_col:
        steps = st.slider("Frames", 5, 15, 10, key="latent-steps", persist_state="session")
        if image_a is None or image_b is None:
            st.info("Choose or draw both end points to interpolate between them.")
            return None, None
        path, frames = interpolate(runner, image_a, image_b, steps)
        if browser_runtime().ok is True:  # scrubbed and decoded in the browser; the map rings its position
            live_interpolation("latent-scrub", runner, path[0], path[-1], steps, px=big)
            frame = None
        else:
            frame = st.slider("Frame", 1, steps, 1, key="latent-frame")
    if frame is not None:
        with frame_col:
            show_image(frames[frame - 1], f"frame {frame} of {steps}<br>z = ({path[frame - 1][0]:+.2f}, "
                       f"{path[frame - 1][1]:+.2f})", big)
    if cap_a == cap_b:  # two drawings (or the same test digit twice) would read "your drawing to your drawing"
        cap_a, cap_b = f"{cap_a} (From)", f"{cap_b} (To)"
    st.image(upscale(interpolation_strip(frames), 3), caption=f"{cap_a} to {cap_b}: decoded codes on the "
             "straight line between their two codes (the black path on the map)", width="stretch",
             alt=f"{steps} digits decoded on the way from {cap_a} to {cap_b}, left to right")
    return path, None if frame is None else frame - 1


def prior_tab(runner: ServedModel) -> None:
    """New digits decoded from random codes drawn from the VAE's prior; a button draws another set."""
    ss.setdefault("latent-seed", 0)
    btn_col, text_col = st.columns([1, 3], vertical_alignment="center")
    if btn_col.button("Sample from the prior", key="latent-sample", type="primary", width="stretch"):
        ss["latent-seed"] += 1
    text_col.markdown("A VAE is trained so its codes follow a standard normal N(0, I). Draw random codes "
                      "from it, decode them, and you get new digits that were never in the data.")
    prior_z, prior_images = sample_prior(runner, 8 if presenter_mode() else 10, seed=ss["latent-seed"])
    image_row([(img, f"({zz[0]:+.1f}, {zz[1]:+.1f})") for img, zz in zip(prior_images, prior_z)],
              width=120 if presenter_mode() else 96)
    st.caption(f"Sample set {ss['latent-seed'] + 1}; the numbers are each sample's code z.")


def your_digit_tab(runner: ServedModel, z_lim: float, big: int) -> None:
    """The user's digit, its code (the star on the map) and what the decoder draws from it."""
    pick_col, info_col = st.columns([1, 2], gap="large")
    with pick_col:
        mine, source = digit_picker("latent")
    digit = mine if mine is not None else current_digit()
    if digit is None:
        info_col.caption("Your digit (drawn here or on any other page) appears as a star on the map, "
                         "next to the test digits the VAE finds most similar.")
        return
    star = runner.encode(digit)[0]
    recon = runner.decode(star[None])[0]
    with info_col:
        image_row([(digit, "your digit" if mine is None else source), (recon, "decoded from its code")], big)
        st.markdown(f"Your digit lands at **z = ({star[0]:+.2f}, {star[1]:+.2f})**: the star on the map. "
                    "Its neighbours are the test digits the VAE finds most similar.")
        st.button("Decode at the star", key="latent-goto-star", on_click=set_z, args=(star, None, z_lim))


def tabs_below(runner: ServedModel, extent: float, z_lim: float, big: int
               ) -> tuple[np.ndarray | None, int | None, str | None]:
    """The four views under the map, only the open one computed; returns the interpolation path and frame, and
    the key of the drawing pad on the page (None if there is none)."""
    manifold, interpolation, prior, yours = st.tabs(TABS, key="latent-tab", on_change="rerun")
    path = path_frame = pad = None
    with manifold:
        if manifold.open:
            manifold_tab(runner.name, extent)
    with interpolation:
        if interpolation.open:
            path, path_frame = interpolation_tab(runner, big)
    with prior:
        if prior.open:
            prior_tab(runner)
    with yours:
        if yours.open:
            your_digit_tab(runner, z_lim, big)
            pad = PAD if ss.get("latent-source", "Draw") == "Draw" else None
    return path, path_frame, pad


# ---------------------------------------------------------------- page
st.title("Latent space")
st.caption("The 2-d VAE squeezes every 28x28 digit into just two numbers, z1 and z2, so its whole code "
           "space is a plane we can look at. Each dot is a test digit, placed where the encoder puts it. "
           "Click a dot, or any empty spot, to see what the decoder draws from that point.")

reg = core_models()
MODEL = beta_strip(reg.beta_series, DEFAULT_MODEL)  # the switch's model (vae2 without the whole series)
try:
    runner = reg.runner(MODEL)
except KeyError:
    why = reg.errors.get(MODEL) or ("the models are still loading" if not reg.ready else "not loaded")
    st.warning(f"The 2-d VAE (`{MODEL}.keras`) is not available, and every view on this page needs it. ({why})")
    st.stop()
with st.spinner("Encoding the test digits (first visit only)..."):
    codes = latent_codes(MODEL, reg.dataset)
extent = plane_extent(codes)  # the manifold grid covers [-extent, extent]^2
z_lim, grid_n = plane_limits(codes, extent)
apply_map_click(codes, z_lim)  # before the sliders are drawn, so clicks and sliders always agree
follow_model(MODEL, codes, z_lim)  # a switched beta: the clicked digit's new code, the sliders inside the plane
big = 252 if presenter_mode() else 196

# The browser's map once its runtime is known to work; until then (and wherever it does not) the server's map,
# while the live map's component only asks the browser (it draws nothing then).
live = browser_runtime().ok is True
map_col, out_col = st.columns([1.6, 1] if presenter_mode() else [2, 1], gap="large")
map_slot = map_col.container()  # filled last, once the star and the interpolation path are known
with map_col:
    if live:
        st.caption("Red cross: the code under the mouse (or the arrow keys, once the map has the focus); red ring: "
                   "the pinned code the sliders decode. Star: your own digit (draw one in the last tab). "
                   "Black line: the interpolation path (Interpolation tab).")
        svg = False
    else:
        st.caption("Red cross: the code being decoded. Star: your own digit (draw one in the last tab). "
                   "Black line: the interpolation path (Interpolation tab). Hover a dot to see which digit it is.")
        svg = st.toggle("Draw the dots as SVG (slower; try it if clicking the map does nothing)", key="latent-svg",
                        persist_state="session")
with out_col:
    z = decoder_panel(runner, z_lim, big)
path, path_frame, pad = tabs_below(runner, extent, z_lim, big)

# The map, drawn last so it shows this run's star, interpolation path and decoder position.
shown = title_suffix(reg.beta_series, MODEL)  # the map's title names the beta it shows
names = named_classes()
user = current_digit()
user_z = runner.encode(user)[0] if user is not None else None
with map_slot:
    live_latent_map(LIVE_MAP, runner, codes, samples()[1], z_lim, others=beta_models(reg.beta_series),
                    pad=pad, pinned=z, star=user_z, path=path, frame=path_frame,
                    on_pin=lambda pin: apply_pin(pin, codes, z_lim),
                    px=620 if presenter_mode() else 540, decoded_px=180 if presenter_mode() else 150,
                    title_suffix=shown, **names)
if not live:
    fig = latent_map(codes, samples()[1], current=z, user=user_z, path=path, path_frame=path_frame,
                     title="Latent space" + shown,
                     **({"class_names": names["class_names"], "legend_title": "class"} if names else {}),
                     grid=grid_n, extent=z_lim, render_mode="svg" if svg else "webgl",
                     marker_size=7 if presenter_mode() else 5, view=z_lim + 0.25)
    # no toolbar: it sat over the title, and a double click still resets the zoom
    chart(fig, map_slot, on_select="rerun", selection_mode=("points",), key=map_key(),
          config={"displaylogo": False, "displayModeBar": False})

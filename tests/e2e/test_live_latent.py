"""Latent space page in the browser: the live map decodes under the mouse with no Streamlit rerun, matches
Python's decoder, pins a click into the z sliders, and the keyboard drives it too."""
from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.runners import open_models
from tests.e2e.conftest import assert_no_exception, open_page, wait_idle

MAP = '[data-testid="ae-latent-map"]'
DECODED = '[data-testid="ae-latent-decoded"]'
Z_TEXT = '[data-testid="ae-latent-z"]'
LIVE = "() => (window.__aeLabStats && window.__aeLabStats.latent) || {frames: 0}"
TOLERANCE = 1e-4  # onnxruntime-web against Python's ONNX Runtime (tests/e2e/test_browser_runtime.py)


@pytest.fixture(scope="module")
def vae2():
    models, errors = open_models(SHIPPED_MODELS_DIR, ("vae2",))
    assert not errors, errors
    return models["vae2"]


def _live(page: Page) -> dict:
    return page.evaluate(f"() => {{ const s = ({LIVE})(); return {{frames: s.frames, z: s.z, pins: s.pins || 0, "
                         "image: s.image ? Array.from(s.image) : null}; }")


def _wait_frames(page: Page, more_than: int) -> None:
    page.wait_for_function(f"() => ({LIVE})().frames > {more_than}", timeout=60_000)


def _decoded_png(page: Page) -> str:
    return page.locator(DECODED).evaluate("c => c.toDataURL()")


def _idle(page: Page) -> bool:
    return page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") == "notRunning"


def _slider_values(page: Page) -> tuple[float, float]:
    vals = [page.get_by_test_id("stSlider").filter(has_text=name).get_by_role("slider").get_attribute("aria-valuetext")
            for name in ("z1 (left - right)", "z2 (down - up)")]
    return float(vals[0]), float(vals[1])


def _wait_sliders(page: Page, z: tuple[float, float]) -> None:
    """Wait until the z sliders show `z` (to their 2 decimals)."""
    want = (round(z[0], 2), round(z[1], 2))
    for _ in range(100):
        got = _slider_values(page)
        if (round(got[0], 2), round(got[1], 2)) == want:
            return
        page.wait_for_timeout(100)
    assert got == want, "the sliders did not move to the pinned point"


def _open(page: Page, sent: list) -> None:
    """Open /latent (counting what the page sends to the server) and wait for the live map's first decoding."""
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    open_page(page, "/latent", "Latent space")
    expect(page.locator(MAP)).to_be_visible()
    _wait_frames(page, 0)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1)  # only the manifold grid: the map is live


def _matches_python(page: Page, vae2) -> None:
    """The live image is the decoder's image of the live z (as Python decodes the same float32 code)."""
    got = _live(page)
    want = vae2.decode(np.asarray([got["z"]], dtype=np.float32))[0].ravel()
    assert np.abs(np.asarray(got["image"], dtype=np.float32) - want).max() <= TOLERANCE
    z_text = page.locator(Z_TEXT).inner_text()
    assert z_text == f"z = ({got['z'][0]:+.2f}, {got['z'][1]:+.2f})"


def test_hover_decodes_without_a_rerun_and_a_click_pins(app_page: Page, vae2):
    page, sent = app_page, []
    _open(page, sent)
    box = page.locator(MAP).bounding_box()
    assert box
    n_sent = len(sent)
    images, zs = [], []
    for fx, fy in ((0.3, 0.3), (0.7, 0.6)):
        frames = _live(page)["frames"]
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=6)
        _wait_frames(page, frames)
        page.wait_for_timeout(150)  # the last queued frame
        assert _idle(page)
        _matches_python(page, vae2)
        images.append(_decoded_png(page))
        zs.append(tuple(_live(page)["z"]))
    assert images[0] != images[1] and zs[0] != zs[1]
    assert zs[0][0] < zs[1][0] and zs[0][1] > zs[1][1]  # right is +z1, up is +z2
    assert len(sent) == n_sent, "hovering sent messages to the server"
    label = page.locator(MAP).get_attribute("aria-valuetext")
    assert label.startswith(f"z = ({zs[1][0]:+.2f}, {zs[1][1]:+.2f})") and "nearest test digit: a " in label

    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.6 * box["height"])
    page.wait_for_function(f"() => ({LIVE})().pins > 0")
    pinned = page.evaluate(f"() => ({LIVE})().pinned")
    wait_idle(page)
    expect(page.get_by_text("Decoding z = (").first).to_contain_text(f"({pinned[0]:+.2f}, {pinned[1]:+.2f})")
    _wait_sliders(page, pinned)
    assert_no_exception(page)


def test_tab_reaches_the_map_and_arrow_keys_move_and_decode(app_page: Page, vae2):
    page, sent = app_page, []
    _open(page, sent)
    page.mouse.move(0, 0)
    page.locator(MAP).focus()
    # the map is in the tab order: focus leaves it backwards and comes back with Tab
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => { let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement)"
                         " e = e.shadowRoot.activeElement; return e && e.dataset.testid; }") == "ae-latent-map"
    start = tuple(_live(page)["z"])
    n_sent = len(sent)
    frames = _live(page)["frames"]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    _wait_frames(page, frames)
    page.wait_for_timeout(150)
    z = tuple(_live(page)["z"])
    assert z == pytest.approx((start[0] + 0.2, start[1] + 0.1), abs=1e-6)
    _matches_python(page, vae2)
    assert len(sent) == n_sent and _idle(page)
    assert page.locator(MAP).get_attribute("aria-valuetext").startswith(f"z = ({z[0]:+.2f}, {z[1]:+.2f})")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Decoding z = (").first).to_contain_text(f"({z[0]:+.2f}, {z[1]:+.2f})")
    _wait_sliders(page, z)
    assert_no_exception(page)


def test_the_drawing_is_a_live_star_and_the_interpolation_scrubs_live(app_page: Page, vae2):
    page, sent = app_page, []
    _open(page, sent)
    page.get_by_role("tab", name="Your digit on the map").click()
    wait_idle(page)
    n_sent = len(sent)
    canvas = page.get_by_test_id("ae-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.15 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.85 * box["height"], steps=12)
    # while the pen is down the star is already on the map (no message to the server yet)
    page.wait_for_function("() => window.__aeLabStats.latent.star !== null && window.__aeLabStats.latent.star !== undefined")
    assert len(sent) == n_sent
    page.mouse.up()
    wait_idle(page)
    star = page.evaluate("() => window.__aeLabStats.latent.star")
    lands = page.get_by_text("Your digit lands at").first.inner_text()
    assert f"({star[0]:+.2f}, {star[1]:+.2f})" in lands  # the browser's code of the drawing is the server's
    page.screenshot(path=".e2e-shots/live-latent-star.png", full_page=True)

    page.get_by_role("tab", name="Interpolation").click()
    wait_idle(page)
    scrub = page.get_by_test_id("ae-scrub")
    expect(scrub).to_be_visible()
    expect(page.get_by_test_id("stSlider").filter(has_text="Frame")).to_have_count(1)  # "Frames" only
    page.wait_for_function("() => window.__aeLabStats.interpolate && window.__aeLabStats.interpolate.frames > 0")
    first = page.evaluate("() => window.__aeLabStats.interpolate.z")
    n_sent, frames = len(sent), page.evaluate("() => window.__aeLabStats.interpolate.frames")
    scrub.focus()
    for _ in range(50):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.__aeLabStats.interpolate.frames > {frames}")
    page.wait_for_timeout(200)
    got = page.evaluate("() => ({z: window.__aeLabStats.interpolate.z, "
                        "image: Array.from(window.__aeLabStats.interpolate.image)})")
    assert got["z"] != first and len(sent) == n_sent and _idle(page)
    want = vae2.decode(np.asarray([got["z"]], dtype=np.float32))[0].ravel()
    assert np.abs(np.asarray(got["image"], dtype=np.float32) - want).max() <= TOLERANCE
    expect(page.get_by_test_id("ae-scrub-z")).to_contain_text(f"z = ({got['z'][0]:+.2f}, {got['z'][1]:+.2f})")
    page.screenshot(path=".e2e-shots/live-latent-scrub.png", full_page=True)
    assert_no_exception(page)


def test_the_server_map_at_1024x768(app_page: Page):
    """Before the browser has reported its runtime the server's map is shown: no toolbar, title and legend apart."""
    page = app_page
    page.set_viewport_size({"width": 1024, "height": 768})
    page.add_init_script("window.__aeLabRuntime = Promise.resolve({ok: false, reason: 'test: no runtime'});")
    open_page(page, "/latent", "Latent space")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".modebar")).to_have_count(0)
    title = chart.locator(".gtitle").first.bounding_box()
    legend = chart.locator(".legend").first.bounding_box()
    plot = chart.locator(".nsewdrag").first.bounding_box()
    chart_box = chart.bounding_box()
    assert title and legend and plot and chart_box
    assert title["x"] + title["width"] <= chart_box["x"] + chart_box["width"] + 1  # not cut on the right
    assert legend["y"] >= plot["y"] + plot["height"]  # under the plot, far from the title
    assert title["y"] + title["height"] <= plot["y"]
    page.screenshot(path=".e2e-shots/latent-server-1024.png", full_page=True)
    assert_no_exception(page)


def test_the_beta_switch_puts_that_model_on_the_live_map(app_page: Page, vae2):
    """Switching beta redraws the live map with that VAE's codes and decoder (opened up front in the browser)."""
    from ae_core.models.catalog import BETA_SERIES
    from ae_core.serving.runners import open_model
    beta4 = open_model(SHIPPED_MODELS_DIR / f"{BETA_SERIES[4.0]}.keras", roles=("encoder", "decoder"))
    page, sent = app_page, []
    _open(page, sent)
    _matches_python(page, vae2)
    before, frames = _decoded_png(page), _live(page)["frames"]
    page.get_by_test_id("stButtonGroup").get_by_text("β = 4", exact=True).click()
    wait_idle(page)
    _wait_frames(page, frames)
    page.wait_for_timeout(150)  # the last queued frame
    _matches_python(page, beta4)
    assert _decoded_png(page) != before
    expect(page.get_by_text("5-NN accuracy").first).to_be_visible()
    page.screenshot(path=".e2e-shots/live-latent-beta4.png", full_page=True)
    assert_no_exception(page)

"""Denoise page in the browser: the noise and both models' outputs follow the slider with no Streamlit rerun,
the server's error curve follows the settled settings, and noise.js has ae_core's noise distributions."""
from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from ae_core.data.datasets import load_sample, to_float_images
from ae_core.data.noise import add_noise
from tests.e2e.conftest import assert_no_exception, open_page, shot, wait_idle

LIVE = ".ae-denoise"
ROW = f"{LIVE} .ae-denoise-row canvas"  # clean, noisy, plain conv AE, denoising AE
SLIDER = f'{LIVE} input[type="range"]'
FRAMES = "() => (window.__aeLabStats && window.__aeLabStats.denoiseFrames) || 0"
NOISE_JS = "window.location.origin + '/app/static/web/js/noise.js'"


def _images(page: Page) -> list[str]:
    """The four canvases of the live row as PNG data URLs."""
    canvases = page.locator(ROW)
    return [canvases.nth(i).evaluate("c => c.toDataURL()") for i in range(4)]


def _marker(page: Page):
    """The annotation of the curve's dashed 'current amount' line."""
    return page.get_by_test_id("stPlotlyChart").locator(".annotation-text").first


def _frames(page: Page) -> int:
    return page.evaluate(FRAMES)


def _wait_frames(page: Page, more_than: int) -> None:
    page.wait_for_function(f"() => ({FRAMES})() > {more_than}", timeout=60_000)


def _open_live(page: Page, sent: list) -> None:
    """Open /denoise (counting what the page sends to the server) and wait for the live view's first frame."""
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    open_page(page, "/denoise", "Denoise")
    # first mounted hidden (the server answers until the runtime reports), then shown after that rerun
    expect(page.locator(f"{LIVE}:not([hidden])")).to_have_count(1)
    _wait_frames(page, 0)
    wait_idle(page)
    expect(page.locator(LIVE)).to_have_count(1)
    expect(page.locator(ROW)).to_have_count(4)
    expect(_marker(page)).to_have_text("current 0.5")


def test_sliding_updates_the_noise_and_both_outputs_without_a_rerun(app_page: Page):
    page, sent = app_page, []
    _open_live(page, sent)
    # the live view replaced the server's controls and image row
    expect(page.get_by_test_id("stSlider")).to_have_count(0)
    expect(page.get_by_test_id("stSelectbox")).to_have_count(0)
    expect(page.get_by_role("slider", name="Amount")).to_have_count(1)
    assert "noisy input" in page.locator(f"{LIVE} figcaption").nth(1).inner_text()
    before, frames, n_sent = _images(page), _frames(page), len(sent)

    slider = page.locator(SLIDER)
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=12)
    page.wait_for_function(f"() => ({FRAMES})() >= {frames + 3}", timeout=60_000)
    page.wait_for_timeout(300)  # let the last frame land
    during = _images(page)
    assert during[0] == before[0]  # the clean digit stays
    assert all(during[i] != before[i] for i in (1, 2, 3)), "noisy input and both outputs repaint while sliding"
    assert len(sent) == n_sent, "nothing went to the server while the slider was held"
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    expect(_marker(page)).to_have_text("current 0.5")  # the server has not heard yet

    page.mouse.up()  # release: the settings go to Python, which moves the curve's marker
    amount = float(page.locator(f"{LIVE} output").inner_text())
    assert amount > 0.75
    page.wait_for_timeout(100)
    released = _images(page)
    expect(_marker(page)).to_have_text(f"current {amount:g}")
    wait_idle(page)
    assert len(sent) > n_sent
    assert _images(page) == released  # the rerun keeps the live view and its noise as they were
    assert_no_exception(page)
    shot(page, "live-denoise")


def test_keys_noise_type_and_new_noise(app_page: Page):
    page, sent = app_page, []
    _open_live(page, sent)
    slider = page.get_by_role("slider", name="Amount")
    slider.focus()
    frames = _frames(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    _wait_frames(page, frames)
    expect(page.locator(f"{LIVE} output")).to_have_text("0.52")
    expect(_marker(page)).to_have_text("current 0.52")
    wait_idle(page)

    before, frames = _images(page), _frames(page)
    page.get_by_label("Noise type").select_option("masking")
    expect(page.locator(f"{LIVE} .ae-help")).to_contain_text("switched off")
    _wait_frames(page, frames)
    # the curve of the new kind (measured once on the server), named in its subtitle; Plotly may briefly hold both
    expect(page.get_by_test_id("stPlotlyChart").locator(".gtitle-subtitle").filter(has_text="masking").first
           ).to_be_visible(timeout=300_000)
    wait_idle(page)
    masked = _images(page)
    assert masked[1] != before[1]
    expect(_marker(page)).to_have_text("current 0.52")

    frames = _frames(page)
    page.get_by_role("button", name="New noise").click()
    _wait_frames(page, frames)
    page.wait_for_timeout(300)
    assert _images(page)[1] != masked[1]
    wait_idle(page)
    assert page.get_by_label("Noise type").input_value() == "masking"
    assert_no_exception(page)


STATS_IN_PAGE = """async () => {
  const { addNoise, mulberry32, normals } = await import(%s);
  const n = 100000;
  const half = new Float32Array(n).fill(0.5), ones = new Float32Array(n).fill(1);
  const count = (a, f) => a.reduce((s, v) => s + (f(v) ? 1 : 0), 0);
  const z = normals(mulberry32(7), n);
  const mean = z.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const g = addNoise(half, "gaussian", 0.1, 3);
  const gMean = g.reduce((s, v) => s + v, 0) / n;
  const gSd = Math.sqrt(g.reduce((s, v) => s + (v - gMean) ** 2, 0) / n);
  const big = addNoise(half, "gaussian", 2.0, 3);
  const masked = addNoise(ones, "masking", 0.5, 11);
  const sp = addNoise(half, "salt_pepper", 0.4, 5);
  const same = addNoise(half, "salt_pepper", 0.4, 5), other = addNoise(half, "salt_pepper", 0.4, 6);
  let bad = 0;
  try { addNoise(half, "masking", 1.5, 0); } catch (e) { bad += 1; }
  try { addNoise(half, "speckle", 0.5, 0); } catch (e) { bad += 1; }
  return {
    mean, sd, gMean, gSd,
    bigRange: [Math.min(...big.slice(0, 5000)), Math.max(...big.slice(0, 5000))],
    bigEdges: count(big, (v) => v === 0 || v === 1) / n,
    maskedZero: count(masked, (v) => v === 0) / n, maskedOther: count(masked, (v) => v !== 0 && v !== 1),
    spKept: count(sp, (v) => v === 0.5) / n, spWhite: count(sp, (v) => v === 1) / n, spBlack: count(sp, (v) => v === 0) / n,
    zeroIsCopy: addNoise(half, "gaussian", 0, 1).every((v) => v === 0.5),
    same: same.every((v, i) => v === sp[i]), other: other.some((v, i) => v !== sp[i]), bad,
  };
}""" % NOISE_JS

MEAN_MSE_IN_PAGE = """async ([digit, seeds]) => {
  const { addNoise } = await import(%s);
  const x = Float32Array.from(digit), out = {};
  for (const kind of ["gaussian", "salt_pepper", "masking"]) {
    let s = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const y = addNoise(x, kind, 0.5, seed);
      let e = 0;
      for (let i = 0; i < x.length; i++) e += (x[i] - y[i]) ** 2;
      s += e / x.length;
    }
    out[kind] = s / seeds;
  }
  return out;
}""" % NOISE_JS


def test_browser_noise_has_ae_cores_distributions(app_page: Page):
    page = app_page
    open_page(page, "/", "Autoencoder Lab")
    got = page.evaluate(STATS_IN_PAGE)
    assert abs(got["mean"]) < 0.02 and abs(got["sd"] - 1) < 0.02  # standard normal draws
    assert abs(got["gMean"] - 0.5) < 0.005 and abs(got["gSd"] - 0.1) < 0.005  # std = amount before clipping
    assert got["bigRange"][0] == 0 and got["bigRange"][1] == 1 and got["bigEdges"] > 0.5  # clipped to [0, 1]
    assert abs(got["maskedZero"] - 0.5) < 0.01 and got["maskedOther"] == 0  # masking 0.5 zeroes half the pixels
    assert abs(got["spKept"] - 0.6) < 0.01 and abs(got["spWhite"] - 0.2) < 0.01 and abs(got["spBlack"] - 0.2) < 0.01
    assert got["zeroIsCopy"] and got["same"] and got["other"] and got["bad"] == 2


@pytest.mark.parametrize("seeds", [200])
def test_browser_noise_hurts_a_digit_as_much_as_numpys(app_page: Page, seeds: int):
    page = app_page
    open_page(page, "/", "Autoencoder Lab")
    digit = to_float_images(load_sample("mnist")[0][:1])[0].reshape(-1)
    got = page.evaluate(MEAN_MSE_IN_PAGE, [digit.tolist(), seeds])
    for kind, value in got.items():
        want = np.mean([np.mean((add_noise(digit, kind, 0.5, seed) - digit) ** 2) for seed in range(seeds)])
        assert abs(value - want) / want < 0.03, (kind, value, want)  # same distribution, other values


def test_without_webassembly_the_server_keeps_the_page(app_page: Page):
    page = app_page
    page.add_init_script("delete window.WebAssembly")
    open_page(page, "/denoise", "Denoise")
    expect(page.get_by_text("Live preview unavailable in this browser").first).to_be_visible()
    wait_idle(page)
    expect(page.get_by_test_id("stSlider")).to_have_count(1)
    expect(page.get_by_role("button", name="New noise")).to_have_count(1)
    expect(page.locator(LIVE)).to_be_hidden()
    expect(page.get_by_text("noisy input").first).to_be_visible()
    assert_no_exception(page)


def test_the_draw_page_still_runs_its_models_after_denoise_started_the_runtime(app_page: Page):
    page, sent = app_page, []
    _open_live(page, sent)
    page.get_by_role("link", name="Draw & reconstruct").click()
    expect(page.get_by_role("heading", name="Draw & reconstruct")).to_be_visible()
    wait_idle(page)
    page.get_by_text("Test digit").first.click()
    wait_idle(page)
    expect(page.locator(".ae-live .ae-caption", has_text="MSE").first).to_be_visible()
    expect(page.get_by_text("Live preview failed")).to_have_count(0)
    assert_no_exception(page)

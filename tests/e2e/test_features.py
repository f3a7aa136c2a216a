"""Browser journeys through the interactive features as the server answers them: noise slider, latent-map click,
interpolation between two drawings, the pad, presenter mode and a one-epoch 2-d VAE training with its map (the
app_page fixture also checks JS errors and foreign hosts). The pages here get no WebAssembly, so every live view falls back
to the server, as in a browser without it; the live views themselves are tested in test_live_*.py."""
from __future__ import annotations

import base64
import io
import re

import numpy as np
from PIL import Image
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ONE, ZERO, draw, end_of_journey, open_page, shot, wait_idle

SCORE = re.compile(r"MSE \d\.\d{4}")


@pytest.fixture(autouse=True)
def server_answers(page: Page) -> None:
    """Remove WebAssembly from the page before any script runs: the live views fall back to the server."""
    page.add_init_script("delete globalThis.WebAssembly")


def slider(page: Page, label: str):
    """The thumb of the slider labelled exactly `label`."""
    return page.get_by_test_id("stSlider").filter(has=page.get_by_text(label, exact=True)).get_by_role("slider")


def pixels(data_url: str) -> np.ndarray:
    """A data-URL PNG as floats in [0, 1]."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))), dtype=float) / 255


def image_sources(page: Page) -> list[str]:
    return page.locator('figure.ae-fig img').evaluate_all("els => els.map(e => e.src)")


def test_noise_slider_changes_noisy_and_denoised_images(app_page: Page, streamlit_server):
    page = app_page
    open_page(page, "/denoise", "Denoise")
    page.get_by_text("Test digit", exact=True).click()
    wait_idle(page)
    scores_before = page.get_by_text(SCORE).all_inner_texts()
    images_before = image_sources(page)
    assert len(scores_before) >= 3, scores_before  # noisy input, plain conv AE, denoising AE
    thumb = slider(page, "Amount")
    thumb.focus()
    for _ in range(6):  # 0.50 -> 0.80 in steps of 0.05
        thumb.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuetext", "0.80")
    wait_idle(page)
    expect(page.get_by_text(SCORE).first).not_to_have_text(scores_before[0])
    wait_idle(page)
    scores_after = page.get_by_text(SCORE).all_inner_texts()
    assert scores_after[:3] != scores_before[:3]
    changed = [a != b for a, b in zip(image_sources(page), images_before)]
    assert sum(changed) >= 3, "the noisy input and both reconstructions must be redrawn"
    end_of_journey(page, streamlit_server, "journey-denoise")


def test_click_on_the_latent_map_decodes_that_point(app_page: Page, streamlit_server):
    page = app_page
    open_page(page, "/latent", "Latent space")
    decoding = page.get_by_text(re.compile(r"Decoding z = \("))
    expect(decoding).to_contain_text("(+0.00, +0.00)")
    plot = page.get_by_test_id("stPlotlyChart").first.locator(".nsewdrag").first
    plot.scroll_into_view_if_needed()
    # as a user does: hover, see the label, click; Plotly's click acts on the point its hover found. On a busy
    # machine the page can still move (a rerun) or a click land before the hover: the user tries again
    for attempt in range(3):
        wait_idle(page)
        plot.scroll_into_view_if_needed()
        box = plot.bounding_box()
        x, y = box["x"] + 0.25 * box["width"], box["y"] + 0.3 * box["height"]
        try:
            page.mouse.move(x - 5, y - 5)
            page.mouse.move(x, y, steps=4)
            expect(page.get_by_test_id("stPlotlyChart").first.locator(".hoverlayer .hovertext").first).to_be_visible(timeout=20_000)
            page.mouse.click(x, y)
            expect(decoding).not_to_contain_text("(+0.00, +0.00)", timeout=20_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    wait_idle(page)
    z = re.search(r"z = \(([-+]\d\.\d\d), ([-+]\d\.\d\d)\)", decoding.inner_text())
    assert z and float(z.group(1)) < 0 < float(z.group(2)), "a click left of and above the centre"
    end_of_journey(page, streamlit_server, "journey-latent-click")


def test_draw_two_digits_and_interpolate(app_page: Page, streamlit_server):
    page = app_page
    open_page(page, "/latent", "Latent space")
    page.get_by_role("tab", name="Interpolation").click()
    wait_idle(page)
    for nth in range(2):  # "From" then "To": switch each end point to its own canvas
        page.get_by_test_id("stRadio").filter(has_text="Draw").nth(nth).get_by_text("Draw", exact=True).click()
        wait_idle(page)
    expect(page.get_by_text("Choose or draw both end points")).to_be_visible()
    draw(page, ONE, nth=0)
    wait_idle(page)
    draw(page, ZERO, nth=1)
    strip = page.get_by_text(re.compile(r"your drawing \(From\) to your drawing \(To\)"))
    expect(strip).to_be_visible()
    wait_idle(page)
    frame = page.get_by_text(re.compile(r"frame 1 of 10"))
    expect(frame).to_be_visible()
    thumb = slider(page, "Frame")
    thumb.focus()
    thumb.press("End")
    expect(page.get_by_text(re.compile(r"frame 10 of 10"))).to_be_visible()
    wait_idle(page)
    end_of_journey(page, streamlit_server, "journey-interpolation")


def test_one_epoch_training_shows_progress_chart_map_and_download(app_page: Page, streamlit_server):
    """The talk preset (a dense 2-d VAE) cut to one epoch: progress, then the loss, its latent map and manifold."""
    page = app_page
    open_page(page, "/train", "Train your own autoencoder")
    page.get_by_role("button", name="Quick 2-d VAE for a talk").click()
    expect(page.get_by_text("Preset for a talk")).to_be_visible()
    wait_idle(page)
    for label, value in (("Epochs", "1"), ("Training digits", "1000")):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
        wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_test_id("stProgress").first).to_be_visible()
    download = page.get_by_role("button", name="Download model (.keras)")
    expect(download).to_be_visible(timeout=300_000)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"is ready: 1 epoch on 1,000 digits"))).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    for title in ("Latent map, epoch 1", "Manifold, epoch 1"):  # the map beside the loss chart
        expect(page.get_by_test_id("stPlotlyChart").filter(has_text=title)).to_be_visible()
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename.endswith(".keras")
    end_of_journey(page, streamlit_server, "journey-train")


def test_pad_undo_and_clear(app_page: Page, streamlit_server):
    """Undo takes back the last stroke (the reconstructions follow); Clear empties the pad and the results."""
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    undo, clear = page.get_by_role("button", name="Undo"), page.get_by_role("button", name="Clear")
    expect(undo).to_be_disabled()
    expect(clear).to_be_disabled()
    draw(page, ONE)
    expect(page.get_by_text(SCORE).first).to_be_visible()
    wait_idle(page)
    one_only = image_sources(page)[0]  # the input as the models see it
    draw(page, [(0.2, 0.5), (0.8, 0.5)])  # a cross bar: now a different digit
    expect(page.locator("figure.ae-fig img").first).not_to_have_attribute("src", one_only)
    wait_idle(page)
    with_bar = image_sources(page)[0]
    undo.click()
    expect(page.locator("figure.ae-fig img").first).not_to_have_attribute("src", with_bar)
    wait_idle(page)
    undone = pixels(image_sources(page)[0])  # the "1" again (repainted in one go: edges may differ by a shade)
    assert np.abs(undone - pixels(one_only)).mean() < 0.02 < np.abs(undone - pixels(with_bar)).mean()
    clear.click()
    expect(page.get_by_text(SCORE)).to_have_count(0)
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible()
    expect(undo).to_be_disabled()
    draw(page, ZERO)  # and the pad still works
    expect(page.get_by_text(SCORE).first).to_be_visible()
    end_of_journey(page, streamlit_server, "journey-undo-clear")


def test_pad_fits_and_draws_on_a_phone(app_page: Page, streamlit_server):
    """On a 390 px wide screen the pad shrinks to fit, and a stroke still lands where the finger went."""
    page = app_page
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, "/draw", "Draw & reconstruct")
    box = page.get_by_test_id("ae-canvas").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert abs(box["width"] - box["height"]) < 2, box  # still square
    shot(page, "journey-phone-before")
    draw(page, ONE)
    expect(page.get_by_text(SCORE).first).to_be_visible()
    end_of_journey(page, streamlit_server, "journey-phone")


def test_presenter_mode_from_the_url(app_page: Page, streamlit_server):
    """?present=1: sidebar folded, Streamlit's toolbar hidden, large text, a 420 px pad that still draws."""
    page = app_page
    page.set_viewport_size({"width": 1920, "height": 1080})  # a full-HD projector
    open_page(page, "/draw?present=1", "Draw & reconstruct")
    expect(page.get_by_test_id("stToolbar")).to_be_hidden()
    expect(page.get_by_test_id("stSidebarNav")).not_to_be_in_viewport()
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "21px"
    box = page.get_by_test_id("ae-canvas").bounding_box()
    assert box is not None and round(box["width"]) == 420, box
    draw(page, ONE)
    expect(page.get_by_text(SCORE).first).to_be_visible()
    widths = page.locator("figure.ae-fig img").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert widths and min(widths) > 170, widths  # enlarged too (200 px; 140 px normally), shrunk only to fit
    end_of_journey(page, streamlit_server, "journey-presenter")


def test_a_stroke_survives_a_rerun_that_lands_in_the_middle_of_it(app_page: Page, streamlit_server):
    """Quick drawers start the next stroke before the last one's results arrive: the page redraws in the
    middle of the stroke, and the stroke must still be drawn and sent."""
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    draw(page, ONE)  # stroke 1, sent when the button goes up
    box = page.get_by_test_id("ae-canvas").bounding_box()
    assert box is not None

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    page.mouse.move(*at(0.15, 0.5))
    page.mouse.down()  # stroke 2 begins at once...
    page.mouse.move(*at(0.3, 0.5), steps=3)
    expect(page.get_by_text(SCORE).first).to_be_visible()  # ...and stroke 1's results land meanwhile
    wait_idle(page)
    one_only = image_sources(page)[0]
    page.mouse.move(*at(0.85, 0.5), steps=8)
    page.mouse.up()
    expect(page.locator("figure.ae-fig img").first).not_to_have_attribute("src", one_only)
    wait_idle(page)
    assert pixels(image_sources(page)[0]).sum() > 1.3 * pixels(one_only).sum()  # the cross bar is in
    end_of_journey(page, streamlit_server, "journey-mid-stroke-rerun")

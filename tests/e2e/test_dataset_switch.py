"""The dataset switch in the browser: ?dataset=fashion opens Fashion-MNIST, the sidebar switches back, and the
live reconstructions of a drawing come from the chosen dataset's ONNX files (not the other one's, cached)."""
from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import Page, expect

from ae_core.data.catalog import dataset_spec
from ae_core.serving.runners import open_model
from tests.e2e.conftest import SEVEN, assert_no_exception, draw, live_pixels, open_page, wait_idle

READY = '[data-testid="stBidiComponentIsolated"] .ae-live[data-ready="1"]'


def _drawn_copy_matches(page: Page, dataset: str) -> None:
    """Draw, then check the live view's dense copy is `dataset`'s dense AE's (and not the other dataset's)."""
    expect(page.locator(READY)).to_have_count(1)
    draw(page, SEVEN)
    wait_idle(page)
    page.wait_for_function("() => window.__aeLabStats && window.__aeLabStats.frames > 0")
    page.wait_for_timeout(300)  # the frame after the stroke's last point
    shown = live_pixels(page)
    models = {k: open_model(dataset_spec(k).models_dir / "dense.keras") for k in ("mnist", "fashion")}
    error = {k: float(np.abs(m.reconstruct(shown["input"])[0] - shown["first"]).mean()) for k, m in models.items()}
    other = "mnist" if dataset == "fashion" else "fashion"
    assert error[dataset] <= 1 / 255 < error[other], error


def test_url_and_sidebar_switch_the_dataset_and_the_live_models(app_page: Page):
    page = app_page
    open_page(page, "/draw?dataset=fashion", "Draw & reconstruct")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("radio", name="Fashion-MNIST clothing")).to_be_checked()
    expect(page.get_by_text("Draw a garment").first).to_be_visible()
    if (dataset_spec("fashion").models_dir / "dense.keras").is_file():
        _drawn_copy_matches(page, "fashion")
    else:
        expect(page.get_by_text("No autoencoder is shipped for Fashion-MNIST yet").first).to_be_visible()
    assert_no_exception(page)

    sidebar.get_by_text("MNIST digits").click()
    wait_idle(page)
    expect(page.get_by_text("Draw a digit and watch").first).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"dataset="))
    if (dataset_spec("fashion").models_dir / "dense.keras").is_file():
        page.get_by_role("button", name="Clear").first.click()
        wait_idle(page)
        _drawn_copy_matches(page, "mnist")
    sidebar.get_by_text("Fashion-MNIST clothing").click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/draw\?dataset=fashion$"))  # the URL says which dataset is open
    page.reload()  # so a reload (or a shared link) opens the same one
    wait_idle(page)
    expect(sidebar.get_by_role("radio", name="Fashion-MNIST clothing")).to_be_checked()
    assert_no_exception(page)

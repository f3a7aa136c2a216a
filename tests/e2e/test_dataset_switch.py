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
    for _ in range(100):  # until the live view has painted the drawing and, a frame later, its copy
        page.wait_for_timeout(300)
        shown = live_pixels(page)
        if shown["input"].max() > 0.5 and shown["first"].max() > 0.1:
            break
    assert shown["input"].max() > 0.5, "the live view has not painted the drawing"
    models = {k: open_model(dataset_spec(k).models_dir / "dense.keras") for k in ("mnist", "fashion")}
    # the largest pixel difference: the two datasets' dense AEs agree on the blank background, not on the ink
    error = {k: float(np.abs(m.reconstruct(shown["input"])[0] - shown["first"]).max()) for k, m in models.items()}
    other = "mnist" if dataset == "fashion" else "fashion"
    # the input reached Python rounded to 8 bits on its canvas: the copy may differ by a few gray levels
    assert error[dataset] <= 8 / 255 < error[other], error


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
    if (dataset_spec("fashion").models_dir / "dense.keras").is_file():
        # the same page, its runtime and worker kept: the copies must now come from MNIST's files
        page.locator('[data-testid="stBidiComponentIsolated"] .ae-clear').first.click()
        wait_idle(page)
        _drawn_copy_matches(page, "mnist")
    expect(page).not_to_have_url(re.compile(r"dataset="))
    sidebar.get_by_text("Fashion-MNIST clothing").click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/draw\?dataset=fashion$"))  # the URL says which dataset is open
    page.reload()  # so a reload (or a shared link) opens the same one
    wait_idle(page)
    expect(sidebar.get_by_role("radio", name="Fashion-MNIST clothing")).to_be_checked()
    assert_no_exception(page)

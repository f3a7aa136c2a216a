"""The app server answers everything on ONNX Runtime: after a visit of every page, a drawing, an upload and a
one-epoch training, its process has never loaded TensorFlow (TensorFlow runs only in the worker processes)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ae_core.paths import SHIPPED_MODELS_DIR
from tests.e2e.conftest import SEVEN, draw, end_of_journey, open_page, start_server, stop_server, wait_idle

PAGES = [("/", "Autoencoder Lab"), ("/draw", "Draw & reconstruct"), ("/denoise", "Denoise"),
         ("/latent", "Latent space"), ("/compression", "Compression"), ("/applications", "Applications"),
         ("/train", "Train your own autoencoder")]


@pytest.fixture
def server(tmp_path):
    proc, url, log = start_server(tmp_path / "ae-home")
    try:
        yield proc, url
    finally:
        stop_server(proc, log)


def _tensorflow_in(pid: int) -> list[str]:
    """Shared objects of TensorFlow or Keras mapped into the process (its memory maps never forget a load)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines()
                   if re.search(r"tensorflow|libtf|_pywrap_tf|keras", line.split()[-1] if line.split() else "")})


def test_the_server_process_never_loads_tensorflow(page: Page, server, tmp_path):
    proc, url = server
    for path, title in PAGES:
        open_page(page, url + path, title)
        if path == "/applications":
            page.get_by_role("tab", name="Classification").click()
            expect(page.get_by_text("Test accuracy")).to_be_visible()

    open_page(page, url + "/draw", "Draw & reconstruct")
    draw(page, SEVEN)
    expect(page.get_by_text(re.compile(r"z = \(")).first).to_be_visible()

    open_page(page, url + "/train", "Train your own autoencoder")
    upload = tmp_path / "my-dense.keras"
    upload.write_bytes((SHIPPED_MODELS_DIR / "dense.keras").read_bytes())
    page.locator('input[type="file"]').set_input_files(str(upload))
    expect(page.get_by_text(re.compile(r"my-dense.*passed the checks"))).to_be_visible(timeout=240_000)
    wait_idle(page)
    for label, value in (("Epochs", "1"), ("Training digits", "500")):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
        wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_role("button", name="Download model (.keras)")).to_be_visible(timeout=300_000)
    wait_idle(page)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Draw & reconstruct").click()  # same session
    expect(page.get_by_role("heading", name="Draw & reconstruct")).to_be_visible()
    wait_idle(page)
    draw(page, SEVEN)  # the uploaded and the trained model answer too
    expect(page.get_by_text("Your models")).to_be_visible()
    end_of_journey(page, url, "no-tensorflow-journey")
    assert proc.poll() is None
    assert _tensorflow_in(proc.pid) == []
    assert "onnxruntime" in Path(f"/proc/{proc.pid}/maps").read_text()  # the check does see loaded libraries

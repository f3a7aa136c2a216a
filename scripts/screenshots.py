"""Retake README's screenshots in headless chromium: `python scripts/screenshots.py [fashion]` (docs/screenshots/).

With `fashion`, only the Fashion-MNIST ones (fashion-*.png: every page opened with ?dataset=fashion).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.e2e.conftest import (CHROMIUM, CHROMIUM_ARGS, SEVEN, ZERO, draw, start_server,  # noqa: E402
                                stop_server, wait_drawn, wait_idle)

OUT = REPO / "docs" / "screenshots"
#: A T-shirt's outline (fractions of the pad): shoulders, sleeves, body.
TSHIRT = [(0.36, 0.2), (0.16, 0.32), (0.24, 0.46), (0.33, 0.4), (0.33, 0.84), (0.67, 0.84), (0.67, 0.4),
          (0.76, 0.46), (0.84, 0.32), (0.64, 0.2), (0.56, 0.26), (0.44, 0.26), (0.36, 0.2)]
FASHION_PAGES = [("/", "fashion-home", TSHIRT), ("/draw", "fashion-draw", TSHIRT), ("/denoise", "fashion-denoise", None),
                 ("/latent", "fashion-latent", None), ("/compression", "fashion-compression", None),
                 ("/applications", "fashion-applications", None), ("/train", "fashion-train", None)]
LIVE_READY = '[data-testid="stBidiComponentIsolated"] .ae-live[data-ready="1"]'


def shoot(page, url: str, path: str, name: str, stroke=None, settle_ms: int = 1500) -> None:
    """Open a page, optionally draw on its first pad, wait until it is drawn, save a viewport screenshot."""
    page.goto(url + path)
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    page.wait_for_timeout(settle_ms)
    if stroke is not None:
        draw(page, stroke)
        wait_idle(page)
    wait_drawn(page)
    page.wait_for_timeout(settle_ms)
    page.screenshot(path=str(OUT / f"{name}.png"))


def main(only_fashion: bool = False) -> None:
    from playwright.sync_api import sync_playwright
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path, name, stroke in FASHION_PAGES:
                shoot(page, url, path + "?dataset=fashion", name, stroke)
            if only_fashion:
                browser.close()
                return
            for path, name, stroke in [("/", "page-home", SEVEN), ("/draw", "draw-journey", SEVEN),
                                       ("/denoise", "page-denoise", None), ("/latent", "page-latent", None),
                                       ("/compression", "page-compression", None),
                                       ("/applications", "page-applications", None), ("/train", "page-train", None)]:
                shoot(page, url, path, name, stroke)
            shoot(page, url, "/draw", "draw-look-inside", ZERO)
            page.get_by_text("Look inside the conv AE").scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / "draw-look-inside.png"))
            projector = browser.new_page(viewport={"width": 1920, "height": 1080})
            shoot(projector, url, "/draw?present=1", "presenter-draw", SEVEN)
            shoot(projector, url, "/latent?present=1", "presenter-latent")
            shoot(projector, url, "/denoise?present=1", "presenter-denoise-chart")
            projector.get_by_test_id("stPlotlyChart").first.scroll_into_view_if_needed()
            projector.wait_for_timeout(800)
            projector.screenshot(path=str(OUT / "presenter-denoise-chart.png"))
            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            shoot(phone, url, "/draw", "phone-draw", SEVEN)
            browser.close()
    finally:
        stop_server(proc, log)
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main(only_fashion=sys.argv[1:] == ["fashion"])

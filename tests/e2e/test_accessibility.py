"""Accessibility in the browser: axe-core (WCAG 2 A and AA rules) finds nothing on any page or view, chart text
reaches 4.5:1 on white, and the Tab key reaches the drawing pad, its buttons, the sliders and the latent map.

axe-core comes inside the pinned `axe-playwright-python` package (its axe.min.js is injected into the page
with page.evaluate), so nothing is fetched: the `app_page` fixture fails on any request to another host.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SEVEN, assert_no_exception, draw, open_page, wait_idle

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
AXE = Axe()

# Plotly's text that Streamlit's theme recolours: title and subtitle, ticks, axis titles, legend (and its title), annotations.
CHART_TEXT = ".main-svg :is(.gtitle, .gtitle-subtitle, .xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .legendtext, " \
             ".legendtitletext, .annotation-text, .cbaxis text)"
CONTRAST_JS = """(sel) => {
  const lum = (rgb) => { const c = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                         return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!el.textContent.trim() || !el.getClientRects().length) continue;
    const fill = getComputedStyle(el).fill.match(/[\\d.]+/g).map(Number);
    const alpha = fill.length > 3 ? fill[3] : 1;
    const rgb = fill.slice(0, 3).map(v => v * alpha + 255 * (1 - alpha));  // over the white page
    out.push({text: el.textContent.trim(), fill: getComputedStyle(el).fill, ratio: 1.05 / (lum(rgb) + 0.05)});
  }
  return out;
}"""
# The element with focus, through open shadow roots (the pads and live views are components in shadow DOM).
FOCUSED_JS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return "";
  return [el.tagName.toLowerCase(), el.dataset.testid || "", el.className && el.className.baseVal === undefined
          ? el.className : "", el.getAttribute("role") || (el.type === "range" ? "slider" : ""),
          el.getAttribute("aria-label") || ""].join("|");
}"""


def assert_accessible(page: Page, what: str) -> None:
    """No axe violation, and every visible chart's text at 4.5:1 or better against the white page."""
    wait_idle(page)
    _charts_drawn(page)
    results = AXE.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"
    low = [t for t in page.evaluate(CONTRAST_JS, CHART_TEXT) if t["ratio"] < 4.5]
    assert not low, f"{what}: chart text under 4.5:1: {low[:5]}"


def _charts_drawn(page: Page) -> None:
    """Every visible Plotly chart drawn (conftest's wait_drawn also expects every component to be a pad)."""
    charts = page.get_by_test_id("stPlotlyChart")
    for i in range(charts.count()):
        if charts.nth(i).is_visible():
            expect(charts.nth(i).locator(".main-svg").first).to_be_visible()


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)
    page.wait_for_timeout(500)
    wait_idle(page)


def _draw_a_digit(page: Page) -> None:
    draw(page, SEVEN)
    wait_idle(page)
    expect(page.get_by_test_id("ae-canvas").first).to_have_attribute("aria-label", "Drawing pad with 1 stroke: "
                                                                     "Backspace undoes, Escape clears")


def test_home_and_simple_pages(app_page: Page):
    page = app_page
    open_page(page, "/", "Autoencoder Lab")
    expect(page.get_by_test_id("stImage").locator("img").first).to_have_attribute(
        "alt", "Autoencoder architecture diagram: The encoder narrows 784 input numbers through 64 and 32 to a "
               "code of 16 numbers; the decoder widens it through 32 and 64 back to 784 output numbers.")
    assert_accessible(page, "Home")
    for path, text in (("/denoise", "Denoise"), ("/compression", "Compression"),
                       ("/train", "Train your own autoencoder")):
        open_page(page, path, text)
        assert_accessible(page, path)
    assert_no_exception(page)


@pytest.mark.parametrize("path", ["/draw", "/draw?present=1"])
def test_draw_with_results(app_page: Page, path: str):
    page = app_page
    open_page(page, path, "Draw & reconstruct")
    pad = page.get_by_test_id("ae-canvas").first
    expect(pad).to_have_attribute("tabindex", "0")
    expect(pad).to_have_attribute("aria-label", "Drawing pad, empty: draw a digit (0-9) with a mouse, pen or finger")
    _draw_a_digit(page)
    page.wait_for_timeout(1500)
    assert_accessible(page, f"{path} after drawing")
    # the keyboard's way to a digit: choose its class and step through the test set's examples
    page.get_by_test_id("stRadio").get_by_text("Test digit").click()
    wait_idle(page)
    expect(page.get_by_test_id("stSelectbox").filter(has_text="Digit")).to_be_visible()
    expect(page.get_by_role("button", name="Another")).to_be_visible()
    assert_accessible(page, f"{path} with a test digit")
    # every image is named: <img> by its alt text, the live views' canvases by their aria-label
    names = page.locator("[data-testid=stMain] :is(img, canvas[role=img])").evaluate_all(
        "els => els.filter(e => e.getClientRects().length).map(e => e.tagName === 'IMG' ? e.alt : "
        "(e.getAttribute('aria-label') || ''))")
    assert any("reconstruction of test digit #" in a and "MSE" in a for a in names), names
    assert "" not in names, f"an image on the Draw page has no text alternative: {names}"
    assert_no_exception(page)


LATENT_TABS = ["Manifold grid", "Interpolation", "Sample from the prior", "Your digit on the map"]


@pytest.mark.parametrize("tab", LATENT_TABS)
def test_latent_map_and_tabs(app_page: Page, tab: str):
    page = app_page
    open_page(page, "/latent", "Latent space")
    expect(page.get_by_test_id("ae-latent-map")).to_be_visible()
    if tab == "Manifold grid":
        assert_accessible(page, "/latent map")
    _tab(page, tab)
    shown = {"Manifold grid": "[data-testid=stPlotlyChart] .main-svg", "Interpolation": "[data-testid=stImage] img",
             "Sample from the prior": "[role=tabpanel] .ae-fig img", "Your digit on the map": "[role=tabpanel] [role=radiogroup]"}
    expect(page.locator(shown[tab]).first).to_be_visible()  # the open tab's content is there for axe to see
    assert_accessible(page, f"/latent tab {tab}")
    assert_no_exception(page)


def test_applications_tabs(app_page: Page):
    page = app_page
    open_page(page, "/applications", "Applications")
    for tab in ("Anomaly detection", "Classification"):
        _tab(page, tab)
        expect(page.locator("[role=tabpanel] [data-testid=stPlotlyChart] .main-svg").first).to_be_visible()
        assert_accessible(page, f"/applications tab {tab}")
    assert_no_exception(page)


def _tab_walk(page: Page, presses: int = 120) -> list[str]:
    """Press Tab from the top of the page; the focused elements in order."""
    page.locator("body").evaluate("b => { window.scrollTo(0, 0); document.activeElement && "
                                  "document.activeElement.blur(); }")
    page.mouse.click(5, 400)  # page background: focus starts at the document
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED_JS))
    return seen


def test_tab_reaches_the_pad_and_its_buttons_on_draw(app_page: Page):
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    _draw_a_digit(page)  # Undo and Clear are disabled (not focusable) until something is drawn
    seen = _tab_walk(page)
    assert any("|ae-canvas|" in s for s in seen), seen
    pad = next(i for i, s in enumerate(seen) if "|ae-canvas|" in s)
    after = seen[pad + 1: pad + 3]
    assert [s.split("|")[2] for s in after] == ["ae-undo", "ae-clear"], after
    # the keyboard can undo a stroke from the focused pad
    page.get_by_test_id("ae-canvas").first.focus()
    page.keyboard.press("Backspace")
    expect(page.get_by_test_id("ae-canvas").first).to_have_attribute(
        "aria-label", "Drawing pad, empty: draw a digit (0-9) with a mouse, pen or finger")


def test_tab_reaches_the_sliders_and_the_map_on_latent(app_page: Page):
    page = app_page
    open_page(page, "/latent", "Latent space")
    expect(page.get_by_test_id("ae-latent-map")).to_be_visible()
    seen = _tab_walk(page)
    assert any("|ae-latent-map|" in s for s in seen), seen
    assert sum(1 for s in seen if s.split("|")[3] == "slider" and "ae-latent-map" not in s) >= 2, seen

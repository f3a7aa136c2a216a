"""A new user's journey through every page in headless chromium (no exception box, no JS error, no
request to any host but the app's own: the app_page fixture checks the last two)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (ONE, SEVEN, assert_no_exception, draw, end_of_journey, open_page, shot, wait_drawn,
                               wait_idle)

PAGES = [
    ("/", "Home", "home"),
    ("/draw", "Draw & reconstruct", "draw"),
    ("/denoise", "Denoise", "denoise"),
    ("/latent", "Latent space", "latent"),
    ("/compression", "Compression", "compression"),
    ("/applications", "Applications", "applications"),
    ("/train", "Train", "train"),
]


@pytest.mark.parametrize("path,title", [("/denoise", "Denoise"), ("/train", "Train your own autoencoder")])
def test_deep_link_as_first_request_gets_the_real_app(page: Page, fresh_server, path, title):
    """The very first request of a fresh server is a deep link: it must get app.py's navigation and layout,
    no "Page not found" dialog, and not Streamlit's legacy pages/ listing (raw file names like 'app')."""
    open_page(page, fresh_server + path, title)
    page.wait_for_timeout(1500)  # the dialog, when it comes, follows the first script run
    expect(page.get_by_role("dialog")).to_have_count(0)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Draw & reconstruct")).to_be_visible()
    expect(nav.get_by_role("link", name="app", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link")).to_have_count(len(PAGES))
    page.get_by_role("link", name="Home", exact=True).click()  # nothing modal blocks the page
    expect(page).to_have_url(fresh_server + "/")
    assert_no_exception(page)


@pytest.mark.parametrize("path,title,name", PAGES, ids=[p[2] for p in PAGES])
def test_every_page_renders(app_page: Page, path, title, name):
    open_page(app_page, path, title)
    app_page.wait_for_timeout(500)
    wait_idle(app_page)
    wait_drawn(app_page)  # charts and pads drawn, not their placeholders
    assert_no_exception(app_page)
    shot(app_page, f"page-{name}")


def test_draw_a_digit_and_see_reconstructions(app_page: Page, streamlit_server):
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    expect(page.get_by_text(re.compile(r"MSE \d"))).to_have_count(0)
    draw(page, SEVEN)
    expect(page.get_by_text(re.compile(r"MSE \d\.\d{4}")).first).to_be_visible()
    wait_idle(page)
    assert page.get_by_text(re.compile(r"MSE \d\.\d{4}")).count() >= 5  # every model
    first = page.get_by_text(re.compile(r"MSE \d\.\d{4}")).first.inner_text()
    page.get_by_role("button", name="Clear").click()
    wait_idle(page)
    draw(page, ONE)
    expect(page.get_by_text(re.compile(r"MSE \d\.\d{4}")).first).not_to_have_text(first)
    end_of_journey(page, streamlit_server, "journey-draw")


def test_a_stroke_that_waited_for_the_models_also_updates_the_sidebar(page: Page, fresh_server):
    """The Draw page's pad and results are an st.fragment (a stroke reruns only them). On a cold server the
    first stroke waits for the models; afterwards the sidebar must not still say they are loading."""
    open_page(page, fresh_server + "/draw", "Draw & reconstruct")
    sidebar = page.get_by_test_id("stSidebar")
    if not sidebar.get_by_text("Loading models").count():
        pytest.skip("the models were loaded before the first stroke: nothing to wait for")
    draw(page, SEVEN)
    expect(page.get_by_text(re.compile(r"MSE \d\.\d{4}")).first).to_be_visible()
    wait_idle(page)
    expect(sidebar.get_by_text(re.compile(r"\d+ shipped autoencoders loaded"))).to_be_visible()
    expect(sidebar.get_by_text("Loading models")).to_have_count(0)
    assert page.get_by_text(re.compile(r"MSE \d\.\d{4}")).count() >= 5
    assert_no_exception(page)

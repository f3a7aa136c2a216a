"""Browser: the presenter key from the URL leaves the address bar, and the presenter's choice reaches another visitor."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import assert_no_exception, start_server, stop_server, wait_idle

KEY = "e2e-presenter-key-0123456789"


@pytest.fixture
def presenter_server(tmp_path):
    proc, url, log = start_server(tmp_path / "ae-home", {"AE_LAB_ALLOW": "presenter", "AE_LAB_PRESENTER_KEY": KEY})
    try:
        yield url
    finally:
        stop_server(proc, log)


def test_the_key_leaves_the_url_and_the_choice_reaches_another_visitor(browser: Browser, presenter_server):
    presenter = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    presenter.goto(f"{presenter_server}/train?key={KEY}")
    expect(presenter.get_by_text("Presenter controls")).to_be_visible()
    wait_idle(presenter)
    assert "key=" not in presenter.url and KEY not in presenter.content()  # off the address bar, not on the page
    expect(presenter.get_by_role("button", name="Start training")).to_be_visible()

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    visitor.goto(f"{presenter_server}/train")
    expect(visitor.get_by_text("Training is reserved for the presenter in this session.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Start training")).to_have_count(0)

    presenter.get_by_test_id("stSidebar").get_by_text("No one").click()
    wait_idle(presenter)
    expect(presenter.get_by_text("Training is turned off for everyone in this session.")).to_be_visible()
    visitor.reload()
    expect(visitor.get_by_text("Training is turned off for everyone in this session.")).to_be_visible()
    assert_no_exception(visitor)
    assert_no_exception(presenter)

"""Browser: the presenter key from the URL leaves the address bar, and the presenter's choice reaches another visitor."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import assert_no_exception, presenter_turns_training_off, start_server, stop_server, wait_idle

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
    expect(presenter.get_by_text("Presenter controls", exact=True)).to_be_visible()  # not "Leave presenter controls"
    wait_idle(presenter)
    assert "key=" not in presenter.url and KEY not in presenter.content()  # off the address bar, not on the page

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    visitor.goto(f"{presenter_server}/train")
    presenter_turns_training_off(presenter, visitor)
    assert_no_exception(visitor)
    assert_no_exception(presenter)

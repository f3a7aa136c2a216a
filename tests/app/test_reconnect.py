"""AppTest: the notice a tab gets when its server session was replaced (tests/e2e/test_proxy.py kills a replica)."""
from pages.shared.reconnect import MOVED, SESSION_TOKEN
from tests.app.helpers import app_at


def _notice(at) -> list:
    return [w for w in at.warning if "The page was reloaded." in w.value]


def test_a_new_session_shows_no_notice_and_keeps_its_token():
    at = app_at()
    token = at.session_state[SESSION_TOKEN]
    assert not _notice(at)
    at.run()
    assert at.session_state[SESSION_TOKEN] == token and not _notice(at)


def test_after_a_move_the_notice_says_what_was_lost_until_ok():
    at = app_at()
    at.session_state[MOVED] = True
    at.run()
    assert _notice(at) and "start again" in _notice(at)[0].value
    at.button(key="ae-reloaded-ok").click().run()
    assert not _notice(at) and not at.exception

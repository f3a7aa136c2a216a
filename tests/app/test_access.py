"""AppTest: who may train and upload (AE_LAB_ALLOW, the presenter key, the sidebar control) and the limits.

No test here trains: a start is checked by the worker it launches, which is killed at once.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP

KEY = "s3cret-presenter-key"
TRAIN = "pages/views/train.py"


@pytest.fixture
def home(user_home, monkeypatch):
    """A throw-away user folder, a presenter key, no full MNIST; any worker started is killed at the end."""
    monkeypatch.delenv("AE_LAB_MNIST", raising=False)
    monkeypatch.setenv("AE_LAB_PRESENTER_KEY", KEY)
    for name in ("AE_LAB_ALLOW", "AE_LAB_MAX_UPLOADS", "AE_LAB_MAX_UPLOAD_MB", "AE_LAB_MAX_TRAIN_SIZE"):
        monkeypatch.delenv(name, raising=False)
    yield user_home
    from pages.shared.session_models import training_manager
    mgr = training_manager()
    if (job := mgr.current()) is not None:
        mgr.kill(job)
        mgr.wait(job, timeout=30)


def session(key: str | None = None) -> AppTest:
    """A new browser session on the Train page, opened with ?key=... when given."""
    at = AppTest.from_file(APP, default_timeout=120)
    if key is not None:
        at.query_params["key"] = key
    at.run()
    at.switch_page(TRAIN).run()
    assert not at.exception, at.exception
    return at


def infos(at: AppTest) -> list[str]:
    return [e.value for e in at.info]


def has(at: AppTest, kind: str, key: str) -> bool:
    return any(getattr(e, "key", None) == key for e in at.get(kind))


def page_text(at: AppTest) -> str:
    """Everything the page sends, as text (to check that the key is never in it)."""
    return str(at._tree)


def test_presenter_only_refuses_others_with_the_reason_and_lets_the_presenter(home, monkeypatch):
    monkeypatch.setenv("AE_LAB_ALLOW", "presenter")
    visitor = session()
    assert "Training is reserved for the presenter in this session. You can watch trainings here and use the " \
           "saved models." in infos(visitor)
    assert "Uploading models is reserved for the presenter in this session." in infos(visitor)
    assert not has(visitor, "button", "train-start") and not has(visitor, "file_uploader", "train-upload")
    assert [e.label for e in visitor.sidebar.expander] == ["Presenter sign-in"]

    # a wrong key is refused (and not kept in the box)
    visitor.text_input(key="access-key").input("guess").run()
    assert "That is not the presenter key." in [c.value for c in visitor.sidebar.caption]
    assert visitor.text_input(key="access-key").value == "" and not has(visitor, "button", "train-start")

    presenter = session(key=KEY)
    assert "key" not in presenter.query_params  # taken off the address bar (it may be on the projector)
    assert KEY not in page_text(presenter)
    assert not [i for i in infos(presenter) if "reserved" in i]
    assert presenter.radio(key="access-allow").value == "presenter"
    # uploads reach the checks (an empty file is refused by them, without starting TensorFlow)
    presenter.file_uploader(key="train-upload").set_value(("empty.keras", b"", "application/octet-stream")).run()
    assert [e.value for e in presenter.error] == ["That model can't be used: empty.keras is empty (0 bytes)"]
    # and a training starts
    presenter.text_input(key="train-epochs").set_value("1")
    presenter.button(key="train-start").click().run()
    assert not presenter.exception
    from pages.shared.session_models import training_manager
    job = training_manager().current()
    assert job is not None

    assert has(presenter, "button", "train-stop")
    # the visitor watches it, but cannot stop it
    visitor.run()
    assert any("Watching a training started by another session" in i for i in infos(visitor))
    assert not has(visitor, "button", "train-stop") and not has(visitor, "button", "train-start")
    # the visitor who types the key becomes a presenter too
    visitor.text_input(key="access-key").input(KEY).run()
    assert has(visitor, "button", "train-start") and visitor.radio(key="access-allow")
    assert KEY not in page_text(visitor)


def test_the_sidebar_control_changes_the_setting_for_every_session(home):
    visitor = session()
    assert has(visitor, "button", "train-start") and has(visitor, "file_uploader", "train-upload")  # everyone
    presenter = session(key=KEY)

    presenter.radio(key="access-allow").set_value("nobody").run()
    assert not presenter.exception
    visitor.run()
    assert "Training is turned off for everyone in this session. You can watch trainings here and use the saved " \
           "models." in infos(visitor)
    assert "Uploading models is turned off for everyone in this session." in infos(visitor)
    assert not has(visitor, "button", "train-start") and not has(visitor, "file_uploader", "train-upload")
    assert any("Presenter controls in the sidebar" in i for i in infos(presenter))  # no one means no one

    presenter.radio(key="access-allow").set_value("presenter").run()
    visitor.run()
    assert any("reserved for the presenter" in i for i in infos(visitor))
    assert has(presenter, "button", "train-start")
    # a second presenter session shows the choice made in the first
    assert session(key=KEY).radio(key="access-allow").value == "presenter"

    presenter.radio(key="access-allow").set_value("everyone").run()
    visitor.run()
    assert has(visitor, "button", "train-start") and not [i for i in infos(visitor) if "reserved" in i]


def test_per_session_limits_say_what_is_too_much(home, monkeypatch):
    monkeypatch.setenv("AE_LAB_MAX_UPLOADS", "1")
    monkeypatch.setenv("AE_LAB_MAX_TRAIN_SIZE", "10000")
    at = session()
    assert "Up to 1 file and 100 MB in all per visitor in this session." in [c.value for c in at.caption]
    # the default settings (5 epochs over 2,500 digits) are over the limit: Start waits, and says why
    assert "This training is too large for this session: 5 epochs x 2,500 digits = 12,500 digit passes; the " \
           "limit is 10,000. Use fewer epochs or fewer training digits." in [e.value for e in at.error]
    assert at.button(key="train-start").disabled
    at.text_input(key="train-epochs").set_value("4").run()
    assert not at.error and not at.button(key="train-start").disabled

    at.file_uploader(key="train-upload").set_value(("empty.keras", b"", "application/octet-stream")).run()
    assert [e.value for e in at.error] == ["That model can't be used: empty.keras is empty (0 bytes)"]
    at.file_uploader(key="train-upload").set_value(("two.keras", b"x" * 100, "application/octet-stream")).run()
    assert [e.value for e in at.error] == \
        ["You have uploaded 1 model file in this session; the limit is 1 per visitor."]

    monkeypatch.setenv("AE_LAB_MAX_UPLOADS", "0")  # no limit on the count
    monkeypatch.setenv("AE_LAB_MAX_UPLOAD_MB", "0.001")
    monkeypatch.setenv("AE_LAB_MAX_TRAIN_SIZE", "0")
    other = session()
    other.file_uploader(key="train-upload").set_value(("big.keras", b"x" * 5000, "application/octet-stream")).run()
    assert [e.value for e in other.error] == \
        ["This file is 5 KB; uploads are limited to 1 KB per visitor in this session."]

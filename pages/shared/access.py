"""Who may train and upload in this browser session: the presenter key (?key=... or the sidebar) and the shared
setting (ae_core.policy decides; this module only asks and shows)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from ae_core import policy
from ae_core.policy import ALLOW_LABELS, Allow, Decision, Settings, UploadUsage

PRESENTER_OK = "access-presenter"  # session key: this session gave the presenter key (the key itself is not kept)
KEY_REFUSED = "access-key-refused"  # session key: the last key given was wrong
KEY_INPUT = "access-key"  # the sidebar's key box (emptied as soon as it has been checked)
ALLOW_RADIO = "access-allow"  # the presenter's "who may train and upload" control
UPLOADS_USED = "access-uploads"  # session key: the UploadUsage of this session
WRONG_KEY_PAUSE_S = 1.0  # slows down guessing from the audience; a right key never waits


@dataclass(frozen=True)
class Access:
    """This session's rights now: the start settings, the shared choice, and whether it gave the presenter key."""

    settings: Settings
    allow: Allow
    presenter: bool

    def train(self) -> Decision:
        """May this session start and stop trainings at all."""
        return policy.may_train(self.allow, self.presenter, self.settings)

    def training(self, epochs: int, train_images: int) -> Decision:
        """May this session start this training (its size included)."""
        return policy.training_decision(self.allow, self.presenter, self.settings, epochs, train_images)

    def upload(self) -> Decision:
        """May this session upload models at all."""
        return policy.may_upload(self.allow, self.presenter, self.settings)

    def upload_file(self, size: int) -> Decision:
        """May this session send one more file of `size` bytes for checking."""
        return policy.upload_decision(self.allow, self.presenter, self.settings, uploads_used(), size)

    def delete(self) -> Decision:
        """May this session delete saved models."""
        return policy.may_delete(self.allow, self.presenter, self.settings)


def access() -> Access:
    """This session's rights, read afresh (the shared choice may have changed in another process)."""
    settings = policy.settings_from_env()
    return Access(settings, policy.current_allow(settings), _is_presenter(settings))


def uploads_used() -> UploadUsage:
    """What this session has sent for checking so far."""
    return st.session_state.get(UPLOADS_USED, UploadUsage())


def count_upload(size: int) -> None:
    """Count one file sent for checking (refused ones too: each costs the server a check)."""
    st.session_state[UPLOADS_USED] = uploads_used().add(size)


def _is_presenter(settings: Settings) -> bool:
    """Whether this session gave the presenter key; a ?key=... in the URL is checked once and removed from it."""
    given = st.query_params.get("key")
    if given is not None:
        del st.query_params["key"]  # off the address bar at once: it may be on the projector
        _check(given, settings)
    return bool(st.session_state.get(PRESENTER_OK)) and bool(settings.presenter_key)


def _check(given: str, settings: Settings) -> None:
    ok = policy.key_matches(given, settings)
    st.session_state[PRESENTER_OK] = ok or bool(st.session_state.get(PRESENTER_OK))
    st.session_state[KEY_REFUSED] = not ok
    if not ok:
        time.sleep(WRONG_KEY_PAUSE_S)


def _typed_key() -> None:
    _check(st.session_state.get(KEY_INPUT, ""), policy.settings_from_env())
    st.session_state[KEY_INPUT] = ""  # never kept in the box


def _chosen() -> None:
    policy.set_allow(st.session_state[ALLOW_RADIO], policy.settings_from_env())


def _sign_out() -> None:
    st.session_state[PRESENTER_OK] = False


def presenter_controls() -> None:
    """The sidebar's presenter part: a key box, or, for the presenter, who may train and upload (every session)."""
    acc = access()
    for problem in acc.settings.problems:
        st.warning(f"Setting ignored: {problem}.")
    if not acc.settings.presenter_key:
        return
    if not acc.presenter:
        with st.expander("Presenter sign-in"):
            st.text_input("Presenter key", type="password", key=KEY_INPUT, on_change=_typed_key,
                          help="The key given when the app was started; or open the app with ?key=... once.")
            if st.session_state.get(KEY_REFUSED):
                st.caption("That is not the presenter key.")
        return
    st.session_state[ALLOW_RADIO] = acc.allow.value  # follow a change made in another session or process
    with st.expander("Presenter controls", expanded=True):
        st.radio("Who may train and upload", [a.value for a in Allow], key=ALLOW_RADIO, on_change=_chosen,
                 format_func=lambda v: ALLOW_LABELS[Allow(v)],
                 help="Applies at once to every session, on every app process sharing this user data folder. "
                      "You are not bound by the per-visitor limits.")
        st.caption(f"Started as: {ALLOW_LABELS[acc.settings.allow]}.")
        st.button("Leave presenter controls", key="access-sign-out", on_click=_sign_out)

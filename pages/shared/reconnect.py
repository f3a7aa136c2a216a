"""Tell a tab that its server session was lost and it carries on in a new one (a replica died, a restart).

Streamlit's browser side reconnects by itself (through nginx, to a live replica) and reruns the page, but
everything the old session kept on the server (the drawing, uploads, this tab's models, the last digit) is gone,
and without a word the page would just look emptied. A small component keeps the server session's token in the
page's window: a page that was really reloaded starts without one; a page whose token changes while it stays
open has moved to a new session.
"""
from __future__ import annotations

import secrets

import streamlit as st

SESSION_TOKEN = "ae-session-token"  # session key: a random token naming this server session
MOVED = "ae-session-moved"  # session key: True while the "page was reloaded" notice should show
_JS = """
export default function ({ data, setStateValue }) {
  const seen = window.__aeLabSessionToken;
  window.__aeLabSessionToken = data.token;
  if (seen && seen !== data.token) setStateValue("moved_from", seen);
}
"""
_watch = st.components.v2.component("ae_lab.session_watch", js=_JS, html='<span class="ae-watch" hidden></span>')

NOTICE = ("**The page was reloaded.** The server process this tab was connected to stopped, and another one took "
          "over with a fresh session: what you drew, uploaded or chose here before is gone from this tab, so please "
          "start again from here. Models saved on the Train page are still there.")


def session_watch() -> None:
    """Mount the watcher (once per script run, in the sidebar) and show the notice after a move."""
    token = st.session_state.setdefault(SESSION_TOKEN, secrets.token_hex(8))
    with st.sidebar:
        _watch(key="ae-session-watch", data={"token": token}, default={"moved_from": None},
               on_moved_from_change=lambda: st.session_state.__setitem__(MOVED, True))
    if st.session_state.get(MOVED):
        with st.container(key="ae-reloaded"):
            st.warning(NOTICE, icon=":material/sync_problem:")
            st.button("OK", key="ae-reloaded-ok", on_click=lambda: st.session_state.__setitem__(MOVED, False))

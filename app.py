"""Autoencoder Lab: entry point. `streamlit run app.py`."""
import os
import sys
import time

import streamlit as st

from pages.shared.reconnect import session_watch
from pages.shared.resources import registry
from pages.shared.widgets import apply_style, model_status, presenter_mode, sidebar

TIMINGS = os.environ.get("AE_LAB_TIMINGS") == "1"  # log each script run's duration (for the benchmarks)
_run_started = time.perf_counter()
# A talk opens the app with ?present=1: start with the sidebar folded, so the page gets the projector's width.
# Otherwise "auto": open on a desktop, folded on a phone (where it would cover the whole page).
st.set_page_config(page_title="Autoencoder Lab", layout="wide",
                   initial_sidebar_state="collapsed" if presenter_mode() else "auto")

PAGES = [
    st.Page("pages/views/home.py", title="Home", default=True),
    st.Page("pages/views/draw.py", title="Draw & reconstruct", url_path="draw"),
    st.Page("pages/views/denoise.py", title="Denoise", url_path="denoise"),
    st.Page("pages/views/latent.py", title="Latent space", url_path="latent"),
    st.Page("pages/views/compression.py", title="Compression", url_path="compression"),
    st.Page("pages/views/applications.py", title="Applications", url_path="applications"),
    st.Page("pages/views/train.py", title="Train", url_path="train"),
]
registry().start()  # open every shipped model in the background (once per process): ready in a fraction of a second
page = st.navigation(PAGES)
apply_style()
status_slot = sidebar()
session_watch()  # a tab that lost its server session (a replica stopped) says so
page.run()
model_status(status_slot)  # after the page: a page that waited for the models reports them loaded
if TIMINGS:  # bench/bench_redraw.py reads these lines from the server's log
    print(f"ae_lab: page {page.url_path or 'home'} served in {(time.perf_counter() - _run_started) * 1000:.1f} ms",
          file=sys.stderr, flush=True)

"""Cached, process-wide resources: the model registry and the shipped data samples."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae_core.data.datasets import load_sample, to_float_images
from ae_core.serving.registry import ModelRegistry


SIDEBAR_SAYS_LOADING = "sidebar-says-loading"  # session key: the sidebar's status still reads "Loading models"


@st.cache_resource(show_spinner=False)
def registry() -> ModelRegistry:
    """The one model registry of this server process (opening starts with `start()` or the first wait)."""
    return ModelRegistry()


def core_models(*, in_fragment: bool = False) -> ModelRegistry:
    """The registry once the five core models are ready (shows a spinner while they open).

    Called from an `st.fragment`, a wait ends with one rerun of the whole app, so what lies outside the
    fragment (the sidebar's "Loading models" status) catches up too.
    """
    reg = registry()
    if not reg.ready:
        with st.spinner("Loading the autoencoders (first start only)..."):
            reg.wait()
    if in_fragment and reg.ready and st.session_state.get(SIDEBAR_SAYS_LOADING):
        st.session_state[SIDEBAR_SAYS_LOADING] = False  # once: the app rerun redraws the sidebar as loaded
        st.rerun(scope="app")
    return reg


def extra_models(what: str) -> ModelRegistry:
    """The registry once the per-class and compression models are open too (a spinner naming `what` meanwhile)."""
    reg = registry()
    if not reg.wait_extras(timeout=0):
        with st.spinner(f"Loading {what} (first start only)..."):
            reg.wait_extras()
    return reg


@st.cache_resource(show_spinner=False)
def samples(name: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """Shipped sample images as float32 (N,28,28) in [0,1] with their labels."""
    x, y = load_sample(name)
    return to_float_images(x)[..., 0], y

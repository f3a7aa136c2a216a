"""Cached, process-wide resources: the model registry and the shipped data samples."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae_core.serving.registry import ModelRegistry
from ae_core.serving.tf_settings import configure_serving_threads, keep_kernel_cache_across_reruns


@st.cache_resource(show_spinner=False)
def registry() -> ModelRegistry:
    """The one model registry of this server process (loading starts with `start()` or the first wait)."""
    return ModelRegistry(before_loading=_prepare_tensorflow)


def _prepare_tensorflow() -> None:
    """Runs in the loader thread before TensorFlow's first op: serving settings, caches kept across reruns."""
    configure_serving_threads()
    keep_kernel_cache_across_reruns()


def core_models(*, in_fragment: bool = False) -> ModelRegistry:
    """The registry once the five core models are ready (shows a spinner while they load).

    Called from an `st.fragment`, a wait ends with one rerun of the whole app, so what lies outside the
    fragment (the sidebar's "Loading models" status) catches up too.
    """
    reg = registry()
    if not reg.ready:
        with st.spinner("Loading the autoencoders (first start only)..."):
            reg.wait()
        if in_fragment and reg.ready:
            st.rerun(scope="app")
    return reg


@st.cache_resource(show_spinner=False)
def samples(name: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """Shipped sample images as float32 (N,28,28) in [0,1] with their labels."""
    from ae_core.data.datasets import load_sample
    x, y = load_sample(name)
    return x.astype("float32") / 255.0, y

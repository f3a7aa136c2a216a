"""Cached, process-wide resources: the model registries and shipped data samples, one per dataset."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae_core.data.catalog import DEFAULT_DATASET, DatasetSpec, dataset_key, dataset_spec
from ae_core.data.datasets import load_sample, to_float_images
from ae_core.serving.registry import ModelRegistry, models_folder
from ae_core.serving.runners import ServedModel, unopened_model


SIDEBAR_SAYS_LOADING = "sidebar-says-loading"  # session key: the sidebar's status still reads "Loading models"
DATASET = "dataset"  # session key (the sidebar's dataset switch): "mnist" or "fashion"
DATASET_PARAM = "dataset"  # ?dataset=fashion opens the app on Fashion-MNIST


def _url_dataset() -> str:
    """The dataset the URL asks for (?dataset=fashion), MNIST when it names none or an unknown one."""
    try:
        return dataset_key(st.query_params.get(DATASET_PARAM, DEFAULT_DATASET))
    except ValueError:
        return DEFAULT_DATASET


def current_dataset() -> str:
    """The key of the dataset this session works on (the sidebar's switch, first taken from the URL)."""
    if DATASET not in st.session_state:
        st.session_state[DATASET] = _url_dataset()
    return dataset_key(st.session_state[DATASET])


def dataset_info(dataset: str | None = None) -> DatasetSpec:
    """The spec (title, class names, nouns) of `dataset`, by default the session's."""
    return dataset_spec(dataset or current_dataset())


def named_classes() -> dict:
    """{"class_names", "item"} for a dataset whose classes have names (clothing), {} for digits (labels suffice)."""
    spec = dataset_info()
    return {} if spec.key == "mnist" else {"class_names": spec.classes, "item": spec.item}


@st.cache_resource(show_spinner=False)
def _registry(dataset: str) -> ModelRegistry:
    return ModelRegistry(dataset=dataset)


def registry(dataset: str | None = None) -> ModelRegistry:
    """The model registry of `dataset` (default: the session's) in this server process; opens on first use."""
    return _registry(dataset_key(dataset or current_dataset())).start()


def forget_registries() -> None:
    """Drop every opened registry, so the next `registry()` opens a fresh one (tests of the loading states)."""
    _registry.clear()


@st.cache_resource(show_spinner=False)
def _unopened(dataset: str, name: str) -> ServedModel:
    return unopened_model(models_folder(dataset) / f"{name}.keras", name)


def unopened_models(*names: str) -> dict[str, ServedModel]:
    """The session dataset's shipped models as their sidecars describe them, before the server has opened them.

    Enough for a live view: the browser fetches and runs the ONNX files itself, so a first stroke need not wait
    for the server's models.
    """
    key = dataset_key(current_dataset())
    return {n: m for n in names if (m := _unopened(key, n)).info}


def core_models(*, in_fragment: bool = False) -> ModelRegistry:
    """The session dataset's registry once its five core models are ready (shows a spinner while they open).

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
def _samples(loader_name: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = load_sample(loader_name)
    return to_float_images(x)[..., 0], y


def samples(name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shipped sample images of `name` (default: the session's dataset) as float32 (N,28,28) in [0,1], with labels."""
    return _samples(dataset_spec(name or current_dataset()).loader_name)

"""The user's own models in this browser session, and the process-wide training manager."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

import tensorflow as tf

from ae_core.serving.runners import LoadedModel, ModelRunner, as_batch, compiled
from ae_core.training.jobs.worker import TrainingManager

USER_MODELS = "user_models"  # session key: {name: LoadedModel} the user trained or uploaded (this session)


@st.cache_resource(show_spinner=False)
def training_manager() -> TrainingManager:
    """The one training manager of this server process (the job files make it work across processes too)."""
    return TrainingManager()


def user_models() -> dict[str, LoadedModel]:
    """This session's own models, by name (empty when none)."""
    return st.session_state.setdefault(USER_MODELS, {})


def add_user_model(path: str | Path, model=None) -> LoadedModel:
    """Load (safe_mode, unless `model` is given) and add a saved model to this session; ModelFileError if bad."""
    from ae_core.models.files import load_model, read_sidecar
    path = Path(path)
    lm = LoadedModel(path.stem, model if model is not None else load_model(path), read_sidecar(path), path)
    user_models()[lm.name] = lm
    return lm


def remove_user_model(name: str) -> None:
    """Drop a model from this session (the file stays)."""
    user_models().pop(name, None)


class _ReconstructOnly:
    """For an uploaded autoencoder without 'encoder'/'decoder' sub-models: reconstructions only."""

    def __init__(self, model):
        self.model = model
        self._fn = compiled(lambda x: model(x, training=False))

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(self._fn(tf.constant(as_batch(images))))[..., 0]


@st.cache_resource(show_spinner=False, max_entries=16)
def _runner(model_id: int, _model) -> ModelRunner | _ReconstructOnly:
    try:  # both hold the model, so its id cannot be reused while cached
        return ModelRunner(_model)
    except (ValueError, AttributeError):
        return _ReconstructOnly(_model)


def user_runner(lm: LoadedModel) -> ModelRunner | _ReconstructOnly:
    """Compiled reconstruct (and encode/decode where the model has them) for one user model, cached per model."""
    return _runner(id(lm.model), lm.model)


def user_reconstructions(digit: np.ndarray) -> dict[str, np.ndarray]:
    """{name: 28x28 reconstruction} of `digit` by each of this session's models (skips any that fail)."""
    out = {}
    for name, lm in list(user_models().items()):
        try:
            out[name] = user_runner(lm).reconstruct(digit)[0]
        except Exception:  # noqa: BLE001 - an odd uploaded model must not break the page
            continue
    return out

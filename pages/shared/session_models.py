"""The user's own models in this browser session, and the process-wide training manager."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from ae_core.data.catalog import dataset_key
from ae_core.models.user_library import make_servable
from ae_core.serving.runners import ServedModel, open_model
from ae_core.training.jobs.manager import TrainingManager

USER_MODELS = "user_models"  # session key: {name: ServedModel} the user trained or uploaded (this session)


@st.cache_resource(show_spinner=False)
def training_manager() -> TrainingManager:
    """The one training manager of this server process (the job files make it work across processes too)."""
    return TrainingManager()


def user_models() -> dict[str, ServedModel]:
    """This session's own models, by name (empty when none)."""
    return st.session_state.setdefault(USER_MODELS, {})


def add_user_model(path: str | Path) -> ServedModel:
    """Open a saved model's ONNX files (exporting them first if missing) and add it to this session."""
    path = Path(path)
    make_servable(path)
    served = open_model(path)
    user_models()[served.name] = served
    return served


def remove_user_model(name: str) -> None:
    """Drop a model from this session (the file stays)."""
    user_models().pop(name, None)


def trained_on(served: ServedModel) -> str | None:
    """The dataset key a model's sidecar says it was trained on (None for an upload that does not say)."""
    record = served.info.get("dataset") if isinstance(served.info, dict) else None
    try:
        return dataset_key(record.get("name")) if isinstance(record, dict) and record.get("name") else None
    except ValueError:
        return None


def user_reconstructions(digit: np.ndarray, dataset: str | None = None) -> dict[str, np.ndarray]:
    """{name: 28x28 reconstruction} of `digit` by each of this session's models (skips any that fail); with
    `dataset`, only the models trained on it (and those that do not say)."""
    out = {}
    for name, served in list(user_models().items()):
        if dataset and trained_on(served) not in (None, dataset):
            continue
        try:
            out[name] = served.reconstruct(digit)[0]
        except Exception:  # noqa: BLE001 - an odd uploaded model must not break the page
            continue
    return out

"""Train: your own autoencoder, trained by a background worker process, with live progress."""
from dataclasses import replace

import streamlit as st

from ae_core.training.data_source import describe_data
from pages.shared.train_settings import current_job_id, settings_form, start_button
from pages.shared.model_library import saved_models, upload_box
from pages.shared.training_view import interrupted_offer, monitor
from pages.shared.resources import current_dataset, dataset_info
from pages.shared.widgets import presenter_mode

CSS = "<style>[data-testid='stImage'] img { image-rendering: pixelated; }</style>"

st.html(CSS)
st.title("Train your own autoencoder")
st.caption("Pick a model and its settings, press Start, and watch it learn: the loss falls, the "
           "reconstructions sharpen and a 2-d VAE's latent map sorts the digits, epoch by epoch. Training runs "
           "in a separate background process, so every other page keeps working meanwhile.")

dataset = current_dataset()
data = describe_data("auto", dataset)
job_id = current_job_id()
stage = st.container()  # full width, above the settings: a 2-d VAE's latent map as it forms (for the audience)
settings, right = st.columns([2, 3] if not presenter_mode() else [1, 2], gap="large")
with settings:
    st.subheader("Settings")
    st.caption(f"Training on **{dataset_info().title}** (switch the dataset in the sidebar).")
    cfg = settings_form(data)
    start_button(None if cfg is None else replace(cfg, dataset=dataset), data)
with right:
    interrupted_offer()
    monitor(st.session_state.get("train-job", job_id), data, stage)

st.divider()
saved_col, upload_col = st.columns([3, 2], gap="large")
with upload_col:
    upload_box()
with saved_col:
    saved_models()

"""The Train page's library of the user's models: saved models (use, download, delete) and uploads."""
from __future__ import annotations

import streamlit as st

from ae_core.models.errors import ModelFileError
from ae_core.models.user_library import delete_model, import_upload, list_models
from ae_core.paths import user_data_dir
from ae_core.policy import upload_limits_text
from pages.shared.access import access, count_upload
from pages.shared.session_models import add_user_model, remove_user_model, user_models
from pages.shared.training_text import epochs_text


def saved_models() -> None:
    """The user's saved models, each with Use/Stop using, Download and Delete (with confirmation)."""
    st.subheader("Your saved models")
    folder = user_data_dir() / "models"
    try:
        models = list_models()
    except OSError as e:
        st.error(f"The folder for your models can't be used ({e.strerror or e}); set AE_LAB_HOME to a writable "
                 "folder.")
        models = []
    if not models:
        st.caption(f"None yet. Trained and uploaded models are kept in {folder}.")
    else:
        st.caption(f"Kept in {folder}. 'Use' puts a model on the Draw page in this browser session.")
    deletable = access().delete()
    if models and not deletable:
        st.caption(deletable.reason)
    listing = st.container(height=600, border=False) if len(models) > 4 else st.container()
    for m in models:
        saved_model_row(listing.container(border=True), m, deletable=bool(deletable))


def saved_model_row(row, m, *, deletable: bool = True) -> None:
    """One saved model: its label, facts and buttons."""
    bits = [m.info.get("source", "model")]
    if m.info.get("epochs_run"):
        bits.append(epochs_text(int(m.info["epochs_run"])))
    mse = (m.info.get("test_metrics") or {}).get("mse")
    if mse is not None:
        bits.append(f"validation MSE {mse:.4f}")
    bits.append(f"{m.size / 1024:,.0f} KB")
    row.markdown(f"**{m.label}**")
    row.caption(f"{m.name} - {', '.join(bits)}")
    buttons = row.container(horizontal=True, gap="small")
    if m.name in user_models():
        if buttons.button("Stop using", key=f"train-unuse-{m.name}",
                          help="Remove it from the Draw page in this session (the file stays)."):
            remove_user_model(m.name)
            st.rerun()
    elif buttons.button("Use", key=f"train-use-{m.name}", help="Show it on the Draw page in this session."):
        try:
            add_user_model(m.path)
            st.rerun()
        except ModelFileError as e:
            row.error(f"That model can't be used: {e}")
    buttons.download_button("Download", data=lambda p=m.path: p.read_bytes() if p.is_file() else b"",
                            file_name=m.path.name, mime="application/octet-stream", key=f"train-dl-{m.name}")
    if not deletable:
        return
    if st.session_state.get("train-confirm-delete") != m.name:
        if buttons.button("Delete", key=f"train-del-{m.name}"):
            st.session_state["train-confirm-delete"] = m.name
            st.rerun()
        return
    row.warning(f"Delete **{m.label}** for good? This removes the file.")
    confirm = row.container(horizontal=True, gap="small")
    if confirm.button("Yes, delete", key=f"train-del-yes-{m.name}", type="primary"):
        delete_model(m.name)
        remove_user_model(m.name)
        st.session_state.pop("train-confirm-delete", None)
        st.rerun()
    if confirm.button("Cancel", key=f"train-del-no-{m.name}"):
        st.session_state.pop("train-confirm-delete", None)
        st.rerun()


def upload_box() -> None:
    """Upload a .keras model: checked in a separate process, then kept and used in this session."""
    st.subheader("Upload a model")
    acc = access()
    if not (gate := acc.upload()):
        st.info(gate.reason)
        return
    upload = st.file_uploader("A .keras autoencoder (28x28 digits in, 28x28 digits out)", type=["keras"],
                              key="train-upload",
                              help="Keras 3 .keras files only. Files with Lambda layers (Python code inside) are "
                              "refused for safety.")
    if not acc.presenter and (limits := upload_limits_text(acc.settings.limits)):
        st.caption(limits)
    if upload is None:
        return
    if st.session_state.get("train-upload-seen") != upload.file_id:
        st.session_state["train-upload-seen"] = upload.file_id
        if not (allowed := acc.upload_file(upload.size)):
            st.session_state["train-upload-result"] = ("error", allowed.reason)
        else:
            count_upload(upload.size)
            st.session_state["train-upload-result"] = check_upload(upload)
    if st.session_state.get("train-upload-result"):
        how, msg = st.session_state["train-upload-result"]
        (st.success if how == "ok" else st.error)(msg)


def check_upload(upload) -> tuple[str, str]:
    """Check and keep one uploaded file; ("ok" or "error", the message to show)."""
    try:
        with st.spinner("Checking the model and preparing it for the app..."):
            saved = import_upload(upload.name, upload.getvalue())
            add_user_model(saved.path)
        return "ok", f"**{saved.name}** passed the checks and was added: it is on the Draw page now."
    except ModelFileError as e:
        return "error", f"That model can't be used: {e}"
    except Exception as e:  # noqa: BLE001
        return "error", f"That file could not be read ({type(e).__name__}); is it a Keras .keras model?"

"""Train: your own autoencoder, trained by a background worker process, with live progress."""
import datetime as dt
import uuid

import numpy as np
import streamlit as st

from ae_core.figures.images import interpolation_strip, upscale
from ae_core.figures.training import loss_curve
from ae_core.paths import user_data_dir
from ae_core.models.errors import ModelFileError
from ae_core.training.config import ConfigError, TrainConfig, validate_config
from ae_core.models.user_library import delete_model, import_upload, list_models
from ae_core.training.data_source import describe_data
from ae_core.training.jobs.manager import TrainingBusy
from ae_core.training.jobs.store import ACTIVE_STATES
from pages.shared.session_models import add_user_model, remove_user_model, training_manager, user_models
from pages.shared.widgets import presenter_mode

POLL_S = 1.0
KINDS = {
    "dense": "Dense",
    "conv": "Convolutional",
    "denoising": "Denoising",
    "vae": "Variational (VAE)",
}
KIND_HELP = {
    "dense": "Fully connected layers squeeze each digit into a short code and rebuild it. Fast to train.",
    "conv": "Convolutions keep the 2-d picture structure; sharper results, slower to train.",
    "denoising": "A convolutional autoencoder that sees noisy digits and must rebuild the clean ones.",
    "vae": "Learns a smooth code space you can sample new digits from; trades some sharpness for that.",
}
FIELD_LABELS = {
    "epochs": "Epochs", "batch_size": "Batch size", "learning_rate": "Learning rate", "code_size": "Code size",
    "latent_dim": "Latent size", "noise_factor": "Noise factor", "beta": "Beta", "train_size": "Training digits",
    "seed": "Random seed",
}
CSS = "<style>[data-testid='stImage'] img { image-rendering: pixelated; }</style>"


def friendly(error: Exception) -> str:
    """A ConfigError message in the page's words: 'epochs must be ...' -> 'Epochs must be ...'."""
    msg = str(error)
    for field, label in FIELD_LABELS.items():
        if msg.startswith(field + " "):
            msg = label + msg[len(field):]
            break
    else:
        msg = msg[:1].upper() + msg[1:]
    return msg.rstrip(".") + "."


def parse_number(text: str, field: str) -> float:
    """A number typed into a text box; ConfigError naming the field when it is not one."""
    try:
        return float(str(text).strip())
    except ValueError:
        raise ConfigError(f"{field} must be a number such as 0.001 or 1e-3, got {str(text).strip()!r}") from None


def owner_id() -> str:
    return st.session_state.setdefault("train-owner", uuid.uuid4().hex[:12])


def hhmm(ts) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%H:%M") if ts else "?"


def digit_strip(images: np.ndarray, label: str) -> None:
    """A labelled row of digits as one crisp image."""
    left, right = st.columns([1, 7], vertical_alignment="center")
    left.markdown(f"**{label}**")
    right.image(upscale(interpolation_strip(np.clip(images, 0, 1), gap=2), 3), width="stretch")


def show_reconstructions(job_id: str, epoch: int) -> None:
    """The fixed sample digits (and their noisy versions) with the model's reconstructions after `epoch`."""
    mgr = training_manager()
    clean, noisy = mgr.samples(job_id)
    rec = mgr.reconstructions(job_id, epoch) if epoch else None
    if clean is None:
        return
    digit_strip(clean, "Digit")
    if noisy is not None:
        digit_strip(noisy, "Noisy input")
    if rec is not None:
        digit_strip(rec, f"Epoch {epoch}")
    else:
        st.caption("The reconstructions appear after the first epoch.")


def loss_chart(s: dict, key: str) -> None:
    hist = {k: v for k, v in (s.get("history") or {}).items() if k in ("loss", "val_loss")}
    if not hist:
        st.caption("The loss chart appears after the first epoch.")
        return
    title = "Loss (negative ELBO, nats)" if s.get("kind") == "vae" else "Loss (binary cross-entropy)"
    st.plotly_chart(loss_curve(hist, title=title), key=key, config={"displayModeBar": False})


@st.fragment(run_every=POLL_S)
def live_progress(job_id: str, epochs_shown: int) -> None:
    """Progress bar and Stop button, refreshed every POLL_S seconds; a full rerun when an epoch lands."""
    mgr = training_manager()
    s = mgr.status(job_id)
    if s.get("state") not in ACTIVE_STATES or len(s.get("snapshots") or []) != epochs_shown:
        st.rerun()  # finished, or a new epoch: redraw chart and reconstructions (the page is cheap)
    epochs, epoch = int(s.get("epochs") or 0), int(s.get("epoch") or 0)
    if s.get("state") == "running" and s.get("batches"):
        text = f"Epoch {min(epoch + 1, epochs)} of {epochs} - batch {s.get('batch', 0)} of {s['batches']}"
    else:
        text = s.get("message", "Working...")
    st.progress(float(s.get("progress") or 0.0), text=text)
    if s.get("stop_requested"):
        st.caption("Stopping after the current batch...")
    elif st.button("Stop training", key="train-stop", help="Stops after the current batch; the model is kept "
                   "if at least one epoch has finished."):
        mgr.stop(job_id)
        st.caption("Stopping after the current batch...")


def live_monitor(job_id: str, s: dict) -> None:
    """The running job: progress (polled), loss chart and the latest reconstructions (per epoch)."""
    if s.get("owner") != owner_id():
        st.info(f"Watching a training started by another session at {hhmm(s.get('started'))}. "
                "Only one training runs at a time; you can start yours when it ends.")
    st.markdown(f"#### {s.get('label', 'Training')}")
    snaps = s.get("snapshots") or []
    live_progress(job_id, len(snaps))
    loss_chart(s, "train-live-chart")
    show_reconstructions(job_id, int(snaps[-1]) if snaps else 0)


def finished_view(job_id: str, s: dict) -> None:
    """The result of a finished, stopped or failed job."""
    state, label = s.get("state"), s.get("label", "Your model")
    path = s.get("model_path")
    if state == "failed":
        st.error(f"The training failed: {s.get('message', 'no reason was recorded')}")
    elif state == "stopped" and not path:
        st.info(s.get("message", "Stopped."))
    else:
        metrics = s.get("test_metrics") or {}
        mse = f" Validation MSE {metrics['mse']:.4f}." if "mse" in metrics else ""
        took = s.get("wall_time_s")
        took = f" in {took:.0f} s" if took else ""
        n = (s.get("data") or {}).get("train_images")
        digits = f" on {n:,} digits" if n else ""
        if state == "stopped":
            st.warning(f"**{label}**: {s.get('message', '')}{mse}")
        else:
            n_ep = int(s.get("epochs_run") or s.get("epoch") or 0)
            st.success(f"**{label}** is ready: {n_ep} epoch{'s' if n_ep != 1 else ''}{digits}{took}.{mse}")
        attach_result(job_id, s)
    loss_chart(s, "train-done-chart")
    snaps = [int(e) for e in (s.get("snapshots") or [])]
    if snaps:
        epoch = snaps[-1]
        if len(snaps) > 1:
            epoch = st.select_slider("Reconstructions after epoch", options=snaps, value=snaps[-1],
                                     key=f"train-epoch-view-{job_id}")
        show_reconstructions(job_id, epoch)


def attach_result(job_id: str, s: dict) -> None:
    """Make the finished model usable in this session (once) and offer it as a download."""
    from pathlib import Path
    path = Path(s["model_path"])
    if not path.is_file():
        st.caption("This model's file has since been deleted.")
        return
    loaded = st.session_state.setdefault("train-attached", set())
    if job_id not in loaded:
        loaded.add(job_id)
        try:
            add_user_model(path)
        except ModelFileError as e:
            st.error(f"The trained model could not be loaded: {e}")
            return
    if path.stem in user_models():
        st.caption("It is on the Draw page now, next to the shipped models (in this browser session).")
    else:
        st.caption("To see it on the Draw page, press Use next to it under Your saved models.")
    st.download_button("Download model (.keras)", data=path.read_bytes(), file_name=path.name,
                       mime="application/octet-stream", key=f"train-dl-job-{job_id}")


# ------------------------------------------------------------------------------------------------ page
st.html(CSS)
st.title("Train your own autoencoder")
st.caption("Pick a model and its settings, press Start, and watch it learn: the loss falls and the "
           "reconstructions sharpen epoch by epoch. Training runs in a separate background process, so every "
           "other page keeps working meanwhile.")

mgr = training_manager()
data = describe_data("auto")
running = mgr.current()
job_id = st.session_state.get("train-job")
if running is not None and running.id != job_id:
    if job_id is None or mgr.status(job_id).get("state") not in ACTIVE_STATES:
        st.session_state["train-job"] = job_id = running.id  # re-attach (reloaded page, other session)

settings, monitor = st.columns([2, 3] if not presenter_mode() else [1, 2], gap="large")
with settings:
    st.subheader("Settings")
    kind = st.selectbox("Model type", list(KINDS), format_func=KINDS.get, key="train-kind")
    st.caption(KIND_HELP[kind])
    c1, c2 = st.columns(2)
    epochs = c1.number_input("Epochs", value=5, step=1, key="train-epochs",
                             help="Passes over the training digits (1-500).")
    batch = c2.number_input("Batch size", value=128, step=32, key="train-batch",
                            help="Digits per weight update (1-4096).")
    lr_text = c1.text_input("Learning rate", value="0.001", key="train-lr",
                            help="Adam step size, e.g. 0.001 or 1e-3 (between 1e-6 and 1).")
    default_size = min(10000, data.train_available)
    size = c2.number_input("Training digits", value=default_size, step=500, key="train-size",
                           help=f"How many training digits to learn from (16-60000; {data.train_available:,} "
                           "available). Fewer is faster.")
    extra = {}
    if kind == "dense":
        extra["code_size"] = c1.number_input("Code size", value=16, step=1, key="train-code",
                                             help="Numbers in the compressed code (1-784).")
    if kind == "vae":
        extra["latent_dim"] = c1.number_input("Latent size", value=2, step=1, key="train-latent",
                                              help="Dimensions of the latent code (1-64); 2 can be drawn as a map.")
        extra["beta"] = c2.number_input("Beta (KL weight)", value=1.0, step=0.5, format="%.2f", key="train-beta",
                                        help="Weight of the KL term (0-100); 1 is the standard VAE.")
    if kind == "denoising":
        extra["noise_factor"] = c1.number_input("Noise factor", value=0.5, step=0.1, format="%.2f",
                                                key="train-noise",
                                                help="Standard deviation of the added Gaussian noise (0-2).")

    cfg, error = None, None
    try:
        lr = parse_number(lr_text, "learning_rate")
        cfg = validate_config(TrainConfig(kind=kind, epochs=epochs, batch_size=batch, learning_rate=lr,
                                          train_size=size, **extra))
    except ConfigError as e:
        error = friendly(e)
    if error:
        st.error(error)
    elif cfg.train_size > data.train_available:
        st.caption(f"Only {data.train_available:,} digits are available; all of them will be used.")
    if data.note:
        st.info(data.note)

    busy = running is not None
    start = st.button("Start training", type="primary", key="train-start", disabled=bool(error) or busy,
                      width="stretch")
    if busy:
        st.caption("One training at a time: Start is available again when the current one ends.")
    if start and cfg is not None:
        try:
            job = mgr.start(cfg, "auto", owner=owner_id())
            st.session_state["train-job"] = job_id = job.id
            st.rerun()  # redraw everything in the running state (Start disabled, live monitor)
        except TrainingBusy as e:
            st.warning(str(e))
            if e.job is not None:
                st.session_state["train-job"] = job_id = e.job.id
        except ConfigError as e:
            st.error(friendly(e))
        except Exception as e:  # noqa: BLE001 - never a traceback on stage
            st.error(f"The training could not be started: {type(e).__name__}: {str(e)[:200]}")

with monitor:
    if job_id is None:
        st.subheader("Training")
        st.info("Press **Start training**. A progress bar, the loss per epoch and the model's reconstructions "
                "of ten test digits appear here while it learns.")
    else:
        status = mgr.status(job_id)
        if status.get("state") in ACTIVE_STATES:
            live_monitor(job_id, status)
        else:
            finished_view(job_id, status)
        note = (status.get("data") or {}).get("note")
        if note and data.source == "mnist":
            st.caption(note)


# ------------------------------------------------------------------------------------- saved models
st.divider()
saved_col, upload_col = st.columns([3, 2], gap="large")
with upload_col:
    st.subheader("Upload a model")
    upload = st.file_uploader("A .keras autoencoder (28x28 digits in, 28x28 digits out)", type=["keras"],
                              key="train-upload",
                              help="Keras 3 .keras files only. Files with Lambda layers (Python code inside) are "
                              "refused for safety.")
    if upload is not None and st.session_state.get("train-upload-seen") != upload.file_id:
        st.session_state["train-upload-seen"] = upload.file_id
        try:
            with st.spinner("Checking the model and preparing it for the app..."):
                saved = import_upload(upload.name, upload.getvalue())
                add_user_model(saved.path)
            result = ("ok", f"**{saved.name}** passed the checks and was added: it is on the Draw page now.")
        except ModelFileError as e:
            result = ("error", f"That model can't be used: {e}")
        except Exception as e:  # noqa: BLE001
            result = ("error", f"That file could not be read ({type(e).__name__}); is it a Keras .keras model?")
        st.session_state["train-upload-result"] = result
    if upload is not None and st.session_state.get("train-upload-result"):
        how, msg = st.session_state["train-upload-result"]
        (st.success if how == "ok" else st.error)(msg)

with saved_col:
    st.subheader("Your saved models")
    folder = user_data_dir() / "models"
    try:
        models = list_models()
    except OSError as e:
        st.error(f"The folder for your models can't be used ({e.strerror or e}); set AE_LAB_HOME to a writable "
                 "folder.")
        models = []
    in_session = user_models()
    if not models:
        st.caption(f"None yet. Trained and uploaded models are kept in {folder}.")
    else:
        st.caption(f"Kept in {folder}. 'Use' puts a model on the Draw page in this browser session.")
    pending = st.session_state.get("train-confirm-delete")
    listing = st.container(height=600, border=False) if len(models) > 4 else st.container()
    for m in models:
        info = m.info
        bits = [info.get("source", "model")]
        if info.get("epochs_run"):
            bits.append(f"{info['epochs_run']} epochs")
        mse = (info.get("test_metrics") or {}).get("mse")
        if mse is not None:
            bits.append(f"validation MSE {mse:.4f}")
        bits.append(f"{m.size / 1024:,.0f} KB")
        row = listing.container(border=True)
        row.markdown(f"**{m.label}**")
        row.caption(f"{m.name} - {', '.join(bits)}")
        buttons = row.container(horizontal=True, gap="small")
        if m.name in in_session:
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
        if pending == m.name:
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
        elif buttons.button("Delete", key=f"train-del-{m.name}"):
            st.session_state["train-confirm-delete"] = m.name
            st.rerun()

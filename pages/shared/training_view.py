"""The Train page's widgets and wording: start, progress, loss chart, reconstructions, results, saved models, uploads."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ae_core.data.catalog import dataset_spec
from ae_core.figures.images import interpolation_strip, tile_images, upscale
from ae_core.figures.latent import latent_map, manifold_image_figure
from ae_core.figures.training import loss_curve
from ae_core.models.errors import ModelFileError
from ae_core.models.user_library import delete_model, import_upload, list_models
from ae_core.paths import user_data_dir
from ae_core.policy import upload_limits_text
from ae_core.training.data_source import DataInfo
from ae_core.training.jobs.status import ErrorCode, Stage, State, TrainingStatus, progress_of
from ae_core.training.jobs.manager import TrainingBusy
from ae_core.training.jobs.store import hhmm
from pages.shared.access import access, count_upload
from pages.shared.session_models import add_user_model, remove_user_model, training_manager, user_models
from pages.shared.train_settings import owner_id
from pages.shared.widgets import chart

POLL_S = 1.0
REPLAY_S = 0.8  # seconds per epoch when a finished training's map is replayed
MAP_VIEW = 4.0  # the live map's fixed half-width: epochs compare like for like as the codes spread out
REPLAY = "train-replay"  # session key: {"job": id, "next": index of the next epoch to show} while replaying


# ------------------------------------------------------------------------------------------------ wording
def epochs_text(n: int) -> str:
    """'1 epoch', '3 epochs'."""
    return f"{n} epoch{'s' if n != 1 else ''}"


def progress_text(s: TrainingStatus) -> str:
    """What the worker is doing now, in words that match the progress bar."""
    if s.state == State.RUNNING and s.batches:
        if s.epoch >= s.epochs:
            return f"All {epochs_text(s.epochs)} done; finishing up..."
        return f"Epoch {s.epoch + 1} of {s.epochs} - batch {s.batch} of {s.batches}"
    if s.state == State.SAVING:
        if s.stage == Stage.EXPORTING:
            return "Exporting the model for the app (ONNX)..."
        return "Measuring the model on the validation digits and saving it..."
    if s.state in (State.LOADING, State.RUNNING):
        return "Loading TensorFlow and the training digits..."
    return "Starting the training worker..."


def failure_text(s: TrainingStatus) -> str:
    """Why a job failed, for people."""
    if s.error == ErrorCode.WORKER_DIED:
        how = ""
        if s.exit_code is not None and s.exit_code < 0:
            how = f" (killed by signal {-s.exit_code})"
        elif s.exit_code:
            how = f" (exit code {s.exit_code})"
        tail = f" Last log line: {s.log_tail}" if s.log_tail else ""
        return f"the worker died{how}: the training process ended before finishing. " \
               f"Models saved earlier are untouched.{tail}"
    if s.error == ErrorCode.START_FAILED:
        return f"the worker could not be started ({s.detail})"
    if s.error == ErrorCode.RECORDS_GONE:
        return "this training's records are gone"
    if s.error == ErrorCode.BUSY:
        return "a training was already running; only one can run at a time"
    return s.detail or "no reason was recorded"


def interrupted_text(s: TrainingStatus, epoch: int) -> str:
    """The offer's sentence for a job whose worker died after `epoch` finished epochs."""
    how = f"; killed by signal {-s.exit_code}" if s.exit_code is not None and s.exit_code < 0 else ""
    return (f"Training of **{s.label or s.name or 'your model'}** stopped at epoch {epoch} of {s.epochs} (its "
            f"process ended before finishing{how}). Resume it from there, or discard it.")


def stopped_text(s: TrainingStatus) -> str:
    """What a Stop left behind, counting complete epochs only."""
    if not s.saved:
        if s.epoch == 0 and s.stopped_in_epoch is None:
            return "Stopped before training began; nothing was saved."
        return ("Stopped during the first epoch: nothing was saved (a model is kept once at least one epoch has "
                "finished).")
    where = f"during epoch {s.stopped_in_epoch}" if s.stopped_in_epoch else f"after epoch {s.epoch}"
    return f"Stopped {where} of {s.epochs}; the model after {epochs_text(s.epoch)} was saved as {s.model_name}."


def ready_text(s: TrainingStatus) -> str:
    """A finished job's one-line result."""
    n = s.data.get("train_images")
    digits = f" on {n:,} digits" if n else ""
    took = f" in {s.wall_time_s:.0f} s" if s.wall_time_s else ""
    return f"**{s.label or 'Your model'}** is ready: {epochs_text(s.epoch)}{digits}{took}."


def data_note(s: TrainingStatus) -> str:
    """The data source's note plus, when fewer digits were there than asked for, how many."""
    note = s.data.get("note") or ""
    asked, got = s.data.get("train_requested"), s.data.get("train_images")
    if asked and got and asked > got:
        note = f"{note} Asked for {asked:,} training digits; {got:,} are available.".strip()
    return note


# ------------------------------------------------------------------------------------------------ widgets
def digit_strip(images: np.ndarray, label: str) -> None:
    """A labelled row of digits as one crisp image."""
    left, right = st.columns([1, 7], vertical_alignment="center")
    left.markdown(f"**{label}**")
    right.image(upscale(interpolation_strip(np.clip(images, 0, 1), gap=2), 3), width="stretch",
                alt=f"{label}: a row of {len(images)} digits")


def show_reconstructions(job_id: str, epoch: int) -> None:
    """The fixed sample digits (and their noisy versions) with the model's reconstructions after `epoch`."""
    mgr = training_manager()
    clean, noisy = mgr.samples(job_id)
    if clean is None:
        return
    rec = mgr.reconstructions(job_id, epoch) if epoch else None
    digit_strip(clean, "Digit")
    if noisy is not None:
        digit_strip(noisy, "Noisy input")
    if rec is not None:
        digit_strip(rec, f"Epoch {epoch}")
    else:
        st.caption("The reconstructions appear after the first epoch.")


def latent_panel(job_id: str, s: TrainingStatus, epoch: int, key: str) -> None:
    """A 2-d model's latent map (the shipped test sample, coloured by class) and manifold after `epoch`."""
    snap = training_manager().latent_snapshot(job_id, epoch) if epoch else None
    if snap is None:
        st.caption("The latent map appears after the first epoch: the test digits' codes, and digits decoded "
                   "across the plane.")
        return
    codes, labels, tiles = snap
    grid, extent = int(s.latent_map.get("grid", 8)), float(s.latent_map.get("extent", 2.5))
    spec = dataset_spec(s.latent_map.get("dataset"))
    names = {} if spec.key == "mnist" else {"class_names": spec.classes, "legend_title": "class"}
    map_col, grid_col = st.columns(2, gap="small")
    with map_col:
        chart(latent_map(codes, labels, view=MAP_VIEW, height=460, marker_size=4, title=f"Latent map, epoch {epoch}",
                         subtitle=f"{len(codes):,} test {spec.items}' codes, coloured by class", **names),
              key=f"{key}-map", config={"displayModeBar": False})
    with grid_col:
        chart(manifold_image_figure(tile_images(tiles, grid), extent, title=f"Manifold, epoch {epoch}"),
              key=f"{key}-manifold", config={"displayModeBar": False})


def loss_chart(s: TrainingStatus, key: str) -> None:
    """Training and validation loss per complete epoch."""
    hist = {k: v for k, v in s.history.items() if k in ("loss", "val_loss")}
    if not hist:
        st.caption("The loss chart appears after the first epoch.")
        return
    title = "Loss (negative ELBO, nats)" if s.kind == "vae" else "Loss (binary cross-entropy)"
    chart(loss_curve(hist, title=title), key=key, config={"displayModeBar": False})


@st.fragment(run_every=POLL_S)
def live_progress(job_id: str, epochs_shown: int) -> None:
    """Progress bar and Stop button, refreshed every POLL_S seconds; a full rerun when an epoch lands."""
    mgr = training_manager()
    s = mgr.status(job_id)
    if not s.active or len(s.snapshots) != epochs_shown:
        st.rerun()  # finished, or a new epoch: redraw chart and reconstructions (the page is cheap)
    # the bar is computed from the same counts as its text, so the two always agree
    st.progress(progress_of(s.epoch, s.batch, s.batches, s.epochs), text=progress_text(s))
    if s.stop_requested:
        st.caption("Stopping after the current batch...")
    elif s.owner != owner_id() and not access().train():
        return  # only whoever may train (or started it) stops it; the reason is shown beside Start
    elif st.button("Stop training", key="train-stop", help="Stops after the current batch; the model is kept "
                   "if at least one epoch has finished."):
        mgr.stop(job_id)
        st.caption("Stopping after the current batch...")


def live_monitor(job_id: str, s: TrainingStatus, stage: DeltaGenerator | None = None) -> None:
    """The running job: progress (polled), loss chart and the latest reconstructions (per epoch); a 2-d
    model's latent map and manifold in `stage` (a full-width slot above the columns), else here."""
    if s.owner != owner_id():
        st.info(f"Watching a training started by another session at {hhmm(s.started)}. "
                "Only one training runs at a time; you can start yours when it ends.")
    st.markdown(f"#### {s.label or 'Training'}")
    live_progress(job_id, len(s.snapshots))
    latest = s.snapshots[-1] if s.snapshots else 0
    loss_chart(s, "train-live-chart")
    show_reconstructions(job_id, latest)
    if s.latent_map or (s.kind == "vae" and s.config.get("latent_dim") == 2):  # say it's coming while loading
        with stage or st.container():
            latent_panel(job_id, s, latest, "train-live")


def finished_view(job_id: str, s: TrainingStatus, stage: DeltaGenerator | None = None) -> None:
    """The result of a finished, stopped or failed job; a 2-d model's epoch viewer in `stage` (full width)."""
    mse = f" Validation MSE {s.test_metrics['mse']:.4f}." if "mse" in s.test_metrics else ""
    if s.state == State.FAILED and training_manager().resumable(job_id, s):
        pass  # the offer to resume it, above, says what happened
    elif s.state == State.FAILED:
        st.error(f"The training failed: {failure_text(s)}")
    elif s.state == State.STOPPED and not s.saved:
        st.info(stopped_text(s))
    else:
        if s.state == State.STOPPED:
            st.warning(f"**{s.label or 'Your model'}**: {stopped_text(s)}{mse}")
        else:
            st.success(f"{ready_text(s)}{mse}")
        attach_result(job_id, s)
    apart = bool(s.latent_map) and stage is not None  # the map and its epoch slider get the full width
    if apart or not s.snapshots:
        loss_chart(s, "train-done-chart")
    if s.snapshots:
        replaying = (st.session_state.get(REPLAY) or {}).get("job") == job_id
        with stage if apart else st.container():
            st.fragment(epoch_view, run_every=REPLAY_S if replaying else None)(job_id, s, replaying, not apart)


def epoch_view(job_id: str, s: TrainingStatus, ticking: bool, with_loss: bool = True) -> None:
    """The map and reconstructions after the epoch a slider picks (and the loss chart); Replay steps through them.

    A fragment: moving the slider redraws this part only. While replaying it reruns every REPLAY_S seconds
    (`ticking`), showing the next epoch each time, and ends with one app rerun that turns the timer off.
    """
    key = f"train-epoch-view-{job_id}"
    ss = st.session_state
    if ss.get(key) not in s.snapshots:
        ss[key] = s.snapshots[-1]
    replay = ss.get(REPLAY) or {}
    if replay.get("job") == job_id:
        ss[key] = s.snapshots[min(replay["next"], len(s.snapshots) - 1)]
        replay["next"] += 1
        if replay["next"] >= len(s.snapshots):
            ss.pop(REPLAY)
    elif ticking:
        st.rerun(scope="app")  # the replay is over: drop the timer
    epoch = s.snapshots[-1]
    if len(s.snapshots) > 1:
        label = "Map and reconstructions after epoch" if s.latent_map else "Reconstructions after epoch"
        slider_col, play_col = st.columns([5, 1], vertical_alignment="bottom")
        epoch = slider_col.select_slider(label, options=s.snapshots, key=key)
        if s.latent_map and play_col.button("Replay", key=f"train-replay-{job_id}", width="stretch",
                                            help="Step through the epochs: watch the map organise itself."):
            ss[REPLAY] = {"job": job_id, "next": 0}
            st.rerun(scope="app")  # again with the timer on
    if s.latent_map:
        latent_panel(job_id, s, epoch, "train-done")
    if with_loss:
        loss_chart(s, "train-done-chart")
    show_reconstructions(job_id, epoch)


def interrupted_offer() -> None:
    """The newest training whose process died mid-run, with Resume and Discard (at most one is offered)."""
    mgr = training_manager()
    found = mgr.interrupted()
    if not found:
        return
    job, s = found[0]
    box = st.container(border=True)
    box.warning(interrupted_text(s, mgr.resumable(job, s)))
    buttons = box.container(horizontal=True, gap="small")
    busy = mgr.current() is not None
    if buttons.button("Resume", key=f"train-resume-{job.id}", type="primary", disabled=busy,
                      help="Continue from the last finished epoch (one training runs at a time)."):
        try:
            mgr.resume(job, owner=owner_id())
            st.session_state["train-job"] = job.id
            st.rerun()
        except TrainingBusy as e:
            box.warning(str(e))
        except ValueError:
            box.info("That training has nothing left to resume.")
    if buttons.button("Discard", key=f"train-discard-{job.id}",
                      help="Forget the interrupted run (its finished epochs are dropped)."):
        mgr.discard(job)
        if st.session_state.get("train-job") == job.id:
            st.session_state.pop("train-job")
        st.rerun()
    if busy:
        box.caption("Resume is available when the current training ends.")


def attach_result(job_id: str, s: TrainingStatus) -> None:
    """Make the finished model usable in this session (once) and offer it as a download."""
    path = Path(s.model_path)
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


def monitor(job_id: str | None, data: DataInfo, stage: DeltaGenerator | None = None) -> None:
    """The right-hand side: a hint, the running job or the last result; `stage`: a full-width slot above
    the page's columns for a 2-d model's latent map."""
    if job_id is None:
        st.subheader("Training")
        st.info("Press **Start training**. A progress bar, the loss per epoch and the model's reconstructions "
                "of ten test digits appear here while it learns; for a VAE with a 2-d code, its latent map and "
                "the digits it decodes across the plane too, epoch by epoch.")
        return
    status = training_manager().status(job_id)
    if status.active:
        live_monitor(job_id, status, stage)
    else:
        finished_view(job_id, status, stage)
    note = data_note(status)
    if note and data.source != "sample":
        st.caption(note)


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

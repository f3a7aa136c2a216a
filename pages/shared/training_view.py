"""The Train page's training views and wording: start, progress, loss chart, reconstructions, results."""
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
from ae_core.training.data_source import DataInfo
from ae_core.training.jobs.status import State, TrainingStatus, progress_of
from ae_core.training.jobs.manager import TrainingBusy
from ae_core.training.jobs.store import hhmm
from pages.shared.access import access
from pages.shared.session_models import add_user_model, training_manager, user_models
from pages.shared.train_settings import owner_id
from pages.shared.training_text import progress_text, failure_text, interrupted_text, stopped_text, ready_text, data_note
from pages.shared.widgets import chart

POLL_S = 1.0
REPLAY_S = 0.8  # seconds per epoch when a finished training's map is replayed
MAP_VIEW = 4.0  # the live map's fixed half-width: epochs compare like for like as the codes spread out
REPLAY = "train-replay"  # session key: {"job": id, "next": index of the next epoch to show} while replaying


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

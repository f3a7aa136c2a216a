"""The worker process: `python -m ae_core.training.jobs.worker JOB_DIR` trains one job, reporting into its folder."""
from __future__ import annotations

import argparse
import math
import os
import traceback
from pathlib import Path

import numpy as np

from ae_core.files import read_json, save_array, write_json
from ae_core.paths import user_data_dir
from ae_core.training.data_source import load_training_data, pick_samples
from ae_core.training.jobs.lock import try_lock
from ae_core.training.jobs.store import Job, now

STATUS_EVERY_S = 0.25  # how often the worker rewrites status.json during an epoch
NICE = 10


class _Reporter:
    """Worker side: keeps status.json current."""

    def __init__(self, job: Job):
        self.job = job
        self.status = read_json(job.status_path)
        self._last = 0.0

    def update(self, force: bool = True, **fields) -> None:
        self.status.update(fields, pid=os.getpid(), updated=now())
        if force or now() - self._last >= STATUS_EVERY_S:
            write_json(self.job.status_path, self.status)
            self._last = now()


def _callbacks(job: Job, rep: _Reporter, samples_in: np.ndarray, steps: int, epochs: int):
    import keras

    from ae_core.training.fit import EpochSnapshots, StopFlag

    stop = StopFlag(job.stop_path.exists)
    state = {"epoch": 0, "batch": 0, "completed": 0}

    class Progress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            state["epoch"], state["batch"] = epoch, 0

        def on_train_batch_end(self, batch, logs=None):
            state["batch"] = min(batch + 1, steps)  # with steps_per_execution the last call may overshoot
            frac = (state["epoch"] + state["batch"] / steps) / epochs
            rep.update(force=False, state="running", batch=state["batch"], progress=min(frac, 1.0),
                       message=f"Epoch {state['epoch'] + 1}/{epochs}: batch {state['batch']}/{steps}")

    def on_snapshot(epoch: int, logs: dict, rec: np.ndarray) -> None:
        full = state["batch"] >= steps
        if full:
            state["completed"] = epoch + 1
        save_array(job.recon_path(epoch + 1), np.asarray(rec)[..., 0])
        hist = rep.status.setdefault("history", {})
        for k, v in logs.items():
            hist.setdefault(k, []).append(float(v))
        snaps = rep.status.setdefault("snapshots", [])
        snaps.append(epoch + 1)
        rep.update(epoch=state["completed"], epochs_seen=epoch + 1, batch=0 if full else state["batch"],
                   progress=min((epoch + 1) / epochs, 1.0) if full else rep.status.get("progress", 0.0),
                   message=f"Epoch {epoch + 1}/{epochs} done" if full else f"Stopped during epoch {epoch + 1}")

    return [Progress(), stop, EpochSnapshots(samples_in, on_snapshot)], stop, state


def run_job(job: Job) -> int:
    """Worker body: load data, train with live progress, save the model; returns the process exit code."""
    req = read_json(job.request_path)
    rep = _Reporter(job)
    t_start = now()
    rep.update(state="loading", message="Loading TensorFlow and the training digits...")
    import keras  # noqa: F401 - heavy import, after the first status update

    from ae_core.data.noise import add_noise
    from ae_core.models.files import save_model
    from ae_core.models.onnx_export import export_model
    from ae_core.training.config import TrainConfig, validate_config
    from ae_core.training.evaluation import evaluate_model
    from ae_core.training.fit import train
    from ae_core.training.records import training_record

    raw = dict(req["config"])
    raw["hidden"], raw["filters"] = tuple(raw.get("hidden", (64, 32))), tuple(raw.get("filters", (32, 32, 8)))
    cfg = validate_config(TrainConfig(**raw))
    x_train, x_val, y_val, info = load_training_data(req.get("data_source", "auto"))
    wanted = cfg.train_size or len(x_train)
    x_train = x_train[:wanted]
    cfg.train_size = len(x_train)
    note = info.note
    if wanted > len(x_train):
        note = (note + " " if note else "") + f"Asked for {wanted:,} training digits; {len(x_train):,} are available."
    samples = pick_samples(x_val, y_val)[..., 0]
    save_array(job.dir / "inputs.npy", samples)
    samples_in = samples[..., None]
    if cfg.kind == "denoising":
        samples_in = add_noise(samples_in, "gaussian", cfg.noise_factor, seed=1234)
        save_array(job.dir / "noisy.npy", samples_in[..., 0])
    steps = math.ceil(len(x_train) / cfg.batch_size)
    data = {**info.__dict__, "note": note, "train_images": len(x_train), "val_images": len(x_val)}
    rep.update(state="running", data=data, batches=steps, config=cfg.to_dict(),
               message=f"Epoch 1/{cfg.epochs}: starting")
    if job.stop_path.exists():
        return _final(rep, "stopped", "Stopped before training began; nothing was saved.", t_start)

    callbacks, stop, state = _callbacks(job, rep, samples_in, steps, cfg.epochs)
    result = train(cfg, x_train, x_val, callbacks=callbacks)
    completed = state["completed"]
    if stop.stopped and completed == 0:
        return _final(rep, "stopped", "Stopped during the first epoch: nothing was saved "
                      "(a model is kept once at least one epoch has finished).", t_start)

    rep.update(state="saving", message="Measuring the model on the validation digits and saving it...")
    metrics = evaluate_model(result.model, cfg.kind, x_val)
    name = req["name"]
    models_dir = Path(req.get("models_dir") or (user_data_dir() / "models"))
    path = models_dir / f"{name}.keras"
    for i in range(2, 1000):  # never replace a model that is already there (say, an upload of that name)
        if not path.exists() and not path.with_suffix(".json").exists():
            break
        name = f"{req['name']}-{i}"
        path = models_dir / f"{name}.keras"
    info_out = training_record(
        result.model, cfg, result, name=name, epochs_run=completed, test_metrics=metrics,
        dataset={"name": "mnist", "source": info.source, "train_images": len(x_train),
                 "validation_images": len(x_val), "note": note},
        label=req.get("label") or name, source="trained", epochs_requested=cfg.epochs,
        stopped_early=bool(stop.stopped), test_metrics_on=f"the {len(x_val):,} validation digits", job_id=job.id)
    save_model(result.model, path, info_out)
    rep.update(message="Exporting the model for the app (ONNX)...")
    export_model(result.model, path)  # the app server answers with these files; it has no TensorFlow
    rep.update(model_path=str(path), model_name=name, test_metrics=metrics, wall_time_s=result.wall_time_s,
               epochs_run=completed)
    if stop.stopped:
        seen = int(rep.status.get("epochs_seen") or completed)
        part = f"during epoch {seen}" if seen > completed else f"after epoch {completed}"
        return _final(rep, "stopped", f"Stopped {part} of {cfg.epochs}; the model so far ({completed} full "
                      f"epoch{'s' if completed != 1 else ''}) was saved as {name}.", t_start)
    return _final(rep, "done", f"Finished {completed} epochs; saved as {name}.", t_start)


def _final(rep: _Reporter, state: str, message: str, t_start: float) -> int:
    rep.update(state=state, message=message, finished=now(), total_time_s=round(now() - t_start, 1))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m ae_core.training.jobs.worker JOB_DIR [--lock-fd N]`: run one training job (nice 10, holding the lock)."""
    ap = argparse.ArgumentParser(prog="python -m ae_core.training.jobs.worker")
    ap.add_argument("job_dir")
    ap.add_argument("--lock-fd", type=int, default=None, help="an inherited fd that already holds the lock")
    args = ap.parse_args(argv)
    try:
        os.nice(NICE)  # the web server stays responsive while we crunch
    except OSError:
        pass
    job_dir = Path(args.job_dir).resolve()
    job = Job(job_dir.name, job_dir)
    fd = args.lock_fd
    if fd is None:
        fd = try_lock(job_dir.parent.parent / "training.lock")
        if fd is None:
            _Reporter(job).update(state="failed", finished=now(),
                                  message="A training is already running; only one can run at a time.")
            return 3
    os.set_inheritable(fd, False)  # the lock stays with this process only
    try:
        return run_job(job)
    except BaseException as e:  # noqa: BLE001 - report every failure on the page, details in worker.log
        traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0][:300]
        msg = f"{type(e).__name__}: {first}" if first else type(e).__name__
        try:
            rep = _Reporter(job)
            rep.update(state="failed", message=msg, finished=now())
        except Exception:  # noqa: BLE001
            pass
        return 1
    finally:
        os.close(fd)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())

"""The worker process: `python -m ae_core.training.jobs.worker JOB_DIR` trains one job, reporting into its folder."""
from __future__ import annotations

import argparse
import math
import os
import traceback
from pathlib import Path

import numpy as np

from ae_core.files import read_json, save_array, write_json
from ae_core.models.user_library import reserve_name
from ae_core.paths import user_data_dir
from ae_core.training.backup import read_backup, remove_backup
from ae_core.training.data_source import load_training_data, pick_samples
from ae_core.training.jobs.lock import try_lock
from ae_core.training.jobs.status import ErrorCode, Stage, State, TrainingStatus, progress_of
from ae_core.training.jobs.store import Job, now

STATUS_EVERY_S = 0.25  # how often the worker rewrites status.json during an epoch
NICE = 10
MAP_GRID = 8  # a 2-d model's per-epoch manifold: MAP_GRID x MAP_GRID decoded digits
MAP_EXTENT = 2.5  # ... over [-MAP_EXTENT, MAP_EXTENT]^2, where a VAE's prior puts nearly all codes


class _Reporter:
    """Worker side: keeps status.json current."""

    def __init__(self, job: Job):
        self.job = job
        self.status = TrainingStatus.from_dict(read_json(job.status_path))
        self.status.job_id = self.status.job_id or job.id
        self._last = 0.0

    def update(self, force: bool = True, **facts) -> None:
        for name, value in facts.items():
            setattr(self.status, name, value)
        self.status.pid, self.status.updated = os.getpid(), now()
        if force or now() - self._last >= STATUS_EVERY_S:
            write_json(self.job.status_path, self.status.to_dict())
            self._last = now()


def _callbacks(job: Job, rep: _Reporter, samples_in: np.ndarray, steps: int, epochs: int, *, completed: int = 0,
               map_images: np.ndarray | None = None):
    """(progress, stop, snapshots) callbacks, the StopFlag and their shared state; `completed`: epochs restored.

    With `map_images` each finished epoch also writes their 2-d codes and a small manifold (the live map).
    """
    import keras

    from ae_core.training.fit import EpochSnapshots, StopFlag, latent_snapshot

    stop = StopFlag(job.stop_path.exists)
    state = {"batch": 0, "completed": completed}

    class Progress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            state["batch"] = 0

        def on_train_batch_end(self, batch, logs=None):
            state["batch"] = min(batch + 1, steps)  # with steps_per_execution the last call may overshoot
            rep.update(force=False, state=State.RUNNING.value, stage=Stage.TRAINING.value, batch=state["batch"],
                       progress=progress_of(state["completed"], state["batch"], steps, epochs))

    def on_snapshot(epoch: int, logs: dict, rec: np.ndarray) -> None:
        # Keras ends a stopped epoch with on_epoch_end too; that partial epoch is not counted or charted.
        if stop.stopped and state["batch"] < steps:
            rep.update(stopped_in_epoch=epoch + 1)
            return
        state["completed"] = epoch + 1
        save_array(job.recon_path(epoch + 1), np.asarray(rec)[..., 0])
        if map_images is not None:
            codes, tiles = latent_snapshot(snapshots.model, map_images, MAP_GRID, MAP_EXTENT)
            save_array(job.codes_path(epoch + 1), codes)
            save_array(job.manifold_path(epoch + 1), tiles)
        for k, v in logs.items():
            rep.status.history.setdefault(k, []).append(float(v))
        rep.status.snapshots.append(epoch + 1)
        rep.update(epoch=state["completed"], batch=0, progress=progress_of(state["completed"], 0, steps, epochs))

    snapshots = EpochSnapshots(samples_in, on_snapshot)
    return [Progress(), stop, snapshots], stop, state


def _map_sample(job: Job, cfg, rep: _Reporter) -> np.ndarray | None:
    """For a model with a 2-d code: the shipped test sample it maps each epoch (labels saved); else None."""
    if cfg.kind != "vae" or cfg.latent_dim != 2:
        return None
    from ae_core.data.catalog import dataset_spec
    from ae_core.data.datasets import DatasetNotFoundError, load_sample, to_float_images
    try:
        x, y = load_sample(dataset_spec(cfg.dataset).loader_name)
    except (DatasetNotFoundError, ValueError) as e:
        print(f"no latent map: {e}", flush=True)  # the training itself goes on
        return None
    save_array(job.map_labels_path, y)
    rep.update(latent_map={"grid": MAP_GRID, "extent": MAP_EXTENT, "points": int(len(y)), "dataset": cfg.dataset})
    return to_float_images(x)


def _prepare(job: Job, req: dict, rep: _Reporter):
    """Load the data and the sample digits; (config, x_train, x_val, data info dict, samples fed to the model)."""
    from ae_core.data.noise import add_noise
    from ae_core.training.config import TrainConfig, validate_config

    raw = dict(req["config"])
    raw["hidden"], raw["filters"] = tuple(raw.get("hidden", (64, 32))), tuple(raw.get("filters", (32, 32, 8)))
    cfg = validate_config(TrainConfig(**raw))
    rep.update(stage=Stage.LOADING_DATA.value)
    x_train, x_val, y_val, info = load_training_data(req.get("data_source", "auto"), cfg.dataset)
    wanted = cfg.train_size or len(x_train)
    x_train = x_train[:wanted]
    cfg.train_size = len(x_train)
    data = {**info.__dict__, "train_images": len(x_train), "val_images": len(x_val), "train_requested": wanted}
    samples = pick_samples(x_val, y_val)[..., 0]
    save_array(job.dir / "inputs.npy", samples)
    samples_in = samples[..., None]
    if cfg.kind == "denoising":
        samples_in = add_noise(samples_in, "gaussian", cfg.noise_factor, seed=1234)
        save_array(job.dir / "noisy.npy", samples_in[..., 0])
    return cfg, x_train, x_val, data, samples_in


def _free_path(models_dir: Path, name: str) -> tuple[str, Path]:
    """`name` or `name-2`, `name-3` ..., claimed: never replace a model that is there or being saved (an upload)."""
    name = reserve_name(name, models_dir)
    return name, models_dir / f"{name}.keras"


def run_job(job: Job) -> int:
    """Worker body: load data, train with live progress, save the model; returns the process exit code."""
    req = read_json(job.request_path)
    rep = _Reporter(job)
    t_start = now()
    rep.update(state=State.LOADING.value, stage=Stage.LOADING_DATA.value)
    import keras  # noqa: F401 - heavy import, after the first status update

    from ae_core.models.files import save_model
    from ae_core.models.onnx_export import export_model
    from ae_core.training.evaluation import evaluate_model
    from ae_core.training.fit import train
    from ae_core.training.records import training_record

    cfg, x_train, x_val, data, samples_in = _prepare(job, req, rep)
    steps = math.ceil(len(x_train) / cfg.batch_size)
    rep.update(state=State.RUNNING.value, stage=Stage.TRAINING.value, data=data, batches=steps,
               epochs=cfg.epochs, config=cfg.to_dict())
    if job.stop_path.exists():
        return _final(rep, State.STOPPED, t_start, stopped_in_epoch=None)

    restored = _restore(rep, job, steps, cfg.epochs)
    callbacks, stop, state = _callbacks(job, rep, samples_in, steps, cfg.epochs, completed=restored,
                                        map_images=_map_sample(job, cfg, rep))
    result = train(cfg, x_train, x_val, callbacks=callbacks, backup_dir=job.backup_dir)
    completed = state["completed"]
    result.history = {k: v[:completed] for k, v in result.history.items()}  # only full epochs are the model's
    result.epochs_run = completed
    if stop.stopped and completed == 0:
        remove_backup(job.backup_dir)
        return _final(rep, State.STOPPED, t_start)

    rep.update(state=State.SAVING.value, stage=Stage.EVALUATING.value)
    metrics = evaluate_model(result.model, cfg.kind, x_val, dataset=cfg.dataset)
    name, path = _free_path(Path(req.get("models_dir") or (user_data_dir() / "models")), req["name"])
    dataset = {"name": cfg.dataset, "source": data["source"], "train_images": len(x_train),
               "validation_images": len(x_val), "train_requested": data["train_requested"], "note": data.get("note")}
    info_out = training_record(
        result.model, cfg, result, name=name, epochs_run=completed, test_metrics=metrics, dataset=dataset,
        label=req.get("label") or name, source="trained", epochs_requested=cfg.epochs,
        stopped_early=bool(stop.stopped), test_metrics_on=f"the {len(x_val):,} validation digits", job_id=job.id,
        **({"resumed_at": rep.status.resumed_at} if rep.status.resumed_at else {}))
    save_model(result.model, path, info_out)
    rep.update(stage=Stage.EXPORTING.value)
    export_model(result.model, path)  # the app server answers with these files; it has no TensorFlow
    rep.update(model_path=str(path), model_name=name, test_metrics=metrics, wall_time_s=result.wall_time_s)
    remove_backup(job.backup_dir)  # only now: a kill while saving still resumes from the backup
    return _final(rep, State.STOPPED if stop.stopped else State.DONE, t_start)


def _restore(rep: _Reporter, job: Job, steps: int, epochs: int) -> int:
    """Epochs a resumed job restores from its backup (0 for a fresh one); its live records are cut to them."""
    saved = read_backup(job.backup_dir)
    if saved is None:
        remove_backup(job.backup_dir)  # a backup with no finished epoch holds nothing to keep
        return 0
    s = rep.status
    s.history = {k: v[:saved.epoch] for k, v in saved.history.items()}  # the backup's history is the model's
    s.snapshots = [e for e in s.snapshots if e <= saved.epoch]
    rep.update(epoch=saved.epoch, batch=0, progress=progress_of(saved.epoch, 0, steps, epochs),
               resumed_at=[*s.resumed_at, saved.epoch], stopped_in_epoch=None)
    print(f"resuming from epoch {saved.epoch} of {epochs}", flush=True)
    return saved.epoch


def _final(rep: _Reporter, state: State, t_start: float, **facts) -> int:
    rep.update(state=state.value, finished=now(), total_time_s=round(now() - t_start, 1), **facts)
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
            _Reporter(job).update(state=State.FAILED.value, error=ErrorCode.BUSY.value, finished=now())
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
            rep.update(state=State.FAILED.value, error=ErrorCode.EXCEPTION.value, detail=msg, finished=now())
        except Exception:  # noqa: BLE001
            pass
        return 1
    finally:
        os.close(fd)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())

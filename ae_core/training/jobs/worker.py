"""Background training: one worker process at a time, with live progress in a job folder.

The server side is `TrainingManager` (no TensorFlow needed); the worker side is `python -m ae_core.training.jobs.worker JOB_DIR`.

Job folder (under `<user data dir>/jobs/<job id>/`):
    request.json    what to train (config, data source, where to save)    -- written by the manager
    status.json     the live state, rewritten atomically by the worker     -- see `TrainingManager.status`
    pid             the worker's process id                               -- written by the manager
    stop            present = stop at the next batch                       -- created by `TrainingManager.stop`
    inputs.npy      the fixed sample digits (N,28,28) the page shows
    noisy.npy       their noisy versions (denoising only: what the model sees)
    recon_001.npy   the model's reconstructions of the samples after epoch 1, 2, ...
    worker.log      the worker's stdout/stderr

One training at a time across the whole machine: the worker holds an exclusive `fcntl.flock` on
`<user data dir>/training.lock` for its whole life. The manager takes the lock first (so a second start
is refused at once) and hands the very same open file to the child (`pass_fds`), then closes its copy:
no window in which another start could slip in, and the kernel drops the lock when the worker exits,
however it exits (SIGKILL included).
"""
from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.paths import REPO_ROOT, SAMPLES_DIR, user_data_dir
from ae_core.serving.tf_settings import worker_environment

ACTIVE_STATES = ("starting", "loading", "running", "saving")
FINAL_STATES = ("done", "stopped", "failed")
N_SAMPLES = 10  # fixed validation digits shown per epoch (one of each class)
SAMPLE_VAL_SIZE = 500  # the shipped sample keeps its last 500 digits for validation
KEEP_JOBS = 12  # job folders kept; older finished ones are removed when a new training starts
STATUS_EVERY_S = 0.25  # how often the worker rewrites status.json during an epoch
START_GRACE_S = 90.0  # a job still "starting" without a pid file counts as alive this long
NICE = 10


class TrainingBusy(RuntimeError):
    """Refused: another training is running. `job` is that training (None if it can't be identified)."""

    def __init__(self, message: str, job: Job | None = None):
        super().__init__(message)
        self.job = job


# ------------------------------------------------------------------------------------- small file helpers
def _now() -> float:
    return time.time()


def _hhmm(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%H:%M") if ts else "?"


def write_json(path: Path, data: dict) -> None:
    """Atomically replace `path` with `data` as JSON (temp file + rename; readers never see half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=_jsonable))
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    """The JSON in `path`, or {} when missing or unreadable."""
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _jsonable(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def save_array(path: Path, array: np.ndarray) -> None:
    """Atomically write a .npy file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, np.asarray(array, dtype="float32"))
    os.replace(tmp, path)


def lock_path() -> Path:
    """The lock file every training holds."""
    return user_data_dir() / "training.lock"


def jobs_dir() -> Path:
    """Folder of the job folders."""
    return user_data_dir() / "jobs"


def try_lock(path: Path | None = None) -> int | None:
    """Open and exclusively flock `path` without waiting; the fd if we got it, else None."""
    path = path or lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def lock_is_free(path: Path | None = None) -> bool:
    """Whether no process holds the training lock right now (briefly takes and drops it)."""
    fd = try_lock(path)
    if fd is None:
        return False
    os.close(fd)
    return True


def _pid_alive(pid: int, job_id: str | None = None) -> bool:
    """Whether `pid` is a live (non-zombie) process, and, where /proc tells, the worker of `job_id`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    try:
        stat = (proc / "stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return False
        if job_id:
            return job_id in (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except (OSError, IndexError):
        pass
    return True


# ------------------------------------------------------------------------------------------ data sources
@dataclass(frozen=True)
class DataInfo:
    """Which digits a training will use, found without loading them."""

    source: str  # "mnist" (the full set) or "sample" (the 3,000 digits shipped with the app)
    path: str | None
    train_available: int
    val_size: int
    note: str  # one sentence for the page ("" for the full set)


def _sample_info(reason: str) -> DataInfo:
    n = 3000
    try:
        with np.load(SAMPLES_DIR / "mnist_sample.npz", allow_pickle=False) as npz:
            n = int(npz["y"].shape[0])
    except Exception:  # noqa: BLE001 - the worker reports a missing sample clearly
        pass
    n_train = max(n - SAMPLE_VAL_SIZE, 0)
    return DataInfo("sample", None, n_train, min(SAMPLE_VAL_SIZE, n),
                    f"{reason}Training uses the small sample shipped with the app: {n_train:,} digits to "
                    f"learn from and {min(SAMPLE_VAL_SIZE, n):,} to validate on (full MNIST has 60,000), "
                    "so models come out rougher than the shipped ones.")


def describe_data(data_source: str = "auto") -> DataInfo:
    """What `data_source` ("auto", "sample" or a path to MNIST) resolves to; cheap (checks files only).

    "auto" is the full MNIST from $AE_LAB_MNIST or the Keras cache (~/.keras/datasets/mnist.npz), never a
    download (the app works offline), else the shipped sample.
    """
    from ae_core.data.datasets import MNIST_ENV, keras_datasets_dir
    if data_source == "sample":
        return _sample_info("")
    if data_source not in ("auto", ""):
        return DataInfo("mnist", str(data_source), 60000, 10000, "")
    env = os.environ.get(MNIST_ENV, "").strip()
    if env:
        if Path(env).expanduser().exists():
            return DataInfo("mnist", env, 60000, 10000, "")
        return _sample_info(f"{MNIST_ENV} points to {env}, which does not exist. ")
    cache = keras_datasets_dir() / "mnist.npz"
    if cache.is_file():
        return DataInfo("mnist", str(cache), 60000, 10000, "")
    return _sample_info(f"Full MNIST was not found (set {MNIST_ENV} to mnist.npz to use it). ")


def load_training_data(data_source: str = "auto"):
    """(x_train, x_val, y_val, DataInfo) as float32 (N,28,28,1); falls back to the sample if MNIST fails."""
    from ae_core.data.datasets import DatasetNotFoundError, load_mnist, load_sample, to_float_images
    info = describe_data(data_source)
    if info.source == "mnist":
        try:
            (xtr, _), (xte, yte) = load_mnist(info.path)
            return to_float_images(xtr), to_float_images(xte), yte, info
        except DatasetNotFoundError as e:
            if data_source not in ("auto", ""):
                raise
            info = _sample_info(f"Full MNIST could not be read ({str(e).splitlines()[0][:160]}). ")
    x, y = load_sample("mnist")
    x = to_float_images(x)
    cut = len(x) - min(SAMPLE_VAL_SIZE, len(x) // 6)
    return x[:cut], x[cut:], y[cut:], info


def pick_samples(x_val: np.ndarray, y_val: np.ndarray, n: int = N_SAMPLES) -> np.ndarray:
    """The first validation digit of each class 0..n-1 (fixed, so epochs compare like for like)."""
    idx = []
    for d in range(n):
        hits = np.flatnonzero(np.asarray(y_val) == d % 10)
        idx.append(int(hits[0]) if hits.size else d)
    return x_val[np.asarray(idx) % len(x_val)]


# ---------------------------------------------------------------------------------------------- the job
@dataclass(frozen=True)
class Job:
    """A training job: its id and folder."""

    id: str
    dir: Path

    @property
    def status_path(self) -> Path:
        return self.dir / "status.json"

    @property
    def request_path(self) -> Path:
        return self.dir / "request.json"

    @property
    def stop_path(self) -> Path:
        return self.dir / "stop"

    @property
    def pid_path(self) -> Path:
        return self.dir / "pid"

    @property
    def log_path(self) -> Path:
        return self.dir / "worker.log"

    def recon_path(self, epoch: int) -> Path:
        """Reconstructions after `epoch` (1-based)."""
        return self.dir / f"recon_{epoch:03d}.npy"

    def pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None


def _log_tail(path: Path, n: int = 1) -> str:
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])[-300:]


class TrainingManager:
    """Starts, watches and stops background trainings; safe to share across sessions and threads.

    Everything lives in files under the user data dir (resolved on each call, so $AE_LAB_HOME changes are
    honoured), so any server process, or a reloaded page, can find and watch the running job.
    """

    def __init__(self, python: str | None = None):
        self.python = python or sys.executable
        self._lock = threading.Lock()
        self._procs: dict[str, subprocess.Popen] = {}

    # ---- paths
    def job(self, job_id: str | Job) -> Job:
        """The Job for an id (or the Job itself)."""
        if isinstance(job_id, Job):
            return job_id
        if not job_id or any(c not in "0123456789abcdefghijklmnopqrstuvwxyz-" for c in str(job_id)):
            raise ValueError(f"not a job id: {job_id!r}")
        return Job(str(job_id), jobs_dir() / str(job_id))

    def _pointer(self) -> Path:
        return user_data_dir() / "current_job.json"

    # ---- starting
    def start(self, config, data_source: str = "auto", *, owner: str = "", label: str | None = None) -> Job:
        """Validate `config` (ConfigError if wrong) and start a worker; TrainingBusy if one is running."""
        from ae_core.training.fit import validate_config  # imports TF; fine in the server, which has it anyway
        cfg = validate_config(config)
        info = describe_data(data_source)
        with self._lock:
            fd = try_lock()
            if fd is None:
                raise self._busy(owner)
            try:
                self._cleanup_old_jobs()
                job = self._new_job()
                job.dir.mkdir(parents=True)
                now = _now()
                name = f"{cfg.kind}-{dt.datetime.fromtimestamp(now).strftime('%Y%m%d-%H%M%S')}"
                request = {
                    "job_id": job.id, "owner": owner, "created": now, "config": cfg.to_dict(),
                    "data_source": data_source, "models_dir": str(user_data_dir() / "models"), "name": name,
                    "label": label or _default_label(cfg, now),
                }
                write_json(job.request_path, request)
                write_json(job.status_path, {
                    "job_id": job.id, "state": "starting", "message": "Starting the training worker...",
                    "owner": owner, "kind": cfg.kind, "config": cfg.to_dict(), "name": name,
                    "label": request["label"], "started": now, "updated": now, "epoch": 0,
                    "epochs": cfg.epochs, "batch": 0, "batches": 0, "progress": 0.0, "history": {},
                    "snapshots": [], "data": info.__dict__,
                })
                write_json(self._pointer(), {"job_id": job.id, "owner": owner, "started": now})
                env = {**worker_environment(dict(os.environ)), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1",
                       "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH"))
                                                     if p)}
                with open(job.log_path, "ab") as log:
                    proc = subprocess.Popen(
                        [self.python, "-m", "ae_core.training.jobs.worker", str(job.dir), "--lock-fd", str(fd)],
                        cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                        pass_fds=(fd,), start_new_session=True,  # survives a server restart; re-attachable
                    )
                self._procs[job.id] = proc
                threading.Thread(target=proc.wait, name=f"reap-{job.id}", daemon=True).start()  # no zombies
                write_json_text(job.pid_path, str(proc.pid))
            except BaseException as e:
                if "job" in locals() and job.status_path.exists():
                    self._finish(job, "failed", f"the worker could not be started: {e}")
                raise
            finally:
                os.close(fd)  # the child holds the same open file, hence the lock, from here on
        return job

    def _new_job(self) -> Job:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.job(f"{stamp}-{uuid.uuid4().hex[:6]}")

    def _busy(self, owner: str) -> TrainingBusy:
        job = self.current()
        if job is None and (last := self.latest()) is not None:
            finished = read_json(last.status_path).get("finished") or 0
            if _now() - float(finished) < 30:
                return TrainingBusy("The previous training is just finishing; try again in a moment.", last)
        if job is None:
            return TrainingBusy("A training is already running (started outside this app); wait for it to "
                                "finish, then try again.")
        s = self.status(job)
        who = "by you" if owner and s.get("owner") == owner else "by another session"
        n = s.get("epochs", "?")
        k = min(int(s.get("epoch") or 0) + 1, int(n)) if isinstance(n, int) else "?"
        where = {"running": f"epoch {k}/{n}", "saving": f"epoch {s.get('epoch', k)}/{n}, saving the model"}.get(
            s.get("state"), f"epoch 0/{n}, starting up")
        return TrainingBusy(f"A training is already running (started {who} at {_hhmm(s.get('started'))}, {where}); "
                            "only one can run at a time. Wait for it to finish, or watch it here.", job)

    def _cleanup_old_jobs(self) -> None:
        root = jobs_dir()
        if not root.is_dir():
            return
        folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
        for old in folders[:-KEEP_JOBS]:
            if read_json(old / "status.json").get("state") not in ACTIVE_STATES:
                shutil.rmtree(old, ignore_errors=True)
                self._procs.pop(old.name, None)
        models = user_data_dir() / "models"
        if models.is_dir():  # temp files left by a worker killed while saving (nothing else writes them)
            for tmp in models.glob(".*"):
                if tmp.is_file() and _now() - tmp.stat().st_mtime > 60:
                    tmp.unlink(missing_ok=True)

    # ---- watching
    def _alive(self, job: Job, status: dict) -> bool:
        proc = self._procs.get(job.id)
        if proc is not None:
            return proc.poll() is None
        pid = job.pid() or status.get("pid")
        if pid is None:
            return _now() - float(status.get("started") or 0) < START_GRACE_S
        return _pid_alive(int(pid), job.id)

    def status(self, job: str | Job) -> dict:
        """The job's state as a dict (see the module docstring); a vanished worker is reported as failed.

        Keys: state (starting|loading|running|saving|done|stopped|failed), message, epoch (completed
        epochs), epochs, batch, batches, progress (0..1 over the whole run), history ({loss: [...],
        val_loss: [...], ...}), snapshots (epochs with reconstructions), started, finished, model_path,
        model_name, test_metrics, data (source, note ...), owner, label, config, stop_requested.
        """
        job = self.job(job)
        s = read_json(job.status_path)
        if not s:
            return {"job_id": job.id, "state": "failed", "message": "this training's records are gone"}
        if s.get("state") in ACTIVE_STATES and not self._alive(job, s):
            s = read_json(job.status_path)  # it may have finished between the two reads
            if s.get("state") in ACTIVE_STATES:
                proc = self._procs.get(job.id)
                code = proc.returncode if proc is not None else None
                tail = _log_tail(job.log_path)
                detail = f" (exit code {code})" if code not in (None, 0) else ""
                if code is not None and code < 0:
                    detail = f" (killed by signal {-code})"
                msg = (f"worker died{detail}: the training process ended before finishing. "
                       "Models saved earlier are untouched.")
                if tail and code not in (None,) and code > 0:
                    msg += f" Last log line: {tail}"
                s = self._finish(job, "failed", msg)
        s["stop_requested"] = job.stop_path.exists()
        return s

    def _finish(self, job: Job, state: str, message: str) -> dict:
        s = read_json(job.status_path)
        s.update(state=state, message=message, finished=_now(), updated=_now())
        write_json(job.status_path, s)
        return s

    def current(self) -> Job | None:
        """The running job, whoever started it (None when nothing runs)."""
        pointer = read_json(self._pointer())
        if pointer.get("job_id"):
            try:
                job = self.job(pointer["job_id"])
            except ValueError:
                return None
            if self.status(job).get("state") in ACTIVE_STATES:
                return job
        return None

    def latest(self) -> Job | None:
        """The most recently started job (running or not)."""
        pointer = read_json(self._pointer())
        try:
            job = self.job(pointer["job_id"]) if pointer.get("job_id") else None
        except ValueError:
            return None
        return job if job is not None and job.dir.is_dir() else None

    def stop(self, job: str | Job) -> None:
        """Ask the worker to stop at the next batch (it keeps the model if an epoch completed)."""
        job = self.job(job)
        if job.dir.is_dir():
            job.stop_path.touch()

    def wait(self, job: str | Job, timeout: float = 600, poll: float = 0.2) -> dict:
        """Block until the job has finished (or `timeout` seconds); its last status."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.status(job)
            if s.get("state") in FINAL_STATES or time.monotonic() > deadline:
                return s
            time.sleep(poll)

    def samples(self, job: str | Job) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(clean sample digits, noisy inputs for a denoising job or None); None before they exist."""
        job = self.job(job)
        return _load_npy(job.dir / "inputs.npy"), _load_npy(job.dir / "noisy.npy")

    def reconstructions(self, job: str | Job, epoch: int) -> np.ndarray | None:
        """The samples' reconstructions after `epoch` (1-based), or None."""
        return _load_npy(self.job(job).recon_path(epoch))

    def kill(self, job: str | Job) -> None:
        """SIGKILL the worker (tests and emergencies only; the page uses stop())."""
        job = self.job(job)
        pid = job.pid()
        if pid and _pid_alive(pid, job.id):
            os.kill(pid, signal.SIGKILL)


def write_json_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _load_npy(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None


KIND_LABELS = {"dense": "Dense AE", "conv": "Conv AE", "denoising": "Denoising AE", "vae": "VAE"}


def _default_label(cfg, ts: float) -> str:
    detail = {"dense": f"code {cfg.code_size}", "vae": f"{cfg.latent_dim}-d code",
              "denoising": f"noise {cfg.noise_factor:g}"}.get(cfg.kind, "4x4x8 code" if tuple(cfg.filters)[-1] == 8
                                                              else f"4x4x{tuple(cfg.filters)[-1]} code")
    return f"Your {KIND_LABELS.get(cfg.kind, cfg.kind)} ({detail}, {_hhmm(ts)})"


# ------------------------------------------------------------------------------------- the worker process
class _Reporter:
    """Worker side: keeps status.json current."""

    def __init__(self, job: Job):
        self.job = job
        self.status = read_json(job.status_path)
        self._last = 0.0

    def update(self, force: bool = True, **fields) -> None:
        self.status.update(fields, pid=os.getpid(), updated=_now())
        if force or _now() - self._last >= STATUS_EVERY_S:
            write_json(self.job.status_path, self.status)
            self._last = _now()


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
    t_start = _now()
    rep.update(state="loading", message="Loading TensorFlow and the training digits...")
    import keras  # noqa: F401 - heavy import, after the first status update

    from ae_core.training.evaluation import EVAL_NOISE, ELBO_NOTE, evaluate_model
    from ae_core.models.builders import code_size
    from ae_core.data.noise import add_noise
    from ae_core.models.files import save_model
    from ae_core.training.fit import TrainConfig, train, validate_config

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
    info_out = {
        "kind": cfg.kind, "name": name, "label": req.get("label") or name, "source": "trained",
        "dataset": {"name": "mnist", "source": info.source, "train_images": len(x_train),
                    "validation_images": len(x_val), "note": note},
        "config": cfg.to_dict(), "epochs_run": completed, "epochs_requested": cfg.epochs,
        "stopped_early": bool(stop.stopped), "wall_time_s": round(result.wall_time_s, 1),
        "history": result.history, "params": int(result.model.count_params()),
        "code_size": code_size(result.model), "test_metrics": metrics,
        "test_metrics_on": f"the {len(x_val):,} validation digits",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "job_id": job.id,
    }
    if cfg.kind == "denoising":
        info_out["eval_noise"] = EVAL_NOISE
    if cfg.kind == "vae":
        info_out["elbo_note"] = ELBO_NOTE
    save_model(result.model, path, info_out)
    rep.update(model_path=str(path), model_name=name, test_metrics=metrics, wall_time_s=result.wall_time_s,
               epochs_run=completed)
    if stop.stopped:
        seen = int(rep.status.get("epochs_seen") or completed)
        part = f"during epoch {seen}" if seen > completed else f"after epoch {completed}"
        return _final(rep, "stopped", f"Stopped {part} of {cfg.epochs}; the model so far ({completed} full "
                      f"epoch{'s' if completed != 1 else ''}) was saved as {name}.", t_start)
    return _final(rep, "done", f"Finished {completed} epochs; saved as {name}.", t_start)


def _final(rep: _Reporter, state: str, message: str, t_start: float) -> int:
    rep.update(state=state, message=message, finished=_now(), total_time_s=round(_now() - t_start, 1))
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
            _Reporter(job).update(state="failed", finished=_now(),
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
            rep.update(state="failed", message=msg, finished=_now())
        except Exception:  # noqa: BLE001
            pass
        return 1
    finally:
        os.close(fd)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())

"""Starting, watching and stopping background trainings from the app server (no TensorFlow here)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from ae_core.files import load_array, read_json, write_json, atomic_write_bytes
from ae_core.models.user_library import unclaimed_reservations
from ae_core.paths import REPO_ROOT, user_data_dir
from ae_core.training.backup import backup_epoch, remove_backup
from ae_core.training.config import validate_config
from ae_core.training.data_source import describe_data
from ae_core.training.jobs.lock import lock_is_free, pid_alive, try_lock
from ae_core.training.jobs.status import ACTIVE_STATES, ErrorCode, Stage, State, TrainingStatus
from ae_core.training.jobs.store import Job, hhmm, jobs_dir, log_tail, now

KEEP_JOBS = 12  # job folders kept; older finished ones are removed when a new training starts
RESERVATION_TTL_S = 3600.0  # a model name claimed this long ago and still without its file was abandoned
START_GRACE_S = 90.0  # a job still "starting" without a pid file counts as alive this long


class TrainingBusy(RuntimeError):
    """Refused: another training is running.

    Facts: `job` is that training (None if it can't be identified), `status` its TrainingStatus, `reason`
    "running", "finishing" (the previous one just ended) or "unknown" (the lock is held outside this app),
    `by_you` whether the asking owner started it.
    """

    def __init__(self, message: str, job: Job | None = None, *, status: TrainingStatus | None = None,
                 reason: str = "running", by_you: bool = False):
        super().__init__(message)
        self.job, self.status, self.reason, self.by_you = job, status, reason, by_you



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
        cfg = validate_config(config)
        info = describe_data(data_source, cfg.dataset)
        with self._lock:
            fd = try_lock()
            if fd is None:
                raise self._busy(owner)
            try:
                self._cleanup_old_jobs()
                job = self._new_job()
                job.dir.mkdir(parents=True)
                started = now()
                name = f"{cfg.kind}-{dt.datetime.fromtimestamp(started).strftime('%Y%m%d-%H%M%S')}"
                request = {
                    "job_id": job.id, "owner": owner, "created": started, "config": cfg.to_dict(),
                    "data_source": data_source, "models_dir": str(user_data_dir() / "models"), "name": name,
                    "label": label or _default_label(cfg, started),
                }
                write_json(job.request_path, request)
                write_json(job.status_path, TrainingStatus(
                    job_id=job.id, state=State.STARTING.value, owner=owner, kind=cfg.kind, config=cfg.to_dict(),
                    name=name, label=request["label"], started=started, updated=started, epochs=cfg.epochs,
                    data=dict(info.__dict__), host=socket.gethostname()).to_dict())
                self._launch(job, fd, owner, started)
            except BaseException as e:
                if "job" in locals() and job.status_path.exists():
                    self._finish(job, ErrorCode.START_FAILED, f"{type(e).__name__}: {e}"[:300])
                raise
            finally:
                os.close(fd)  # the child holds the same open file, hence the lock, from here on
        return job

    def _launch(self, job: Job, fd: int, owner: str, started: float) -> None:
        """Point at `job` and start its worker, handing it the locked `fd`."""
        write_json(self._pointer(), {"job_id": job.id, "owner": owner, "started": started})
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)}
        job.pid_path.unlink(missing_ok=True)  # a resumed job's old pid must not be taken for its new worker
        with open(job.log_path, "ab") as log:
            proc = subprocess.Popen(
                [self.python, "-m", "ae_core.training.jobs.worker", str(job.dir), "--lock-fd", str(fd)],
                cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(fd,), start_new_session=True,  # survives a server restart; re-attachable
            )
        self._procs[job.id] = proc
        threading.Thread(target=proc.wait, name=f"reap-{job.id}", daemon=True).start()  # no zombies
        atomic_write_bytes(job.pid_path, str(proc.pid).encode())

    # ---- interrupted trainings
    def resumable(self, job: str | Job, status: TrainingStatus | None = None) -> int:
        """Finished epochs an interrupted job can resume from (its worker died mid-run); 0 if it can't be."""
        job = self.job(job)
        s = status or self.status(job)
        if s.state != State.FAILED.value or s.error != ErrorCode.WORKER_DIED.value:
            return 0
        return backup_epoch(job.backup_dir) if (job.backup_dir / "latest.weights.h5").is_file() else 0

    def interrupted(self) -> list[tuple[Job, TrainingStatus]]:
        """Jobs whose worker died after at least one finished epoch and that can resume, newest first."""
        root = jobs_dir()
        if not root.is_dir():
            return []
        found = []
        for folder in sorted((p for p in root.iterdir() if (p / "backup").is_dir()), key=lambda p: p.name,
                             reverse=True):
            try:
                job = self.job(folder.name)
            except ValueError:
                continue
            s = self.status(job)
            if self.resumable(job, s):
                found.append((job, s))
        return found

    def resume(self, job: str | Job, *, owner: str = "") -> Job:
        """Start a new worker on an interrupted job: it restores the backup and trains the remaining epochs.

        ValueError when the job cannot resume; TrainingBusy if another training runs.
        """
        job = self.job(job)
        with self._lock:
            fd = try_lock()
            if fd is None:
                raise self._busy(owner)
            try:
                s = self.status(job)
                epoch = self.resumable(job, s)
                if not epoch:
                    raise ValueError(f"training {job.id} has nothing to resume")
                started = now()
                s.state, s.stage, s.error, s.detail, s.exit_code, s.log_tail = (
                    State.STARTING.value, Stage.LAUNCHING.value, None, "", None, "")
                s.finished, s.updated, s.pid, s.owner = None, started, None, owner or s.owner
                s.started, s.host = started, socket.gethostname()  # the new worker runs here
                job.stop_path.unlink(missing_ok=True)
                write_json(job.status_path, s.to_dict())
                self._launch(job, fd, owner, started)
            except BaseException as e:
                if not isinstance(e, ValueError) and job.status_path.exists():
                    self._finish(job, ErrorCode.START_FAILED, f"{type(e).__name__}: {e}"[:300])
                raise
            finally:
                os.close(fd)
        return job

    def discard(self, job: str | Job) -> None:
        """Give up an interrupted job: its backup goes (the job's records stay until cleaned up)."""
        job = self.job(job)
        if self.status(job).active:
            raise ValueError("a running training is stopped with stop(), not discarded")
        remove_backup(job.backup_dir)

    def latent_snapshot(self, job: str | Job, epoch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(codes (N, 2), labels (N,), manifold digits (n*n, 28, 28)) after `epoch`, or None when not written."""
        job = self.job(job)
        codes, labels = load_array(job.codes_path(epoch)), load_array(job.map_labels_path)
        tiles = load_array(job.manifold_path(epoch))
        if codes is None or labels is None or tiles is None or len(codes) != len(labels):
            return None
        return codes, labels.astype(int), tiles

    def _new_job(self) -> Job:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.job(f"{stamp}-{uuid.uuid4().hex[:6]}")

    def _busy(self, owner: str) -> TrainingBusy:
        job = self.current()
        if job is None and (last := self.latest()) is not None:
            last_status = self.status(last)
            if now() - float(last_status.finished or 0) < 30:
                return TrainingBusy("The previous training is just finishing; try again in a moment.", last,
                                    status=last_status, reason="finishing")
        if job is None:
            return TrainingBusy("A training is already running (started outside this app); wait for it to "
                                "finish, then try again.", reason="unknown")
        s = self.status(job)
        by_you = bool(owner) and s.owner == owner
        n = s.epochs or "?"
        k = min(s.epoch + 1, s.epochs) if s.epochs else "?"
        where = {State.RUNNING.value: f"epoch {k}/{n}", State.SAVING.value: f"epoch {s.epoch}/{n}, saving the model"
                 }.get(s.state, f"epoch 0/{n}, starting up")
        who = "by you" if by_you else "by another session"
        return TrainingBusy(f"A training is already running (started {who} at {hhmm(s.started)}, {where}); "
                            "only one can run at a time. Wait for it to finish, or watch it here.", job,
                            status=s, reason="running", by_you=by_you)

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
                if tmp.is_file() and now() - tmp.stat().st_mtime > 60:
                    tmp.unlink(missing_ok=True)
            for claim in unclaimed_reservations(models, RESERVATION_TTL_S):
                claim.unlink(missing_ok=True)

    # ---- watching
    def _alive(self, job: Job, status: TrainingStatus) -> bool:
        proc = self._procs.get(job.id)
        if proc is not None:
            return proc.poll() is None
        if status.host and status.host != socket.gethostname():
            # started on another machine sharing this folder: its worker holds the lock for as long as it lives
            return read_json(self._pointer()).get("job_id") == job.id and not lock_is_free()
        pid = job.pid() or status.pid
        if pid is None:
            return now() - float(status.started or 0) < START_GRACE_S
        return pid_alive(int(pid), job.id)

    def status(self, job: str | Job) -> TrainingStatus:
        """The job's TrainingStatus; a vanished worker is reported as failed (ErrorCode.WORKER_DIED)."""
        job = self.job(job)
        raw = read_json(job.status_path)
        if not raw:
            return TrainingStatus(job_id=job.id, state=State.FAILED.value, error=ErrorCode.RECORDS_GONE.value)
        s = TrainingStatus.from_dict(raw)
        if s.active and not self._alive(job, s):
            s = TrainingStatus.from_dict(read_json(job.status_path))  # it may have finished between the reads
            if s.active:
                proc = self._procs.get(job.id)
                code = proc.returncode if proc is not None else None
                tail = log_tail(job.log_path) if code is not None and code > 0 else ""
                s = self._finish(job, ErrorCode.WORKER_DIED, "", exit_code=code, log_tail=tail)
        s.stop_requested = job.stop_path.exists()
        return s

    def _finish(self, job: Job, error: ErrorCode, detail: str, **facts) -> TrainingStatus:
        """Record a failure the worker could not record itself."""
        s = TrainingStatus.from_dict(read_json(job.status_path))
        s.job_id = s.job_id or job.id
        s.state, s.error, s.detail, s.finished, s.updated = State.FAILED.value, error.value, detail, now(), now()
        for name, value in facts.items():
            setattr(s, name, value)
        write_json(job.status_path, s.to_dict())
        return s

    def current(self) -> Job | None:
        """The running job, whoever started it (None when nothing runs)."""
        pointer = read_json(self._pointer())
        if pointer.get("job_id"):
            try:
                job = self.job(pointer["job_id"])
            except ValueError:
                return None
            if self.status(job).active:
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

    def wait(self, job: str | Job, timeout: float = 600, poll: float = 0.2) -> TrainingStatus:
        """Block until the job has finished (or `timeout` seconds); its last status."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.status(job)
            if s.final or time.monotonic() > deadline:
                return s
            time.sleep(poll)

    def samples(self, job: str | Job) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(clean sample digits, noisy inputs for a denoising job or None); None before they exist."""
        job = self.job(job)
        return load_array(job.dir / "inputs.npy"), load_array(job.dir / "noisy.npy")

    def reconstructions(self, job: str | Job, epoch: int) -> np.ndarray | None:
        """The samples' reconstructions after `epoch` (1-based), or None."""
        return load_array(self.job(job).recon_path(epoch))

    def kill(self, job: str | Job) -> None:
        """SIGKILL the worker if it runs on this machine (tests and emergencies only; the page uses stop())."""
        job = self.job(job)
        pid = job.pid()
        host = self.status(job).host
        if pid and (not host or host == socket.gethostname()) and pid_alive(pid, job.id):
            os.kill(pid, signal.SIGKILL)

KIND_LABELS = {"dense": "Dense AE", "conv": "Conv AE", "denoising": "Denoising AE", "vae": "VAE"}


def _default_label(cfg, ts: float) -> str:
    layers = ", dense" if cfg.kind == "vae" and cfg.vae_layers == "dense" else ""
    detail = {"dense": f"code {cfg.code_size}", "vae": f"{cfg.latent_dim}-d code{layers}",
              "denoising": f"noise {cfg.noise_factor:g}"}.get(cfg.kind, "4x4x8 code" if tuple(cfg.filters)[-1] == 8
                                                              else f"4x4x{tuple(cfg.filters)[-1]} code")
    return f"Your {KIND_LABELS.get(cfg.kind, cfg.kind)} ({detail}, {hhmm(ts)})"

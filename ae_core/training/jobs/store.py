"""A training job's folder: what the manager and the worker write there, and how to read it back.

Job folder (under `<user data dir>/jobs/<job id>/`):
    request.json    what to train (config, data source, where to save)    -- written by the manager
    status.json     the live state, rewritten atomically by the worker     -- see `status.TrainingStatus`
    pid             the worker's process id                               -- written by the manager
    stop            present = stop at the next batch                       -- created by `TrainingManager.stop`
    inputs.npy      the fixed sample digits (N,28,28) the page shows
    noisy.npy       their noisy versions (denoising only: what the model sees)
    recon_001.npy   the model's reconstructions of the samples after epoch 1, 2, ...
    map_labels.npy  2-d models: the labels of the shipped test sample the latent map shows
    codes_001.npy   2-d models: that sample's codes (N, 2) after epoch 1, 2, ...
    manifold_001.npy  2-d models: the small grid of digits decoded over the plane after epoch 1, 2, ...
    backup/         Keras' BackupAndRestore checkpoint (see ae_core.training.backup); gone once finished
    worker.log      the worker's stdout/stderr
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from ae_core.paths import user_data_dir

from ae_core.training.jobs.status import ACTIVE_STATES, FINAL_STATES  # noqa: F401  (re-exported)


def now() -> float:
    """Wall-clock seconds (one place, so tests can reason about it)."""
    return time.time()


def hhmm(ts: float | None) -> str:
    """A timestamp as 'HH:MM' ('?' when unknown)."""
    return dt.datetime.fromtimestamp(ts).strftime("%H:%M") if ts else "?"


def jobs_dir() -> Path:
    """Folder of the job folders."""
    return user_data_dir() / "jobs"


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

    def codes_path(self, epoch: int) -> Path:
        """The map sample's 2-d codes after `epoch` (1-based)."""
        return self.dir / f"codes_{epoch:03d}.npy"

    def manifold_path(self, epoch: int) -> Path:
        """The decoded manifold grid after `epoch` (1-based)."""
        return self.dir / f"manifold_{epoch:03d}.npy"

    @property
    def map_labels_path(self) -> Path:
        return self.dir / "map_labels.npy"

    @property
    def backup_dir(self) -> Path:
        return self.dir / "backup"

    def pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None


def log_tail(path: Path, n: int = 1) -> str:
    """The last `n` non-empty lines of a log file, joined, at most 300 characters ('' if unreadable)."""
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])[-300:]

"""An interrupted training's backup folder, read without TensorFlow (the Keras side is fit.TrainingBackup).

Folder layout: Keras' BackupAndRestore writes `latest.weights.h5` (model and optimizer state) and
`training_metadata.json` (the next epoch to run) at each epoch end; `progress.json` (written just before
them by fit.TrainingBackup) adds what Keras leaves out: the config, the per-epoch history, the training time
so far, the random generators' state and the epochs at which the run was resumed.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ae_core.files import read_json

METADATA = "training_metadata.json"
PROGRESS = "progress.json"


@dataclass
class BackupInfo:
    """What a backup folder holds: finished epochs, the run's config and the history up to there."""

    epoch: int
    config: dict = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    wall_time_s: float = 0.0
    resumed_at: list[int] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Epochs the interrupted run was asked for (0 when unknown)."""
        return int(self.config.get("epochs") or 0)


def backup_dir_for(out: str | Path) -> Path:
    """The backup folder of a command-line training that writes `out` (`<out>.backup`, beside it)."""
    out = Path(out)
    return out.with_name(out.name + ".backup")


def backup_epoch(folder: str | Path | None) -> int:
    """Epochs a backup has finished (what BackupAndRestore restores to); 0 when there is none."""
    if folder is None:
        return 0
    meta = read_json(Path(folder) / METADATA) or read_json(Path(folder) / f"{METADATA}.bkp")
    try:
        return max(0, int(meta.get("epoch", 0)))
    except (TypeError, ValueError):
        return 0


def read_backup(folder: str | Path | None) -> BackupInfo | None:
    """The backup in `folder` (history cut to the restorable epochs), or None when there is nothing to resume."""
    if folder is None or not (Path(folder) / "latest.weights.h5").is_file():
        return None
    epoch = backup_epoch(folder)
    if epoch == 0:
        return None
    progress = read_json(Path(folder) / PROGRESS)
    history = {k: [float(v) for v in vals][:epoch] for k, vals in dict(progress.get("history") or {}).items()}
    return BackupInfo(epoch, dict(progress.get("config") or {}), history, float(progress.get("wall_time_s") or 0.0),
                      [int(e) for e in progress.get("resumed_at") or []])


def remove_backup(folder: str | Path | None) -> None:
    """Delete a backup folder (after the model was saved, or when the user discards the run)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def config_differences(saved: dict, wanted: dict) -> list[str]:
    """Settings that differ between a backed-up run and the one asked for, as 'name: saved -> wanted'."""
    keys = sorted((set(saved) | set(wanted)) - {"extra"})
    return [f"{k}: {saved.get(k)!r} -> {wanted.get(k)!r}" for k in keys if saved.get(k) != wanted.get(k)]

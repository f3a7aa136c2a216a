"""Resuming an interrupted training: Keras' BackupAndRestore plus our history/RNG record, in-process and by SIGKILL.

The kill test runs the real command line on the shipped sample (no dataset needed) and kills it after epoch 2.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from ae_core.paths import REPO_ROOT
from ae_core.training.backup import backup_dir_for, backup_epoch, config_differences, read_backup
from ae_core.training.config import TrainConfig
from ae_core.training.fit import _seed_generators, train


class _Interrupt(keras.callbacks.Callback):
    """Raises at the start of epoch `at` (0-based): the process 'dies' after `at` finished epochs."""

    def __init__(self, at: int):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt


class _AtBegin(keras.callbacks.Callback):
    """Records the optimizer step and the VAE's noise-generator state the run starts from."""

    def on_train_begin(self, logs=None):
        self.iterations = int(self.model.optimizer.iterations)
        self.seeds = [np.asarray(g.state).tolist() for g in _seed_generators(self.model)]


def test_an_interrupted_vae_resumes_with_its_optimizer_noise_and_history(small_digits, tmp_path):
    x, _ = small_digits
    cfg = TrainConfig(kind="vae", vae_layers="dense", epochs=4, batch_size=64, train_size=256)
    folder = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        train(cfg, x, x[2500:2600], callbacks=[_Interrupt(2)], backup_dir=folder)
    saved = read_backup(folder)
    assert saved is not None and saved.epoch == 2 and saved.epochs == 4
    assert len(saved.history["loss"]) == 2 and len(saved.history["val_loss"]) == 2
    seeds_then = json.loads((folder / "progress.json").read_text())["seed_states"]

    begin = _AtBegin()
    res = train(cfg, x, x[2500:2600], callbacks=[begin], backup_dir=folder)
    assert begin.iterations == 2 * 4  # Adam's step count (and moments) came back: 4 batches an epoch
    assert begin.seeds == seeds_then  # the sampling noise goes on where it stopped instead of replaying
    assert res.epochs_run == 4 and len(res.history["loss"]) == 4 and res.resumed_at == (2,)
    assert res.history["loss"][:2] == saved.history["loss"]  # the first run's epochs are part of the history
    assert res.wall_time_s >= saved.wall_time_s


def test_a_backup_with_a_half_written_checkpoint_falls_back_to_the_previous_one(small_digits, tmp_path):
    x, _ = small_digits
    cfg = TrainConfig(kind="dense", epochs=4, batch_size=64, train_size=128)
    folder = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        train(cfg, x, callbacks=[_Interrupt(3)], backup_dir=folder)
    (folder / "latest.weights.h5").write_bytes(b"killed while writing")  # as a kill mid-save leaves it
    res = train(cfg, x, backup_dir=folder)
    assert res.resumed_at == (2,) and len(res.history["loss"]) == 4  # epoch 3 is trained again


def test_backup_records_without_tensorflow(tmp_path):
    assert backup_dir_for(tmp_path / "m.keras") == tmp_path / "m.keras.backup"
    assert backup_epoch(tmp_path / "none") == 0 and read_backup(tmp_path / "none") is None
    assert config_differences({"epochs": 5, "kind": "vae"}, {"epochs": 6, "kind": "vae"}) == ["epochs: 5 -> 6"]


def _fake_mnist(path, small_digits) -> None:
    x, y = small_digits
    xu = (x[..., 0] * 255).astype(np.uint8)
    np.savez(path, x_train=np.concatenate([xu] * 2), y_train=np.concatenate([y] * 2), x_test=xu[:300],
             y_test=y[:300])


def test_a_killed_command_line_training_resumes_from_its_last_epoch(small_digits, tmp_path, capsys):
    from ae_core.cli import main
    data, out = tmp_path / "mnist.npz", tmp_path / "models" / "dense.keras"
    _fake_mnist(data, small_digits)
    args = ["train", "--model", "dense", "--epochs", "8", "--batch-size", "32", "--data", str(data), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    backup = backup_dir_for(out)
    proc = subprocess.Popen([sys.executable, "-m", "ae_core", *args], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while backup_epoch(backup) < 2:
            assert proc.poll() is None, "the training ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    killed_at = backup_epoch(backup)
    assert 2 <= killed_at < 8
    assert not out.exists() and not out.with_suffix(".json").exists()  # no partial model under the final name

    capsys.readouterr()
    assert main(args) == 2  # the same command without --resume never drops the backup
    assert "pass --resume to continue it" in capsys.readouterr().err
    assert main([*args[:4], "9", *args[5:], "--resume"]) == 2  # nor resumes it with other settings
    assert "epochs: 8 -> 9" in capsys.readouterr().err

    assert main([*args, "--resume"]) == 0
    assert f"resuming after epoch {killed_at}" in capsys.readouterr().out
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["epochs_run"] == 8 and len(info["history"]["loss"]) == len(info["history"]["val_loss"]) == 8
    assert info["resumed_at"] == [killed_at] and info["command"].endswith("--resume")
    assert not backup.exists()  # removed once the model was saved

    assert main([*args, "--resume"]) == 0  # nothing left to resume: not trained again
    assert "nothing to resume" in capsys.readouterr().out

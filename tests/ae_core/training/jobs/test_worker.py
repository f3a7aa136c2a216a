"""Background training worker: trains and saves, stops, refuses a second start, survives SIGKILL cleanly.

Every training here is tiny (a few hundred shipped sample digits): the machine has 2 busy cores.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from ae_core.models.files import load_model, read_sidecar, save_model
from ae_core.training.config import ConfigError, TrainConfig
from ae_core.training.jobs.lock import lock_is_free, lock_path
from ae_core.training.jobs.manager import TrainingBusy, TrainingManager
from ae_core.training.jobs.store import FINAL_STATES

TINY = dict(kind="dense", batch_size=32, train_size=300)


@pytest.fixture
def manager(user_home):
    """A manager whose workers are killed at teardown, whatever the test did."""
    mgr = TrainingManager()
    yield mgr
    job = mgr.current()
    if job is not None:
        mgr.kill(job)
        mgr.wait(job, timeout=30)


def wait_until(pred, timeout=900.0, poll=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"condition not met within {timeout} s")


def running_epochs(mgr, job, n=1):
    """Wait until the worker has completed `n` epochs and is still running; its status."""
    def ok():
        s = mgr.status(job)
        assert s.state not in FINAL_STATES, s
        return s if s.state == "running" and s.epoch >= n else None
    return wait_until(ok)


def test_worker_trains_and_saves_a_loadable_model(manager, user_home):
    job = manager.start(TrainConfig(epochs=1, **TINY), "sample", owner="me")
    assert manager.current() == job
    s = manager.wait(job, timeout=900)
    assert s.state == "done" and s.epoch == 1 and s.error is None, s
    path = Path(s.model_path)
    assert path.parent == user_home / "models" and path.suffix == ".keras"
    model = load_model(path)  # safe_mode, 28x28x1 in and out
    assert np.asarray(model(np.zeros((2, 28, 28, 1), "float32"))).shape == (2, 28, 28, 1)
    info = read_sidecar(path)
    assert info["kind"] == "dense" and info["source"] == "trained"
    assert info["config"]["train_size"] == 300 and info["epochs_run"] == 1
    assert len(info["history"]["loss"]) == 1 and len(info["history"]["val_loss"]) == 1
    assert info["test_metrics"]["mse"] > 0 and info["wall_time_s"] > 0
    assert info["dataset"]["source"] == "sample" and info["dataset"]["validation_images"] == 500
    # live records the page shows
    assert s.history["loss"] and s.snapshots == [1] and s.progress == pytest.approx(1.0)
    assert "small sample" in s.data["note"] and s.data["train_images"] == 300
    clean, noisy = manager.samples(job)
    assert clean.shape == (10, 28, 28) and noisy is None
    assert manager.reconstructions(job, 1).shape == (10, 28, 28)
    # nothing left running or locked; no stray temp files
    assert manager.current() is None and lock_is_free()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_invalid_config_is_refused_before_any_worker(manager):
    with pytest.raises(ConfigError, match="epochs must be between 1 and 500"):
        manager.start(TrainConfig(epochs=0), "sample")
    assert manager.current() is None and lock_is_free()


def test_stop_and_second_start_refused(manager, user_home):
    job = manager.start(TrainConfig(epochs=300, **TINY), "sample", owner="alice")
    s = running_epochs(manager, job, 1)
    pid = job.pid()
    assert os.getpriority(os.PRIO_PROCESS, pid) >= min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    # a second start, from this session, another session, or another server process, is refused
    with pytest.raises(TrainingBusy, match=r"already running \(started by another session at \d\d:\d\d, "
                                           r"epoch \d+/300\)") as busy:
        manager.start(TrainConfig(epochs=1, **TINY), "sample", owner="bob")
    assert busy.value.job == job
    with pytest.raises(TrainingBusy, match="started by you"):
        manager.start(TrainConfig(epochs=1, **TINY), "sample", owner="alice")
    other = TrainingManager()  # as in a second server process: it sees the lock and the job
    with pytest.raises(TrainingBusy):
        other.start(TrainConfig(epochs=1, **TINY), "sample", owner="carol")
    assert other.current() == job and other.status(job).state == "running"
    assert busy.value.reason == "running" and busy.value.status.owner == "alice" and not busy.value.by_you
    assert not lock_is_free()

    t0 = time.monotonic()
    manager.stop(job)
    s = manager.wait(job, timeout=600)
    assert s.state == "stopped", s
    assert time.monotonic() - t0 < 300  # the next batch, then validation and saving (slow on a busy box)
    assert 1 <= s.epoch < 300
    # only full epochs count: the status, the chart, the snapshots and the saved record agree
    assert s.snapshots == list(range(1, s.epoch + 1)) and len(s.history["loss"]) == s.epoch
    assert s.stopped_in_epoch in (None, s.epoch + 1)
    info = read_sidecar(s.model_path)
    assert info["stopped_early"] is True and info["epochs_run"] == s.epoch == len(info["history"]["loss"])
    load_model(s.model_path)
    assert lock_is_free() and manager.current() is None


def test_stop_before_the_first_epoch_saves_nothing(manager, user_home):
    job = manager.start(TrainConfig(epochs=50, **TINY), "sample")
    manager.stop(job)
    s = manager.wait(job, timeout=900)
    assert s.state == "stopped" and not s.saved and s.epoch == 0, s
    assert not list((user_home / "models").glob("*.keras"))


def _previous_models(folder: Path) -> dict[Path, bytes]:
    from ae_core.models.builders import build_model
    for name in ("old_a", "old_b"):
        save_model(build_model("dense", code_size=4), folder / f"{name}.keras", {"kind": "dense", "label": name})
    return {p: p.read_bytes() for p in sorted(folder.iterdir())}


def test_sigkill_leaves_saved_models_intact_and_frees_the_lock(manager, user_home):
    folder = user_home / "models"
    before = _previous_models(folder)
    assert len(before) == 4  # two models + two sidecars

    # killed mid-training
    job = manager.start(TrainConfig(epochs=300, **TINY), "sample")
    running_epochs(manager, job, 1)
    manager.kill(job)
    s = wait_until(lambda: (lambda st: st if st.final else None)(manager.status(job)), 60)
    assert s.state == "failed" and s.error == "worker_died" and s.exit_code == -9, s
    assert {p: p.read_bytes() for p in before} == before
    assert lock_is_free() and manager.current() is None

    # killed as close as we can get to the save itself
    job = manager.start(TrainConfig(epochs=1, **TINY), "sample")
    wait_until(lambda: manager.status(job).state in ("saving", *FINAL_STATES), poll=0.005)
    manager.kill(job)
    s = manager.wait(job, timeout=30)
    assert s.final
    assert {p: p.read_bytes() for p in before} == before
    for path in folder.glob("*.keras"):  # whatever is there under a final name is whole
        if not path.name.startswith("."):
            load_model(path)
    assert lock_is_free()
    assert lock_path().parent == user_home


def test_a_failing_worker_reports_a_clear_message(manager, tmp_path):
    job = manager.start(TrainConfig(epochs=1, **TINY), str(tmp_path / "no-such-mnist.npz"))
    s = manager.wait(job, timeout=900)
    assert s.state == "failed" and s.error == "exception", s
    assert s.detail.startswith("DatasetNotFoundError: MNIST: the given path is unusable"), s.detail
    assert "Traceback" in job.log_path.read_text()  # the details stay in the job's log
    assert lock_is_free() and manager.current() is None


def test_a_stop_during_epoch_two_counts_one_epoch(tmp_path):
    """The worker's callbacks, driven by hand: a partial epoch adds no chart point, snapshot or epoch."""
    from ae_core.files import write_json
    from ae_core.training.jobs.status import TrainingStatus
    from ae_core.training.jobs.store import Job
    from ae_core.training.jobs.worker import _callbacks, _Reporter

    job = Job("j", tmp_path)
    write_json(job.status_path, TrainingStatus(job_id="j", state="running", epochs=3, batches=4).to_dict())
    rep = _Reporter(job)
    (progress, stop, snaps), _, state = _callbacks(job, rep, np.zeros((2, 28, 28, 1), "float32"), 4, 3)
    stop.set_model(type("M", (), {"stop_training": False})())
    rec = np.zeros((2, 28, 28, 1))
    progress.on_epoch_begin(0)
    for b in range(4):
        progress.on_train_batch_end(b)
        assert rep.status.progress == pytest.approx((b + 1) / 4 / 3)
    snaps.on_snapshot(0, {"loss": 0.5}, rec)
    assert (rep.status.epoch, rep.status.batch, rep.status.progress) == (1, 0, pytest.approx(1 / 3))
    progress.on_epoch_begin(1)
    progress.on_train_batch_end(0)
    job.stop_path.touch()
    stop.on_train_batch_end(0)
    snaps.on_snapshot(1, {"loss": 0.4}, rec)
    s = TrainingStatus.from_dict(__import__("json").loads(job.status_path.read_text()))
    assert s.epoch == 1 and s.snapshots == [1] and s.history == {"loss": [0.5]} and s.stopped_in_epoch == 2
    assert state["completed"] == 1 and not job.recon_path(2).exists()
    assert s.progress == pytest.approx((1 + 1 / 4) / 3)  # agrees with "epoch 2, batch 1 of 4"


def test_a_2d_vae_maps_each_epoch_and_a_killed_job_resumes(manager, user_home):
    """Each epoch writes the sample's codes and a small manifold; a SIGKILLed job is offered and resumes."""
    cfg = TrainConfig(kind="vae", vae_layers="dense", latent_dim=2, epochs=12, batch_size=32, train_size=1000)
    job = manager.start(cfg, "sample", owner="me")
    s = running_epochs(manager, job, 1)
    assert s.latent_map == {"grid": 8, "extent": 2.5, "points": 3000, "dataset": "mnist"}
    codes, labels, tiles = manager.latent_snapshot(job, 1)
    assert codes.shape == (3000, 2) and np.isfinite(codes).all() and tiles.shape == (64, 28, 28)
    assert sorted(set(labels.tolist())) == list(range(10))
    manager.kill(job)
    s = wait_until(lambda: (lambda st: st if st.final else None)(manager.status(job)), 60)
    assert s.error == "worker_died" and s.epoch < 12
    offered = manager.interrupted()
    assert [j for j, _ in offered] == [job]
    restored = manager.resumable(job)
    assert 1 <= restored <= 12 and not list((user_home / "models").glob("*.keras"))  # nothing half-done saved

    manager.resume(job, owner="me")
    s = manager.wait(job, timeout=900)
    assert s.state == "done" and s.epoch == 12 and s.resumed_at == [restored], s
    assert s.snapshots[-1] == 12 and len(s.history["loss"]) == 12  # the whole run, before and after the kill
    assert all(manager.latent_snapshot(job, e) is not None for e in s.snapshots)
    assert not job.backup_dir.exists() and manager.interrupted() == []
    info = read_sidecar(s.model_path)
    assert info["epochs_run"] == 12 and info["resumed_at"] == [restored] and len(info["history"]["loss"]) == 12


def test_an_interrupted_job_can_be_discarded(manager, user_home):
    from ae_core.files import write_json
    from ae_core.training.jobs.status import TrainingStatus
    from ae_core.training.jobs.store import jobs_dir

    job = manager.job("20250101-000000-abcdef")
    job.backup_dir.mkdir(parents=True)
    (job.backup_dir / "latest.weights.h5").write_bytes(b"weights")
    write_json(job.backup_dir / "training_metadata.json", {"epoch": 3, "batch": 0})
    write_json(job.status_path, TrainingStatus(job_id=job.id, state="failed", error="worker_died", epoch=3,
                                               epochs=10).to_dict())
    assert job.dir.parent == jobs_dir() and manager.resumable(job) == 3
    assert [j for j, _ in manager.interrupted()] == [job]
    manager.discard(job)
    assert manager.interrupted() == [] and not job.backup_dir.exists()
    with pytest.raises(ValueError, match="nothing to resume"):
        manager.resume(job)
    assert lock_is_free()

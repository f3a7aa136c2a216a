"""One training slot for a whole deployment: app processes sharing one AE_LAB_HOME see each other's training.

The workers here are stand-ins (no TensorFlow): they hold the lock they are handed and report progress into
status.json as the real worker does, so each test takes seconds. test_worker.py trains for real.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ae_core.files import write_json
from ae_core.paths import REPO_ROOT
from ae_core.training.config import TrainConfig
from ae_core.training.jobs.lock import lock_is_free, try_lock
from ae_core.training.jobs.manager import TrainingBusy, TrainingManager
from ae_core.training.jobs.status import TrainingStatus

TINY = TrainConfig(kind="dense", epochs=500, batch_size=32, train_size=300)

# Started as `python -m ae_core.training.jobs.worker JOB_DIR --lock-fd N`; reports 10 batches per epoch until stopped.
STAND_IN_WORKER = """
import os, sys, time
from pathlib import Path
from ae_core.training.jobs.store import Job
from ae_core.training.jobs.worker import _final, _Reporter
from ae_core.training.jobs.status import State, progress_of
job_dir = Path(sys.argv[3])
job = Job(job_dir.name, job_dir)
rep = _Reporter(job)
epoch = batch = 0
while not job.stop_path.exists():
    time.sleep(0.02)
    batch += 1
    if batch == 10:
        epoch, batch = epoch + 1, 0
    rep.update(state=State.RUNNING.value, epoch=epoch, batch=batch, batches=10,
               progress=progress_of(epoch, batch, 10, rep.status.epochs))
sys.exit(_final(rep, State.STOPPED, 0.0))
"""

# A second app process: answers one command per line on stdin with one JSON line.
REPLICA = """
import json, sys
from ae_core.training.config import TrainConfig
from ae_core.training.jobs.manager import TrainingBusy, TrainingManager
mgr = TrainingManager(python=sys.argv[1])
for line in sys.stdin:
    if line.strip() == "start":
        try:
            job = mgr.start(TrainConfig(kind="dense", epochs=500, batch_size=32, train_size=300), "sample",
                            owner="replica-a")
            out = {"started": job.id}
        except TrainingBusy as e:
            out = {"busy": str(e), "reason": e.reason}
    else:
        job = mgr.current()
        s = mgr.status(job) if job else None
        out = {"job": job and job.id, "state": s and s.state, "epoch": s and s.epoch}
    print(json.dumps(out), flush=True)
"""


def stand_in_python(tmp_path: Path) -> str:
    """An executable that TrainingManager(python=...) runs in place of the real worker."""
    script = tmp_path / "worker.py"
    script.write_text(STAND_IN_WORKER)
    exe = tmp_path / "python"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$@\"\n")
    exe.chmod(0o755)
    return str(exe)


@pytest.fixture
def stand_in(tmp_path) -> str:
    """The stand-in worker's executable."""
    return stand_in_python(tmp_path)


class Replica:
    """Another app process sharing this AE_LAB_HOME."""

    def __init__(self, python: str):
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-c", REPLICA, python], cwd=REPO_ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, command: str) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def processes(user_home, stand_in):
    """(replica A in its own process, manager B in this one), both on the same user folder."""
    a, b = Replica(stand_in), TrainingManager(python=stand_in)
    yield a, b
    a.close()
    if (job := b.current()) is not None:
        b.kill(job)
        b.wait(job, timeout=30)


def wait_until(pred, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := pred():
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def test_a_training_started_in_one_process_is_busy_and_watchable_from_another(processes):
    a, b = processes
    job_id = a.ask("start")["started"]

    # B finds it without being told, with its progress, and refuses a second one saying whose it is
    assert b.current() is not None and b.current().id == job_id
    s = wait_until(lambda: (lambda st: st if st.epoch >= 2 else None)(b.status(job_id)))
    assert s.state == "running" and s.owner == "replica-a" and 0 < s.progress < 1 and s.epochs == 500
    with pytest.raises(TrainingBusy, match=r"started by another session at \d\d:\d\d, epoch \d+/500") as busy:
        b.start(TINY, "sample", owner="replica-b")
    assert busy.value.reason == "running" and not busy.value.by_you and busy.value.job.id == job_id
    assert busy.value.status.epoch >= 2
    assert not lock_is_free()

    # B stops it; A sees it end
    b.stop(job_id)
    assert b.wait(job_id, timeout=60).state == "stopped"
    assert wait_until(lambda: a.ask("current")["job"] is None and lock_is_free())

    # the other way round: B's training is busy for A, then SIGKILLed mid-epoch: the slot is free for both
    mine = b.start(TINY, "sample", owner="replica-b")
    answer = a.ask("start")
    assert answer["reason"] == "running" and "started by another session" in answer["busy"], answer
    seen = a.ask("current")
    assert seen["job"] == mine.id and seen["state"] in ("starting", "running"), seen
    b.kill(mine)
    s = b.wait(mine, timeout=30)
    assert s.state == "failed" and s.error == "worker_died" and s.exit_code == -9, s
    assert wait_until(lambda: a.ask("current")["job"] is None)
    assert lock_is_free()
    again = a.ask("start")  # A may start the next one
    assert "started" in again
    b.stop(again["started"])
    assert b.wait(again["started"], timeout=60).state == "stopped"


def test_a_worker_killed_from_outside_frees_the_slot_for_every_process(processes):
    a, b = processes
    job_id = a.ask("start")["started"]
    wait_until(lambda: b.status(job_id).epoch >= 1)
    os.kill(b.job(job_id).pid(), 9)  # as the kernel's OOM killer, or a user's kill -9, would
    s = wait_until(lambda: (lambda st: st if st.final else None)(b.status(job_id)))
    assert s.state == "failed" and s.error == "worker_died", s
    # the kernel drops a killed process's lock as it exits, which may be a moment after it no longer runs
    assert wait_until(lambda: a.ask("current")["job"] is None and lock_is_free() and b.current() is None)
    mine = b.start(TINY, "sample")
    b.stop(mine)
    assert b.wait(mine, timeout=60).state == "stopped"


def test_a_training_on_another_machine_is_alive_while_it_holds_the_lock(user_home):
    """A worker on another machine sharing the folder: its pid means nothing here; the lock tells."""
    mgr = TrainingManager()
    job = mgr.job("20260101-000000-abcdef")
    job.dir.mkdir(parents=True)
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout.strip()
    (job.pid_path).write_text(dead_pid)
    write_json(job.status_path, TrainingStatus(job_id=job.id, state="running", epoch=3, epochs=10, started=time.time(),
                                               host="another-machine", pid=int(dead_pid)).to_dict())
    write_json(user_home / "current_job.json", {"job_id": job.id})
    fd = try_lock()  # as the remote worker holds it
    try:
        assert mgr.status(job).state == "running" and mgr.current() == job
        with pytest.raises(TrainingBusy, match="epoch 4/10"):
            mgr.start(TINY, "sample")
        mgr.kill(job)  # not ours to kill: nothing happens here
    finally:
        os.close(fd)
    s = mgr.status(job)  # the remote worker died without a last word: the lock was released
    assert s.state == "failed" and s.error == "worker_died" and mgr.current() is None
    assert Path(job.status_path).is_file()

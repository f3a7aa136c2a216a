"""TrainingStatus: a round trip through status.json's dict, defaults, states and progress."""
from __future__ import annotations

import pytest

from ae_core.training.jobs.status import (
    ACTIVE_STATES,
    FINAL_STATES,
    ErrorCode,
    State,
    TrainingStatus,
    progress_of,
)


def test_round_trip_keeps_every_field_and_unknown_keys():
    s = TrainingStatus(job_id="x", state=State.RUNNING.value, epoch=2, epochs=5, batch=3, batches=10,
                       history={"loss": [0.3, 0.2]}, snapshots=[1, 2], owner="me", data={"source": "sample"})
    d = {**s.to_dict(), "future_key": 7}
    back = TrainingStatus.from_dict(d)
    assert back.to_dict() == d and back.extra == {"future_key": 7}
    assert back.active and not back.final and not back.saved


def test_defaults_and_messy_input():
    s = TrainingStatus.from_dict({"state": "failed", "error": ErrorCode.WORKER_DIED.value, "epoch": None,
                                  "snapshots": ["1"]})
    assert s.final and s.epoch == 0 and s.snapshots == [1] and s.history == {}
    assert TrainingStatus.from_dict(None).state == "starting"


def test_states_are_strings():
    assert State.DONE == "done" and set(ACTIVE_STATES) | set(FINAL_STATES) == {st.value for st in State}


@pytest.mark.parametrize("args, expected", [
    ((0, 0, 10, 4), 0.0), ((1, 0, 10, 4), 0.25), ((1, 5, 10, 4), 0.375), ((4, 0, 10, 4), 1.0),
    ((4, 7, 10, 4), 1.0), ((0, 3, 0, 4), 0.0), ((0, 0, 0, 0), 0.0),
])
def test_progress_follows_epochs_and_batches(args, expected):
    assert progress_of(*args) == pytest.approx(expected)

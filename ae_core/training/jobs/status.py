"""A training job's status: the facts the worker records in status.json (no sentences; the page words them)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any


class State(str, Enum):
    """Where a job is; equal to its string value, which is what status.json holds."""

    STARTING = "starting"
    LOADING = "loading"
    RUNNING = "running"
    SAVING = "saving"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"


ACTIVE_STATES = (State.STARTING.value, State.LOADING.value, State.RUNNING.value, State.SAVING.value)
FINAL_STATES = (State.DONE.value, State.STOPPED.value, State.FAILED.value)


class Stage(str, Enum):
    """What the worker is busy with inside the loading and saving states."""

    LAUNCHING = "launching"
    LOADING_DATA = "loading_data"
    TRAINING = "training"
    EVALUATING = "evaluating"
    EXPORTING = "exporting"


class ErrorCode(str, Enum):
    """Why a job failed; `TrainingStatus.detail` holds the technical detail."""

    WORKER_DIED = "worker_died"  # the process ended without a final status (detail: exit code / signal)
    START_FAILED = "start_failed"  # the worker could not be launched
    RECORDS_GONE = "records_gone"  # the job folder or its status.json is missing
    BUSY = "busy"  # the worker found the training lock taken
    EXCEPTION = "exception"  # the training raised (detail: "ErrorType: first line")


def progress_of(completed: int, batch: int, batches: int, epochs: int) -> float:
    """Fraction of the whole run done after `completed` epochs and `batch` batches of the next one."""
    if epochs <= 0:
        return 0.0
    part = batch / batches if batches and completed < epochs else 0.0
    return max(0.0, min(1.0, (completed + part) / epochs))


@dataclass
class TrainingStatus:
    """One job's status; `epoch` counts completed epochs only, `batch` the batches done of the epoch after them."""

    job_id: str = ""
    state: str = State.STARTING.value
    stage: str = Stage.LAUNCHING.value
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    progress: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)
    snapshots: list[int] = field(default_factory=list)
    started: float | None = None
    updated: float | None = None
    finished: float | None = None
    model_path: str | None = None
    model_name: str | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    wall_time_s: float | None = None  # training time (fit) in seconds
    total_time_s: float | None = None  # the whole job, loading and saving included
    data: dict[str, Any] = field(default_factory=dict)
    owner: str = ""
    label: str = ""
    name: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    stop_requested: bool = False
    stopped_in_epoch: int | None = None  # the epoch Stop interrupted (its partial training is not counted)
    error: str | None = None  # an ErrorCode value when state is failed
    detail: str = ""  # short technical detail for the error
    exit_code: int | None = None  # the worker's exit code (negative: killed by that signal), when known
    log_tail: str = ""  # the last line of worker.log, when the worker died with an error
    pid: int | None = None
    host: str = ""  # the machine the worker runs on (its pid means nothing on another one)
    latent_map: dict[str, Any] = field(default_factory=dict)  # 2-d models: {"grid", "extent", "points", "dataset"}
    resumed_at: list[int] = field(default_factory=list)  # the finished epochs each resume started from
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know, kept on rewrite

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> TrainingStatus:
        """The status held in a status.json dict (unknown keys go to `extra`)."""
        d = dict(d or {})
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: d.pop(k) for k in list(d) if k in names}
        extra = {**d.pop("extra", {}), **d} if isinstance(d.get("extra"), dict) else d
        s = cls(**known, extra=extra)
        s.epoch, s.epochs, s.batch, s.batches = (int(v or 0) for v in (s.epoch, s.epochs, s.batch, s.batches))
        s.progress = float(s.progress or 0.0)
        s.snapshots = [int(e) for e in s.snapshots or []]
        s.history = dict(s.history or {})
        return s

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (what status.json holds)."""
        d = asdict(self)
        extra = d.pop("extra")
        return {**extra, **d}

    @property
    def active(self) -> bool:
        """Still starting, loading, training or saving."""
        return self.state in ACTIVE_STATES

    @property
    def final(self) -> bool:
        """Done, stopped or failed."""
        return self.state in FINAL_STATES

    @property
    def saved(self) -> bool:
        """A model file was written."""
        return bool(self.model_path)

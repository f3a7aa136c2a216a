"""The Train page's wording: a training's progress, failure, stop and result in sentences for people."""
from __future__ import annotations

from ae_core.training.jobs.status import ErrorCode, Stage, State, TrainingStatus


def epochs_text(n: int) -> str:
    """'1 epoch', '3 epochs'."""
    return f"{n} epoch{'s' if n != 1 else ''}"


def progress_text(s: TrainingStatus) -> str:
    """What the worker is doing now, in words that match the progress bar."""
    if s.state == State.RUNNING and s.batches:
        if s.epoch >= s.epochs:
            return f"All {epochs_text(s.epochs)} done; finishing up..."
        return f"Epoch {s.epoch + 1} of {s.epochs} - batch {s.batch} of {s.batches}"
    if s.state == State.SAVING:
        if s.stage == Stage.EXPORTING:
            return "Exporting the model for the app (ONNX)..."
        return "Measuring the model on the validation digits and saving it..."
    if s.state in (State.LOADING, State.RUNNING):
        return "Loading TensorFlow and the training digits..."
    return "Starting the training worker..."


def failure_text(s: TrainingStatus) -> str:
    """Why a job failed, for people."""
    if s.error == ErrorCode.WORKER_DIED:
        how = ""
        if s.exit_code is not None and s.exit_code < 0:
            how = f" (killed by signal {-s.exit_code})"
        elif s.exit_code:
            how = f" (exit code {s.exit_code})"
        tail = f" Last log line: {s.log_tail}" if s.log_tail else ""
        return f"the worker died{how}: the training process ended before finishing. " \
               f"Models saved earlier are untouched.{tail}"
    if s.error == ErrorCode.START_FAILED:
        return f"the worker could not be started ({s.detail})"
    if s.error == ErrorCode.RECORDS_GONE:
        return "this training's records are gone"
    if s.error == ErrorCode.BUSY:
        return "a training was already running; only one can run at a time"
    return s.detail or "no reason was recorded"


def interrupted_text(s: TrainingStatus, epoch: int) -> str:
    """The offer's sentence for a job whose worker died after `epoch` finished epochs."""
    how = f"; killed by signal {-s.exit_code}" if s.exit_code is not None and s.exit_code < 0 else ""
    return (f"Training of **{s.label or s.name or 'your model'}** stopped at epoch {epoch} of {s.epochs} (its "
            f"process ended before finishing{how}). Resume it from there, or discard it.")


def stopped_text(s: TrainingStatus) -> str:
    """What a Stop left behind, counting complete epochs only."""
    if not s.saved:
        if s.epoch == 0 and s.stopped_in_epoch is None:
            return "Stopped before training began; nothing was saved."
        return ("Stopped during the first epoch: nothing was saved (a model is kept once at least one epoch has "
                "finished).")
    where = f"during epoch {s.stopped_in_epoch}" if s.stopped_in_epoch else f"after epoch {s.epoch}"
    return f"Stopped {where} of {s.epochs}; the model after {epochs_text(s.epoch)} was saved as {s.model_name}."


def ready_text(s: TrainingStatus) -> str:
    """A finished job's one-line result."""
    n = s.data.get("train_images")
    digits = f" on {n:,} digits" if n else ""
    took = f" in {s.wall_time_s:.0f} s" if s.wall_time_s else ""
    return f"**{s.label or 'Your model'}** is ready: {epochs_text(s.epoch)}{digits}{took}."


def data_note(s: TrainingStatus) -> str:
    """The data source's note plus, when fewer digits were there than asked for, how many."""
    note = s.data.get("note") or ""
    asked, got = s.data.get("train_requested"), s.data.get("train_images")
    if asked and got and asked > got:
        note = f"{note} Asked for {asked:,} training digits; {got:,} are available.".strip()
    return note

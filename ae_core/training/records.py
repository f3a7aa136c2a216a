"""The sidecar record of a trained model: one builder for the command line and the training worker."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

    from ae_core.training.config import TrainConfig
    from ae_core.training.fit import TrainResult

#: Keys every trained model's record has (the pages read kind, name, dataset, config, epochs_run, test_metrics).
RECORD_KEYS = ("kind", "name", "dataset", "config", "epochs_run", "wall_time_s", "history", "params",
               "code_size", "test_metrics", "created")


def created_now() -> str:
    """The current UTC time as the records store it (ISO 8601, seconds)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def training_record(model: keras.Model, cfg: TrainConfig, result: TrainResult, *, name: str, dataset: dict,
                    test_metrics: dict, command: str | None = None, epochs_run: int | None = None,
                    **extra: Any) -> dict:
    """The sidecar dict of a freshly trained `model`; `extra` keys (label, source, job_id, ...) are added last."""
    from ae_core.models.builders import code_size
    from ae_core.training.evaluation import EVAL_NOISE, KNN_NOTE, elbo_note

    record: dict[str, Any] = {
        "kind": cfg.kind,
        "name": name,
        "dataset": dict(dataset),
        "config": cfg.to_dict(),
        "epochs_run": int(result.epochs_run if epochs_run is None else epochs_run),
        "wall_time_s": round(float(result.wall_time_s), 1),
        "history": result.history,
        "params": int(model.count_params()),
        "code_size": code_size(model),
        "test_metrics": dict(test_metrics),
        "created": created_now(),
    }
    if command is not None:
        record["command"] = command
    if cfg.kind == "denoising":
        record["eval_noise"] = dict(EVAL_NOISE)
    if cfg.kind == "vae":
        record["elbo_note"] = elbo_note(cfg.dataset)
        if "knn5_accuracy" in test_metrics:
            record["knn_note"] = KNN_NOTE
    record.update(extra)
    return record

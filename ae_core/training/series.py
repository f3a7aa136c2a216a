"""Training pipelines of the command line: one model, the ten per-class models, the compression series."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ae_core.training.backup import backup_dir_for, config_differences, read_backup, remove_backup
from ae_core.training.config import TrainConfig, validate_config
from ae_core.training.fit import TrainResult
from ae_core.training.records import training_record

#: Test images the command-line records name (the MNIST and Fashion-MNIST test sets alike).
TEST_IMAGES = 10000


def describe_export(path: Path, info: dict, seconds: float | None = None) -> str:
    """One line naming the ONNX files written beside `path` (and how long it took)."""
    files = ", ".join(entry["file"] for entry in info["onnx"].values())
    return f"{path}: {files}" + (f" ({seconds:.1f} s)" if seconds is not None else "")


def _continuation(init_from: str | Path, result: TrainResult) -> dict:
    """The keys that tie a continued training to the sidecar of the model it started from."""
    from ae_core.models.files import read_sidecar
    before = read_sidecar(init_from)
    return {
        "continued_from": {k: before.get(k) for k in ("command", "epochs_run", "wall_time_s", "test_metrics",
                                                      "history", "continued_from")},
        "epochs_total": result.epochs_run + int(before.get("epochs_total", before.get("epochs_run", 0))),
    }


class ResumeError(ValueError):
    """A --resume (or a run that would overwrite a backup) that cannot go ahead; the message says why and what to do."""


def without_resume(command: str | None) -> str | None:
    """A training command without its --resume flag (what a resumed run and its first run have in common)."""
    return None if command is None else " ".join(w for w in command.split(" ") if w != "--resume")


def check_backup(out: str | Path, cfg: TrainConfig, resume: bool) -> int:
    """Epochs a run writing `out` resumes from (0: from the start); ResumeError if its backup must not be ignored.

    A backup is never silently replaced: without `resume` its run must be resumed or the folder deleted.
    """
    folder = backup_dir_for(out)
    saved = read_backup(folder)
    if saved is None:
        return 0
    where = f"an interrupted training of {out} left a backup at {folder} (epoch {saved.epoch} of {saved.epochs})"
    if not resume:
        raise ResumeError(f"{where}; pass --resume to continue it, or delete that folder to start over")
    diff = config_differences(saved.config, validate_config(cfg).to_dict())
    if diff:
        raise ResumeError(f"{where} with other settings ({'; '.join(diff)}); run the same command with --resume, "
                          "or delete that folder to start over")
    return saved.epoch


def _already_trained(out: Path, cfg: TrainConfig, command: str | None) -> TrainResult | None:
    """With --resume: the model at `out`, if this same command already finished it (it is not trained again)."""
    from ae_core.models.files import ModelFileError, load_model, read_sidecar
    info = read_sidecar(out) if out.is_file() else {}
    if not info or command is None or without_resume(info.get("command")) != without_resume(command):
        return None
    try:
        model = load_model(out)
    except ModelFileError:
        return None
    return TrainResult(model, info.get("history") or {}, float(info.get("wall_time_s") or 0), int(info["epochs_run"]),
                       False, cfg)


def train_one(cfg: TrainConfig, x_train: np.ndarray, x_test: np.ndarray, out: Path, *, command: str | None,
              replace_shipped: bool = False, init_from: str | Path | None = None, verbose: int = 0,
              extra_info: dict | None = None, labels: tuple[np.ndarray, np.ndarray] | None = None,
              resume: bool = False) -> tuple[TrainResult, dict]:
    """Train, evaluate, save (with its sidecar) and ONNX-export one model; returns the result and its record.

    `labels` (of x_train, of x_test) let a VAE's record carry its kNN accuracy. The run is backed up each epoch
    in `<out>.backup/` (removed once the model is saved); `resume` continues an interrupted run from there,
    and skips a model this same command already finished.
    """
    from ae_core.models.files import load_model, read_sidecar, save_model
    from ae_core.models.onnx_export import export_model
    from ae_core.training.evaluation import evaluate_model
    from ae_core.training.fit import train
    out = Path(out)
    restored = check_backup(out, cfg, resume)
    if resume and not restored and (done := _already_trained(out, cfg, command)) is not None:
        print(f"{out}: already trained by this command ({done.epochs_run} epochs); nothing to resume", flush=True)
        return done, read_sidecar(out)
    start = load_model(init_from) if init_from else None
    how = f" (continuing from {init_from})" if start else f" (resuming after epoch {restored})" if restored else ""
    print(f"training {cfg.kind} -> {out}{how}", flush=True)
    result = train(cfg, x_train, x_test, verbose=verbose, model=start, backup_dir=backup_dir_for(out))
    separation = {} if labels is None else {"y_test": labels[1], "train": (x_train, labels[0])}
    figures = evaluate_model(result.model, cfg.kind, x_test, dataset=cfg.dataset, **separation)
    dataset = {"name": cfg.dataset, "train_images": int(result.config.train_size or 60000), "test_images": TEST_IMAGES}
    info = training_record(result.model, cfg, result, name=out.stem, dataset=dataset, test_metrics=figures,
                           command=command, **(extra_info or {}))
    if start is not None:
        info.update(_continuation(init_from, result))
    if result.resumed_at:
        info["resumed_at"] = list(result.resumed_at)
    save_model(result.model, out, info, replace_shipped=replace_shipped)
    print(describe_export(out, export_model(result.model, out)), flush=True)  # ONNX files, for ONNX Runtime
    remove_backup(backup_dir_for(out))  # only now: a kill while saving or exporting still resumes
    print(json.dumps({"model": str(out), "test_metrics": figures}, indent=2), flush=True)
    return result, info


SCALE_FIT_PER_CLASS = 1000  # training digits per class the error scales are fitted on


def _scale_fit_digits(x_train: np.ndarray, y_train: np.ndarray, cfg: TrainConfig
                      ) -> tuple[np.ndarray, np.ndarray, str]:
    """The digits the per-class error scales are fitted on: the first training digits of each class and,
    for an augmented training, one drawn-like variant of each; with a note saying so."""
    idx = np.concatenate([np.flatnonzero(y_train == d)[:SCALE_FIT_PER_CLASS] for d in range(10)])
    x, y = x_train[idx], y_train[idx]
    note = (f"per-class scales on the errors that maximise accuracy on the first {SCALE_FIT_PER_CLASS:,} "
            "training digits of each class")
    if not cfg.augment:
        return x, y, note
    from ae_core.training.augment import DrawnLike
    variants = np.concatenate([np.asarray(DrawnLike(cfg.seed)(x[i:i + 1000])) for i in range(0, len(x), 1000)])
    return np.concatenate([x, variants]), np.concatenate([y, y]), note + " and one drawn-like variant of each"


def _augmented(fit_y: np.ndarray, cfg: TrainConfig) -> np.ndarray:
    """Which of the scale-fitting digits are drawn-like variants (the second half of an augmented set)."""
    mask = np.zeros(len(fit_y), dtype=bool)
    if cfg.augment:
        mask[len(fit_y) // 2:] = True
    return mask


def train_perclass(cfg: TrainConfig, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                   y_test: np.ndarray, out_dir: Path, *, command: str | None, replace_shipped: bool = False,
                   init_from: str | Path | None = None, verbose: int = 0, resume: bool = False) -> dict:
    """Ten dense autoencoders (one per digit) and their classify-by-error summary; returns the summary."""
    from ae_core.analysis.classification import fit_error_scales, relative_errors
    from ae_core.analysis.metrics import accuracy, confusion_matrix
    from ae_core.models.files import write_sidecar
    from ae_core.training.evaluation import classify_errors
    cfg, out_dir = dataclasses.replace(cfg, kind="dense"), Path(out_dir)
    models = []
    for digit in range(10):
        result, _ = train_one(cfg, x_train[y_train == digit], x_test[y_test == digit],
                              out_dir / f"digit_{digit}.keras", command=command, replace_shipped=replace_shipped,
                              init_from=init_from, verbose=verbose, resume=resume,
                              extra_info={"class": digit, "family": "perclass"})
        models.append(result.model)
    errors = classify_errors(models, x_test)
    fit_x, fit_y, fit_note = _scale_fit_digits(x_train, y_train, cfg)
    fit_errors = classify_errors(models, fit_x)
    scales = fit_error_scales(fit_errors, fit_y)
    pred = relative_errors(errors, scales).argmin(axis=1)
    own = [float(np.median(fit_errors[(fit_y == d) & ~_augmented(fit_y, cfg), d])) for d in range(10)]
    summary = {
        "kind": "perclass", "accuracy": float(accuracy(y_test, pred)),
        "raw_accuracy": float(accuracy(y_test, errors.argmin(axis=1))),
        "confusion_matrix": confusion_matrix(y_test, pred, 10).tolist(),
        "per_class_mean_error": [[float(v) for v in errors[y_test == d].mean(axis=0)] for d in range(10)],
        "error_scale": [float(v) for v in scales],
        "error_scale_fit": fit_note,
        "typical_error": own,
        "config": cfg.to_dict(),
        "command": command,
        "test_images": int(len(y_test)),
    }
    write_sidecar(out_dir / "summary.keras", summary)
    print(f"per-class autoencoders: test accuracy {summary['accuracy']:.4f}", flush=True)
    return summary


def train_compression(cfg: TrainConfig, x_train: np.ndarray, x_test: np.ndarray, out_dir: Path, *,
                      sizes: Sequence[int], command: str | None, replace_shipped: bool = False,
                      init_from: str | Path | None = None, verbose: int = 0, resume: bool = False) -> list[dict]:
    """One dense autoencoder per code size beside PCA of that size; returns rows of code size, AE and PCA MSE."""
    from ae_core.analysis.compression import compression_ratio
    from ae_core.analysis.metrics import PCA
    out_dir = Path(out_dir)
    flat_tr, flat_te = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    rows = []
    for k in sizes:
        pca = PCA(k).fit(flat_tr)
        pca_mse = float(((pca.reconstruct(flat_te) - flat_te) ** 2).mean())
        _, info = train_one(dataclasses.replace(cfg, kind="dense", code_size=k), x_train, x_test,
                            out_dir / f"code_{k}.keras", command=command, replace_shipped=replace_shipped,
                            init_from=init_from, verbose=verbose, resume=resume,
                            extra_info={"family": "compression", "pca_mse": pca_mse,
                                        "compression_ratio": compression_ratio(k)})
        rows.append({"code_size": k, "ae_mse": info["test_metrics"]["mse"], "pca_mse": pca_mse})
    for row in rows:
        print(f"code {row['code_size']:3d}: autoencoder MSE {row['ae_mse']:.5f}  PCA MSE {row['pca_mse']:.5f}",
              flush=True)
    return rows

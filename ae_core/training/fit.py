"""Training on the fast path: `Model.fit` over a tf.data pipeline, with Keras callbacks for progress."""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ae_core.data.catalog import dataset_spec
from ae_core.files import read_json, write_json
from ae_core.models.builders import build_model
from ae_core.training.backup import PROGRESS, backup_epoch, read_backup
from ae_core.training.config import ConfigError, TrainConfig, validate_config

def loss_for(kind: str) -> str | None:
    """Keras loss name for a kind (None: the model computes its own, as the VAE does)."""
    return None if kind == "vae" else "binary_crossentropy"


def make_dataset(x: np.ndarray, cfg: TrainConfig, *, shuffle: bool = True, noisy: bool | None = None,
                 augment: bool | None = None, first_epoch: int = 0) -> tf.data.Dataset:
    """(input, target) batches; drawn-like variants each epoch with `cfg.augment` (training batches only),
    denoising inputs get fresh Gaussian noise each epoch.

    VAE inputs are binarised for MNIST (nearly black-and-white already) and kept at their gray levels for
    Fashion-MNIST, whose textures and shading are the point: there the Bernoulli cross-entropy takes gray
    targets.

    `first_epoch` (a resumed run) shifts the shuffle seed, so the resumed epochs do not replay the first orders.
    """
    noisy = (cfg.kind == "denoising") if noisy is None else noisy
    augment = (cfg.augment and shuffle) if augment is None else augment
    ds = tf.data.Dataset.from_tensor_slices(x)
    if shuffle:
        ds = ds.shuffle(min(len(x), 60000), seed=cfg.seed + first_epoch, reshuffle_each_iteration=True)
    ds = ds.batch(cfg.batch_size)
    if augment:
        from ae_core.training.augment import augment_dataset
        ds = augment_dataset(ds, cfg.seed + first_epoch)
    if cfg.kind == "vae" and dataset_spec(cfg.dataset).vae_binarised:  # after augmenting: crisp tilted edges
        return ds.map(lambda b: tf.cast(b > 0.5, tf.float32)).prefetch(tf.data.AUTOTUNE)
    if cfg.kind == "vae":
        return ds.prefetch(tf.data.AUTOTUNE)
    if noisy:
        factor = float(cfg.noise_factor)
        ds = ds.map(lambda b: (tf.clip_by_value(b + factor * tf.random.normal(tf.shape(b)), 0.0, 1.0), b),
                    num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda b: (b, b))
    return ds.prefetch(tf.data.AUTOTUNE)


class StopFlag(keras.callbacks.Callback):
    """Stops training at the next batch once `should_stop()` returns True."""

    def __init__(self, should_stop: Callable[[], bool]):
        super().__init__()
        self.should_stop = should_stop
        self.stopped = False

    def on_train_batch_end(self, batch, logs=None):
        if self.should_stop():
            self.stopped = True
            self.model.stop_training = True


class EpochSnapshots(keras.callbacks.Callback):
    """Calls `on_snapshot(epoch, logs, reconstructions)` after each epoch with reconstructions of `samples`."""

    def __init__(self, samples: np.ndarray, on_snapshot: Callable[[int, dict, np.ndarray], None]):
        super().__init__()
        self.samples = samples
        self.on_snapshot = on_snapshot

    def on_epoch_end(self, epoch, logs=None):
        rec = np.asarray(self.model(self.samples, training=False))
        self.on_snapshot(epoch, dict(logs or {}), rec)


def _seed_generators(model: keras.Model) -> list:
    """Every SeedGenerator of the model (the VAE's sampling noise): Keras' weights file leaves their state out."""
    found = []
    for layer in [model, *model._flatten_layers(include_self=False)]:
        for gen in getattr(layer, "_seed_generators", None) or []:
            if all(gen is not g for g in found):
                found.append(gen)
    return found


class TrainingBackup(keras.callbacks.BackupAndRestore):
    """Keras' BackupAndRestore (model and optimizer state each epoch) plus the run's history, time and RNG state.

    Kept after the run (delete_checkpoint=False): the caller removes it once the finished model is saved, so a
    kill while saving still resumes. Two checkpoints (double_checkpoint): a kill while writing one leaves the
    previous one. `progress.json` is written before Keras' own files, so it never lags behind them; on restore
    its history is cut to the epoch Keras restores.
    """

    def __init__(self, backup_dir: str | Path, cfg: TrainConfig):
        super().__init__(str(backup_dir), save_freq="epoch", double_checkpoint=True, delete_checkpoint=False)
        self.folder = Path(backup_dir)
        self.config = cfg.to_dict()
        self.history: dict[str, list[float]] = {}
        self.wall_before = 0.0
        self.resumed_at: list[int] = []

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        saved = read_backup(self.folder)
        if saved is not None:
            self.history, self.wall_before = saved.history, saved.wall_time_s
            self.resumed_at = [*saved.resumed_at, saved.epoch]
            states = read_json(self.folder / PROGRESS).get("seed_states") or []
            for gen, state in zip(_seed_generators(self.model), states):
                gen.state.assign(np.asarray(state, dtype=gen.state.dtype))
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json(self.folder / PROGRESS, {
            "config": self.config, "history": self.history, "wall_time_s": self.wall_time_s(),
            "resumed_at": self.resumed_at,
            "seed_states": [np.asarray(g.state).tolist() for g in _seed_generators(self.model)],
        })
        super().on_epoch_end(epoch, logs)

    def wall_time_s(self) -> float:
        """Training time over every run of this training, this one included."""
        return self.wall_before + time.perf_counter() - self._t0


def latent_snapshot(model: keras.Model, images: np.ndarray, grid: int, extent: float,
                    batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """(codes (N, 2) of `images` - a VAE's posterior means -, the grid x grid digits decoded over the plane)."""
    from ae_core.analysis.latent import grid_codes
    from ae_core.models.builders import decoder_of, encoder_of
    encoder, decoder = encoder_of(model), decoder_of(model)
    parts = []
    for i in range(0, len(images), batch):
        chunk = images[i:i + batch]
        out = encoder(chunk, training=False)
        parts.append(np.asarray(out[0] if isinstance(out, (list, tuple)) else out).reshape(len(chunk), -1))
    tiles = np.asarray(decoder(grid_codes(grid, extent), training=False))[..., 0]
    return np.concatenate(parts), tiles


@dataclass
class TrainResult:
    """A trained model, its per-epoch history and how long it took."""

    model: keras.Model
    history: dict[str, list[float]]
    wall_time_s: float
    epochs_run: int
    stopped_early: bool
    config: TrainConfig
    resumed_at: tuple[int, ...] = ()  # the finished epochs each resume of this training started from


def _optimizer(cfg: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    lr: float | keras.optimizers.schedules.LearningRateSchedule = cfg.learning_rate
    if cfg.lr_schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, decay_steps=cfg.epochs * steps_per_epoch,
                                                     alpha=0.05)
    return keras.optimizers.Adam(lr)


def steps_per_execution(kind: str, steps_per_epoch: int) -> int:
    """Training steps per compiled call: many for the tiny dense AE (Python overhead dominates), few otherwise.

    Batch callbacks (progress, Stop) run once per call, so an epoch keeps at least ~10 of them; 32 dense
    steps are a fraction of a second, and 4 steps of a conv model keep Stop within about a second.
    """
    most = 32 if kind == "dense" else 4
    return max(1, min(most, steps_per_epoch // 10))


def train(cfg: TrainConfig, x_train: np.ndarray, x_val: np.ndarray | None = None, *,
          callbacks: Sequence[keras.callbacks.Callback] = (), verbose: int | str = 0,
          model: keras.Model | None = None, backup_dir: str | Path | None = None) -> TrainResult:
    """Train a model of `cfg.kind` on float images (N,28,28,1) in [0,1]; returns model and history.

    With `backup_dir` the run is backed up each epoch (TrainingBackup) and, if that folder holds a backup,
    resumed from its last finished epoch; the history and time then cover every epoch, before and after.
    """
    cfg = validate_config(cfg)
    keras.utils.set_random_seed(cfg.seed)
    if cfg.train_size is not None:
        x_train = x_train[: cfg.train_size]
    if len(x_train) == 0:
        raise ConfigError("the training set is empty")
    if model is None:
        model = build_model(cfg.kind, code_size=cfg.code_size, hidden=cfg.hidden, filters=cfg.filters,
                            latent_dim=cfg.latent_dim, beta=cfg.beta, vae_layers=cfg.vae_layers)
    steps = math.ceil(len(x_train) / cfg.batch_size)
    model.compile(optimizer=_optimizer(cfg, steps), loss=loss_for(cfg.kind), jit_compile=False,
                  steps_per_execution=steps_per_execution(cfg.kind, steps))
    train_ds = make_dataset(x_train, cfg, first_epoch=backup_epoch(backup_dir))
    val_ds = make_dataset(x_val, cfg, shuffle=False) if x_val is not None else None
    stop_flags = [c for c in callbacks if isinstance(c, StopFlag)]
    backup = TrainingBackup(backup_dir, cfg) if backup_dir is not None else None
    t0 = time.perf_counter()
    # the backup comes first: it restores the weights and the epoch before the other callbacks start
    hist = model.fit(train_ds, validation_data=val_ds, epochs=cfg.epochs, shuffle=False, verbose=verbose,
                     callbacks=[*([backup] if backup else []), *callbacks])
    wall = time.perf_counter() - t0
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    if backup is not None:
        history, wall = backup.history, backup.wall_time_s()
    epochs_run = len(next(iter(history.values()), []))
    return TrainResult(model, history, wall, epochs_run, any(f.stopped for f in stop_flags), cfg,
                       tuple(backup.resumed_at) if backup else ())

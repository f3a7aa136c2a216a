"""Training: loss goes down, runs are reproducible and stoppable, the conv AE never collapses."""
from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from ae_core.training.evaluation import evaluate_model
from ae_core.training.config import ConfigError, TrainConfig, validate_config
from ae_core.training.fit import EpochSnapshots, StopFlag, train


def test_short_training_lowers_loss(small_digits):
    x, _ = small_digits
    res = train(TrainConfig(kind="dense", epochs=3, batch_size=64, train_size=1500), x, x[2000:2500])
    loss = res.history["loss"]
    assert len(loss) == 3 and loss[-1] < loss[0]
    assert res.history["val_loss"][-1] < res.history["val_loss"][0]


def test_training_is_reproducible(small_digits):
    x, _ = small_digits
    cfg = TrainConfig(kind="dense", epochs=1, batch_size=100, train_size=500, seed=7)
    a, b = train(cfg, x), train(cfg, x)
    assert a.history["loss"] == pytest.approx(b.history["loss"], rel=1e-5)
    c = train(TrainConfig(**{**cfg.__dict__, "seed": 8}), x)
    assert c.history["loss"] != pytest.approx(a.history["loss"], rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conv_ae_does_not_collapse(small_digits, seed):
    """The tutorial's conv AE under MSE collapsed to an all-black output in 2 of 3 seeds; ours must not."""
    x, _ = small_digits
    res = train(TrainConfig(kind="conv", epochs=2, batch_size=64, train_size=2000, seed=seed), x)
    test = x[2000:2500]
    out = np.asarray(res.model(test))
    all_black_mse = float(np.mean(test**2))  # what the collapsed network scores (0.114 on MNIST)
    mse = evaluate_model(res.model, "conv", test)["mse"]
    assert mse < 0.6 * all_black_mse, (seed, mse, all_black_mse)
    assert out.std(axis=0).mean() > 0.05  # outputs differ between digits: not a constant image


def test_denoising_and_vae_train(small_digits):
    x, _ = small_digits
    den = train(TrainConfig(kind="denoising", epochs=2, batch_size=64, train_size=1000), x)
    assert den.history["loss"][-1] < den.history["loss"][0]
    vae = train(TrainConfig(kind="vae", epochs=2, batch_size=64, train_size=1000, latent_dim=2), x)
    assert {"loss", "reconstruction", "kl"} <= set(vae.history)
    assert vae.history["loss"][-1] < vae.history["loss"][0]


def test_stop_flag_and_snapshots(small_digits):
    x, _ = small_digits
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] >= 3

    shots = []
    res = train(TrainConfig(kind="dense", epochs=5, batch_size=50, train_size=1000), x,
                callbacks=[StopFlag(should_stop), EpochSnapshots(x[:4], lambda e, logs, rec: shots.append(rec))])
    assert res.stopped_early and res.epochs_run == 1
    assert len(shots) == 1 and shots[0].shape == (4, 28, 28, 1)


class _Count(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def test_callbacks_see_every_batch(small_digits):
    x, _ = small_digits
    counter = _Count()
    train(TrainConfig(kind="dense", epochs=2, batch_size=100, train_size=450), x, callbacks=[counter])
    assert counter.batches == 2 * math.ceil(450 / 100)


@pytest.mark.parametrize("field,value", [
    ("epochs", 0), ("epochs", -3), ("epochs", float("nan")), ("epochs", 10**9), ("epochs", "ten"),
    ("batch_size", 0), ("learning_rate", 0.0), ("learning_rate", float("inf")), ("learning_rate", -1e-3),
    ("code_size", 0), ("noise_factor", -0.1), ("beta", float("nan")), ("train_size", 3), ("kind", "gan"),
    ("epochs", 2.5), ("epochs", True),
])
def test_nonsense_config_is_refused(field, value):
    with pytest.raises(ConfigError) as e:
        validate_config(TrainConfig(**{field: value}))
    assert field.split("_")[0] in str(e.value) or "model type" in str(e.value)


def test_valid_config_is_cleaned():
    cfg = validate_config(TrainConfig(epochs="3", learning_rate="0.01"))
    assert cfg.epochs == 3 and cfg.learning_rate == 0.01


def test_steps_per_execution_keeps_progress_and_stop_frequent():
    from ae_core.training.fit import steps_per_execution
    assert steps_per_execution("dense", 469) == 32  # full MNIST at batch 128: 15 progress calls an epoch
    assert steps_per_execution("conv", 469) == 4
    assert steps_per_execution("dense", 20) == 2 and steps_per_execution("vae", 5) == 1

"""Training throughput (images/s): the project's trainer vs plain `model.fit` vs the tutorial's eager loop.

Run: python bench/bench_training.py [--images N]
Targets: trainer >= 1.0x plain fit; trainer >= 200x the tutorial's loop (batch 4, eager GradientTape).
"""
from __future__ import annotations

import argparse
import time

import _common  # noqa: F401
import keras
import numpy as np
import tensorflow as tf

from ae_core.models.builders import build_dense
from ae_core.training.config import TrainConfig
from ae_core.training.fit import train


def data(n: int) -> np.ndarray:
    """Training digits: the full set when available, else the shipped sample repeated."""
    from ae_core.data.datasets import DatasetNotFoundError, load_mnist, load_sample, to_float_images
    try:
        (x, _), _ = load_mnist()
    except DatasetNotFoundError:
        x, _ = load_sample("mnist")
        x = np.concatenate([x] * (n // len(x) + 1))
    return to_float_images(x[:n])


def tutorial_loop(x: np.ndarray, steps: int) -> float:
    """The tutorial's loop: batch 4, eager GradientTape, Adam 1e-3, MSE; returns images/s."""
    model = build_dense(16)
    opt = keras.optimizers.Adam(1e-3)
    t0 = time.perf_counter()
    for i in range(steps):
        b = tf.constant(x[i * 4:(i + 1) * 4])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(b, training=True) - b))
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
    return steps * 4 / (time.perf_counter() - t0)


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t0)


def steady_rate(n: int, timer: EpochTimer) -> float:
    """Images/s over the epochs after the first (the first also traces the step function)."""
    later = timer.times[1:] or timer.times
    return n * len(later) / sum(later)


def plain_fit(x: np.ndarray, epochs: int) -> float:
    """Plain `model.fit` on numpy arrays at batch 128 with the same loss; returns images/s."""
    model = build_dense(16)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    timer = EpochTimer()
    model.fit(x, x, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    return steady_rate(len(x), timer)


def project_trainer(x: np.ndarray, epochs: int) -> float:
    """ae_core.training.fit.train (tf.data pipeline + fit, several steps per call) at batch 128; returns images/s."""
    timer = EpochTimer()
    train(TrainConfig(kind="dense", epochs=epochs, batch_size=128), x, callbacks=[timer])
    return steady_rate(len(x), timer)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--tutorial-steps", type=int, default=300)
    args = ap.parse_args()
    x = data(args.images)
    tut = tutorial_loop(x, args.tutorial_steps)
    fit = plain_fit(x, args.epochs)
    ours = project_trainer(x, args.epochs)
    print(f"dense AE, {len(x)} images, {args.epochs} epochs (rates from epochs 2..{args.epochs}, after tracing)")
    print(f"tutorial loop (batch 4, eager): {tut:10.0f} img/s  -> {60000 * 50 / tut / 3600:.1f} h for its 50 epochs")
    print(f"plain model.fit (batch 128):    {fit:10.0f} img/s  ({fit / tut:.0f}x the tutorial)")
    print(f"ae_core trainer (batch 128):    {ours:10.0f} img/s  ({ours / fit:.2f}x plain fit, {ours / tut:.0f}x the tutorial)")
    print(f"targets: >= 1.0x fit: {'met' if ours >= fit else 'MISSED'}; >= 200x tutorial: "
          f"{'met' if ours / tut >= 200 else 'MISSED'}")


if __name__ == "__main__":
    main()

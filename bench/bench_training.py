"""Training throughput (images/s): the project's trainer vs plain `model.fit` vs the tutorial's eager loop;
with --preset, the Train page's "Quick 2-d VAE for a talk" timed as the page runs it.

Run: python bench/bench_training.py [--images N]      (throughput)
     python bench/bench_training.py --preset           (the talk preset, in a background worker)
Targets: trainer >= 1.0x plain fit; trainer >= 200x the tutorial's loop (batch 4, eager GradientTape);
preset: a manifold of recognisable digits <= 60 s after Start (two cores), against the shipped 2-d VAE.
"""
from __future__ import annotations

import argparse
import os
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


def tile_classes(tiles: np.ndarray) -> np.ndarray:
    """The class the shipped per-class autoencoders give each decoded digit (the app's classifier)."""
    from ae_core.serving.file_classifier import open_classifier
    return open_classifier("mnist").predict(tiles)


def map_knn(codes: np.ndarray, labels: np.ndarray) -> float:
    """5-NN accuracy of the sample's last 1,000 codes among its first 2,000 (how clearly the map separates)."""
    from ae_core.analysis.separation import knn_accuracy
    return knn_accuracy(codes[:2000], labels[:2000], codes[2000:], labels[2000:])


def shipped_vae2_figures(grid: int, extent: float) -> tuple[int, float]:
    """(classes among the shipped 2-d VAE's grid x grid manifold, its 5-NN accuracy on the shipped sample)."""
    from ae_core.analysis.latent import grid_codes
    from ae_core.data.datasets import load_sample, to_float_images
    from ae_core.paths import SHIPPED_MODELS_DIR
    from ae_core.serving.runners import open_model
    vae = open_model(SHIPPED_MODELS_DIR / "vae2.keras")
    x, y = load_sample("mnist")
    codes = vae.encode(to_float_images(x)[..., 0])
    return len(set(tile_classes(vae.decode(grid_codes(grid, extent))))), map_knn(codes, y.astype(int))


def preset_run() -> None:
    """Start the talk preset as the page does (a niced background worker) and time its map, epoch by epoch."""
    import tempfile
    os.environ["AE_LAB_HOME"] = tempfile.mkdtemp(prefix="bench-preset-")
    from ae_core.training.config import TALK_PRESET
    from ae_core.training.jobs.manager import TrainingManager
    mgr = TrainingManager()
    cfg = TALK_PRESET
    t0 = time.perf_counter()
    job = mgr.start(cfg, "auto")
    seen: dict[int, float] = {}
    running_at = None
    while True:
        s = mgr.status(job)
        if running_at is None and s.state == "running" and s.batches:
            running_at = time.perf_counter() - t0
        for e in s.snapshots:
            seen.setdefault(e, time.perf_counter() - t0)
        if s.final:
            break
        time.sleep(0.05)
    done = time.perf_counter() - t0
    if s.state != "done":
        raise SystemExit(f"the preset's training ended {s.state}: {s.error} {s.detail}")
    grid, extent = int(s.latent_map["grid"]), float(s.latent_map["extent"])
    print(f"talk preset: dense 2-d VAE, {cfg.epochs} epochs on {s.data['train_images']:,} digits "
          f"({s.data['source']}), batch {cfg.batch_size}, lr {cfg.learning_rate:g}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  worker up, TensorFlow and data loaded: {running_at:5.1f} s after Start")
    print(f"  {'epoch':>5s} {'map on disk':>12s} {'loss':>7s} {'classes in the 8x8 manifold':>28s} {'5-NN':>6s}")
    for e in sorted(seen):
        codes, labels, tiles = mgr.latent_snapshot(job, e)
        print(f"  {e:5d} {seen[e]:10.1f} s {s.history['loss'][e - 1]:7.1f} {len(set(tile_classes(tiles))):28d} "
              f"{map_knn(codes, labels):6.1%}")
    print(f"  saved and exported (ONNX): {done:5.1f} s after Start (target: <= 60 s to a manifold of digits)")
    classes, knn = shipped_vae2_figures(grid, extent)
    print(f"  baseline, the shipped conv 2-d VAE (60,000 digits): {classes} classes in the same 8x8 grid, "
          f"5-NN {knn:.1%}")
    print(f"  manifold after the last epoch: {job.manifold_path(cfg.epochs)} (np.load, 64 x 28 x 28)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--tutorial-steps", type=int, default=300)
    ap.add_argument("--preset", action="store_true", help="time the Train page's talk preset instead")
    args = ap.parse_args()
    if args.preset:
        preset_run()
        return
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

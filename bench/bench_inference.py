"""Single-image latency of the app's inference path vs `model.predict` and eager calls (ratios, same run).

Run: python bench/bench_inference.py [--tf-defaults]   Target: all five models together <= 5 ms median.
Uses the app server's TensorFlow settings (ae_core.serving.tf_settings); --tf-defaults times TensorFlow's own instead.
"""
from __future__ import annotations

import sys

import _common  # noqa: F401  (sets up sys.path and TF logging)
from ae_core.serving.tf_settings import configure_serving_threads, prepare_serving_environment

SERVING = "--tf-defaults" not in sys.argv
if SERVING:
    prepare_serving_environment()  # before TensorFlow is imported, as app.py does

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from _common import median_ms, shipped_or_untrained
from ae_core.serving.runners import Reconstructor, compiled


def main() -> None:
    if SERVING:
        configure_serving_threads()
    print("TensorFlow settings:", "the app server's (ae_core.serving.tf_settings)" if SERVING else "TensorFlow's defaults")
    models = shipped_or_untrained()
    x = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
    xt = tf.constant(x)
    print(f"{'model':10s} {'app path':>10s} {'eager':>10s} {'predict':>10s} {'eager/app':>10s} {'predict/app':>12s}")
    for name, lm in models.items():
        fast = compiled(lambda b, m=lm.model: m(b, training=False))
        app, _ = median_ms(lambda: np.asarray(fast(xt)))
        eager, _ = median_ms(lambda: np.asarray(lm.model(x, training=False)), n=100)
        pred, _ = median_ms(lambda: lm.model.predict(x, verbose=0), n=40)
        print(f"{name:10s} {app:8.2f}ms {eager:8.2f}ms {pred:8.2f}ms {eager / app:9.1f}x {pred / app:11.1f}x")
    rec = Reconstructor(models)
    together, p95 = median_ms(lambda: rec.one(x[0, ..., 0]), n=300)
    eager_all, _ = median_ms(lambda: [np.asarray(lm.model(x, training=False)) for lm in models.values()], n=50)
    print(f"\nall five models, one compiled call: median {together:.2f} ms (p95 {p95:.2f} ms); "
          f"eager one-by-one {eager_all:.2f} ms ({eager_all / together:.1f}x slower)")
    print(f"target <= 5 ms median: {'met' if together <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()

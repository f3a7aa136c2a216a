"""Shipped models on drawn-like digits next to the MNIST test set: per-class accuracy and every model's MSE.

Run: AE_LAB_MNIST=.../mnist.npz python bench/bench_drawn.py [--models DIR] [--perclass DIR] [--font N] [--stroke N]
Drawn-like digits (ae_core.data.drawn): N font digits and N pen-stroke digits per class, made on the spot, and
the pad's own drawings where scripts/capture_pad_digits.py has captured them (in $AE_LAB_HOME/cache/pad-digits).
Targets (issue 12): per-class accuracy >= 90% drawn-like and >= 97% MNIST test; drawn-like MSE <= 1.3x MNIST's.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common  # noqa: F401  (sets up sys.path)
from ae_core.analysis.drawn_figures import classifier_figures, format_report, model_figures, shipped_models
from ae_core.data.datasets import load_mnist, to_float_images
from ae_core.data.drawn import drawn_digits
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.classifier import PerClassClassifier


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", type=Path, default=SHIPPED_MODELS_DIR, help="folder of the models")
    p.add_argument("--perclass", type=Path, default=None, help="per-class folder (default: MODELS/perclass)")
    p.add_argument("--font", type=int, default=50, help="font digits per class")
    p.add_argument("--stroke", type=int, default=20, help="pen-stroke digits per class")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-models", action="store_true", help="only the per-class classifier")
    args = p.parse_args()
    t0 = time.perf_counter()
    drawn = drawn_digits(args.font, args.stroke, args.seed)
    made = time.perf_counter() - t0
    _, (xte, yte) = load_mnist()
    xte = to_float_images(xte)
    clf = PerClassClassifier.load(args.perclass or args.models / "perclass")
    mnist_clf, drawn_clf = classifier_figures(clf, xte, yte), classifier_figures(clf, drawn.x, drawn.y)
    by_source = {s: classifier_figures(clf, drawn.part(s).x, drawn.part(s).y) for s in ("font", "stroke", "pad")
                 if (drawn.source == s).any()}
    models = {} if args.no_models else shipped_models(args.models)
    rows = model_figures(models, (xte, yte), drawn, clf)
    pads = int((drawn.source == "pad").sum())
    print(f"drawn-like digits: {len(drawn.y)} ({args.font} font + {args.stroke} stroke per class, seed {args.seed}, "
          f"{len(drawn.fonts)} fonts; {pads} drawn through the pad in chromium"
          + ("" if pads else ": run scripts/capture_pad_digits.py") + f"), made in {made:.1f} s; errors "
          + ("relative to each class's typical error" if clf.relative else "raw MSE"))
    print(format_report(mnist_clf, drawn_clf, by_source, rows))


if __name__ == "__main__":
    main()

"""Issue 12's targets on drawn-like digits (ae_core.data.drawn) next to the MNIST test set, on ONNX Runtime.

Needs the full MNIST (AE_LAB_MNIST or ../shared/data/mnist.npz); without it these tests skip with a message.
The figures themselves are printed by bench/bench_drawn.py and reported in README ("Drawn digits").
"""
from __future__ import annotations

import pytest

from ae_core.analysis.drawn_figures import (DRAWN_ACCURACY_TARGET, MNIST_ACCURACY_TARGET, MSE_RATIO_TARGET,
                                            classifier_figures, model_figures, shipped_models)
from ae_core.data.drawn import drawn_digits
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.classifier import PerClassClassifier

pytestmark = pytest.mark.full_data
#: Targets the shipped models do not meet yet, each a strict xfail: the test turns red the day one is met, so
#: the entry is removed then (README "Drawn digits" has the figures).
SHORT = {
    "perclass-drawn": "84.6% on drawn-like digits (83.4% with the smaller per-class models before; an augmented retraining gave 71.0%)",
    "vae2": "a 2-d code rebuilds off-style digits worst: 1.45x",
    "code_2": "1.37x", "code_4": "1.37x",
}
MODELS = ("dense", "conv", "denoising", "vae2", "vae16", "code_2", "code_4", "code_8", "code_16", "code_32",
          "code_64")


def _short(key: str):
    # not strict: the ratios move a little with the fonts a machine has, and these sit near the target
    return pytest.mark.xfail(strict=False, reason=f"not met yet: {SHORT[key]}") if key in SHORT else ()


@pytest.fixture(scope="module")
def drawn():
    return drawn_digits(50, 20, seed=0, pad=False)  # the same digits on every machine: no capture cache


@pytest.fixture(scope="module")
def classifier():
    return PerClassClassifier.load(SHIPPED_MODELS_DIR / "perclass")


@pytest.mark.xfail("perclass-mnist" in SHORT, strict=True, reason=f"not met yet: {SHORT.get('perclass-mnist')}")
def test_perclass_classifies_mnist_test_digits(full_mnist, classifier):
    _, _, xte, yte = full_mnist
    acc = classifier_figures(classifier, xte, yte)["accuracy"]
    assert acc >= MNIST_ACCURACY_TARGET, f"MNIST test accuracy {acc:.4f} < {MNIST_ACCURACY_TARGET}"


@pytest.mark.xfail("perclass-drawn" in SHORT, strict=True, reason=f"not met yet: {SHORT.get('perclass-drawn')}")
def test_perclass_classifies_drawn_like_digits(full_mnist, classifier, drawn):
    fig = classifier_figures(classifier, drawn.x, drawn.y)
    assert fig["accuracy"] >= DRAWN_ACCURACY_TARGET, f"drawn-like accuracy {fig['accuracy']:.4f}: {fig['per_class']}"


@pytest.fixture(scope="module")
def mse_rows(full_mnist, drawn):
    _, _, xte, yte = full_mnist
    return {r.name: r for r in model_figures(shipped_models(SHIPPED_MODELS_DIR), (xte, yte), drawn)}


@pytest.mark.parametrize("name", [pytest.param(m, marks=_short(m)) for m in MODELS])
def test_models_rebuild_drawn_like_digits_about_as_well(mse_rows, name):
    row = mse_rows[name]
    assert row.ratio <= MSE_RATIO_TARGET, (f"{name}: drawn-like MSE {row.drawn_mse:.4f} is {row.ratio:.2f}x its "
                                           f"MNIST test MSE {row.mnist_mse:.4f}")

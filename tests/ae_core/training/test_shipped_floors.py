"""The shipped models load, and meet their quality floors on the full MNIST test set (issue #2).

These tests need ../shared/data/mnist.npz (or AE_LAB_MNIST); without it they skip with a message.
They are never loosened, skipped or marked xfail while the dataset is present.
"""
from __future__ import annotations

import pytest

from ae_core.training.evaluation import FLOORS, evaluate_model
from ae_core.analysis.metrics import PCA, accuracy, per_image_mse
from ae_core.serving.classifier import PerClassClassifier
from ae_core.serving.registry import open_compression_series
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.models.files import load_model, read_sidecar

pytestmark = pytest.mark.full_data
KINDS = {"dense": "dense", "conv": "conv", "denoising": "denoising", "vae2": "vae", "vae16": "vae"}
#: Targets under a floor that an issue asked for (issue 12: the 16-d VAE sat at its floor, give it a margin).
MARGINS = {"vae16": 78.0}


@pytest.mark.parametrize("name", list(FLOORS))
def test_shipped_model_meets_floor(name, full_mnist):
    _, _, xte, _ = full_mnist
    path = SHIPPED_MODELS_DIR / f"{name}.keras"
    model = load_model(path)
    info = read_sidecar(path)
    assert info.get("kind") == KINDS[name] and info.get("command", "").startswith("python -m ae_core train")
    assert info["dataset"]["train_images"] == 60000
    metric, floor = FLOORS[name]
    value = evaluate_model(model, KINDS[name], xte)[metric]
    assert value <= floor, f"{name}: {metric} {value:.4f} misses the floor {floor}"
    if name in MARGINS:
        assert value <= MARGINS[name], f"{name}: {metric} {value:.4f} has no margin under its floor (<= {MARGINS[name]})"
    assert value == pytest.approx(info["test_metrics"][metric], rel=0.02)  # the sidecar tells the truth


def test_compression_models_beat_pca(full_mnist):
    xtr, _, xte, _ = full_mnist
    models = open_compression_series(SHIPPED_MODELS_DIR / "compression")  # served on ONNX Runtime
    assert sorted(models) == [2, 4, 8, 16, 32, 64]
    flat_tr, flat_te = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    pca = PCA(64).fit(flat_tr)
    for k, lm in models.items():
        ae = float(per_image_mse(lm.reconstruct(xte), xte).mean())
        pca_k = float(((pca.truncated(k).reconstruct(flat_te) - flat_te) ** 2).mean())
        assert ae < pca_k, f"code {k}: autoencoder {ae:.4f} not below PCA {pca_k:.4f}"
        assert lm.info["pca_mse"] == pytest.approx(pca_k, rel=0.02)


def test_perclass_accuracy_is_reported_truthfully(full_mnist):
    _, _, xte, yte = full_mnist
    clf = PerClassClassifier.load(SHIPPED_MODELS_DIR / "perclass")
    acc = accuracy(yte, clf.predict(xte))
    assert acc == pytest.approx(clf.info["accuracy"], abs=0.002)
    assert acc > 0.9  # far above chance; the figure itself is reported in the sidecar and README

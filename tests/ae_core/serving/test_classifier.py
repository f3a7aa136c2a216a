"""The per-class classifier on ONNX Runtime: ten errors per digit, the lowest one wins."""
import numpy as np

from ae_core.analysis.metrics import per_image_mse
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.classifier import PerClassClassifier


def test_shipped_perclass_classifier(small_digits):
    x, y = small_digits
    clf = PerClassClassifier.load(SHIPPED_MODELS_DIR / "perclass")
    errs = clf.errors(x[:200])
    assert errs.shape == (200, 10)
    np.testing.assert_allclose(errs[:, 3], per_image_mse(clf.models[3].reconstruct(x[:200]), x[:200]), rtol=1e-6)
    pred = clf.predict(x[:200])
    np.testing.assert_array_equal(pred, errs.argmin(axis=1))
    assert np.mean(pred == y[:200]) > 0.9  # the shipped models classify (96.9% on the full test set)
    recs = clf.reconstructions(x[0])
    assert recs.shape == (10, 28, 28)
    assert 0.9 < clf.info["accuracy"] < 1.0

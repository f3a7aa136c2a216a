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
    raw = clf.raw_errors(x[:200])
    np.testing.assert_allclose(raw[:, 3], per_image_mse(clf.models[3].reconstruct(x[:200]), x[:200]), rtol=1e-6)
    np.testing.assert_allclose(errs, raw / (clf.scales if clf.relative else 1.0), rtol=1e-9)
    pred = clf.predict(x[:200])
    np.testing.assert_array_equal(pred, errs.argmin(axis=1))
    assert np.mean(pred == y[:200]) > 0.9  # the shipped models classify (96.9% on the full test set)
    recs = clf.reconstructions(x[0])
    assert recs.shape == (10, 28, 28)
    assert 0.9 < clf.info["accuracy"] < 1.0


def test_error_scales_from_the_summary_change_the_prediction(small_digits):
    x, _ = small_digits
    shipped = PerClassClassifier.load(SHIPPED_MODELS_DIR / "perclass")
    raw = shipped.raw_errors(x[:20])
    plain = PerClassClassifier(shipped.models, {})
    assert not plain.relative and plain.error_label == "reconstruction MSE"
    np.testing.assert_allclose(plain.errors(x[:20]), raw)
    scales = np.ones(10)
    scales[raw[0].argmin()] = 1e-6  # the winning class's errors scaled out of reach
    scaled = PerClassClassifier(shipped.models, {"error_scale": scales.tolist()})
    assert scaled.relative and scaled.predict(x[:1])[0] != raw[0].argmin()
    broken = PerClassClassifier(shipped.models, {"error_scale": [1.0, -2.0]})  # malformed: ignored
    assert not broken.relative

"""Tests for ae_core.analysis.classification: reading the per-class summary and per-class reconstructions."""
import numpy as np

from ae_core.analysis.classification import class_reconstructions, summary_metrics


def test_summary_metrics_reads_sidecar():
    cm = np.eye(10, dtype=int) * 5
    cm[4, 9] = 2
    acc, got, n = summary_metrics({"accuracy": 0.96, "confusion_matrix": cm.tolist(), "test_images": 52})
    assert acc == 0.96 and n == 52
    np.testing.assert_array_equal(got, cm)


def test_summary_metrics_tolerates_missing_or_bad_parts():
    assert summary_metrics({}) == (None, None, None)
    assert summary_metrics(None) == (None, None, None)
    acc, cm, n = summary_metrics({"accuracy": "x", "confusion_matrix": [[1, 2, 3]]})
    assert acc is None and cm is None and n is None
    acc, cm, n = summary_metrics({"accuracy": float("nan"), "confusion_matrix": [[3, 1], [0, 4]]})
    assert acc is None and n == 8


def test_class_reconstructions_one_per_model():
    models = [lambda x, training=False, k=k: np.full(np.shape(x), k / 10, dtype="float32") for k in range(3)]
    out = class_reconstructions(models, np.zeros((28, 28)))
    assert out.shape == (3, 28, 28)
    np.testing.assert_allclose(out[:, 0, 0], [0.0, 0.1, 0.2])


def test_top_confusions():
    from ae_core.analysis.classification import top_confusions
    cm = np.diag([50, 50, 50])
    cm[0, 2], cm[2, 1], cm[1, 0] = 7, 9, 1
    assert top_confusions(cm, 2) == [(2, 1, 9), (0, 2, 7)]
    assert top_confusions(np.diag([3, 4])) == []

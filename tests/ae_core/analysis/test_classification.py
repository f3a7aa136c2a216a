"""Tests for ae_core.analysis.classification: reading the per-class summary."""
import numpy as np
import pytest

from ae_core.analysis.classification import predicted_class, summary_metrics


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


def test_predicted_class_is_the_lowest_error():
    errors = np.array([0.3, 0.05, 0.2, 0.05, 0.9])
    assert predicted_class(errors) == 1  # first of a tie, as argmin
    assert predicted_class(errors[None]) == 1  # one image's (1, n) row
    assert isinstance(predicted_class(errors), int)
    with pytest.raises(ValueError):
        predicted_class(np.array([]))

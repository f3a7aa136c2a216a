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


def test_error_scales_parse_only_ten_positive_numbers():
    from ae_core.analysis.classification import error_scales
    assert error_scales({"error_scale": [0.5] * 10}).tolist() == [0.5] * 10
    for bad in ([1.0] * 9, [1.0] * 9 + [0.0], [1.0] * 9 + [float("nan")], "x", None):
        assert error_scales({"error_scale": bad}) is None
    assert error_scales({}) is None and error_scales(None) is None


def test_relative_errors_divide_by_the_scales():
    from ae_core.analysis.classification import relative_errors
    e = np.array([[1.0, 2.0], [4.0, 1.0]])
    np.testing.assert_allclose(relative_errors(e, np.array([1.0, 4.0])), [[1.0, 0.5], [4.0, 0.25]])
    np.testing.assert_allclose(relative_errors(e, None), e)


def test_fitted_scales_undo_a_class_that_always_wins():
    from ae_core.analysis.classification import fit_error_scales
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 100)
    errors = rng.uniform(1.0, 2.0, (300, 3))
    errors[np.arange(300), y] *= 0.7  # the true class rebuilds best ...
    errors[:, 0] *= 0.5               # ... but class 0's autoencoder rebuilds everything with little error
    before = float((errors.argmin(axis=1) == y).mean())
    scales = fit_error_scales(errors, y)
    after = float(((errors / scales).argmin(axis=1) == y).mean())
    assert before < 0.5 and after > 0.75 and scales[0] < scales[1]


def test_class_accuracies():
    from ae_core.analysis.classification import class_accuracies
    assert class_accuracies(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), 4) == [0.5, 1.0, 0.0, None]

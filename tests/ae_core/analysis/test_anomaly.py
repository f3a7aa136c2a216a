"""Tests for ae_core.analysis.anomaly: noise images, scores, thresholds and the detection summary."""
import numpy as np
import pytest

from ae_core.analysis.anomaly import (
    default_threshold,
    image_error,
    is_anomaly,
    noise_images,
    reconstruction_errors,
    summarize,
    threshold_options,
)


class _Blur:
    """A stand-in runner: 'reconstructs' every image as its mean grey level."""

    def reconstruct(self, x):
        x = np.asarray(x, dtype=np.float32).reshape(-1, 28, 28)
        return np.broadcast_to(x.mean(axis=(1, 2), keepdims=True), x.shape)


def test_noise_images_shape_range_and_seed():
    a, b = noise_images(4, seed=3), noise_images(4, seed=3)
    assert a.shape == (4, 28, 28) and a.dtype == np.float32
    assert 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, noise_images(4, seed=4))
    assert noise_images(0).shape == (0, 28, 28)
    with pytest.raises(ValueError):
        noise_images(-1)


def test_reconstruction_errors_per_image():
    flat = np.full((2, 28, 28), 0.5, dtype=np.float32)
    errs = reconstruction_errors(_Blur(), np.concatenate([flat, noise_images(1)]))
    assert errs.shape == (3,)
    assert errs[0] == 0 and errs[1] == 0 and errs[2] > 0.05  # uniform noise: variance ~1/12
    assert reconstruction_errors(_Blur(), flat[0]).shape == (1,)  # a single 28x28 image
    assert reconstruction_errors(_Blur(), np.zeros((0, 28, 28))).shape == (0,)


def test_threshold_options_log_spaced_and_rounded():
    opts = threshold_options(np.array([0.001, 0.01]), np.array([0.1, 0.0, np.nan]))
    assert opts == sorted(set(opts))
    assert opts[0] == 0.001 and opts[-1] == 0.1
    assert all(float(f"{v:.3g}") == v for v in opts)
    ratios = np.diff(np.log10(opts))
    assert ratios.max() < 0.03  # ~121 steps over two decades
    assert threshold_options(np.array([0.0])) == [0.01]
    assert len(threshold_options(np.array([0.05, 0.05]))) > 10  # flat scores still give a usable range


def test_default_threshold_is_the_95th_percentile_option():
    normal = np.linspace(0.01, 0.02, 101)
    opts = threshold_options(normal, np.array([0.5]))
    t = default_threshold(normal, opts)
    assert t in opts
    assert abs(np.log(t / np.quantile(normal, 0.95))) < 0.03
    assert default_threshold(np.array([]), [1.0, 2.0, 3.0]) == 2.0
    with pytest.raises(ValueError):
        default_threshold(normal, [])


def test_image_error_is_the_single_images_score():
    img = noise_images(1, seed=5)[0]
    assert isinstance(image_error(_Blur(), img), float)
    assert image_error(_Blur(), img) == pytest.approx(float(reconstruction_errors(_Blur(), img[None])[0]))
    assert image_error(_Blur(), np.full((28, 28), 0.5, dtype=np.float32)) == pytest.approx(0.0)


def test_summarize_metrics():
    normal = np.array([1.0, 2.0, 3.0, 4.0])
    anomalies = {"a": np.array([2.5, 5.0]), "b": np.array([6.0, 7.0]), "empty": np.array([])}
    s = summarize(3.0, normal, anomalies)
    # flagged (> 3): normal 4; anomalies 5, 6, 7 -> tp 3, fp 1, fn 1
    assert s.precision == pytest.approx(0.75) and s.recall == pytest.approx(0.75)
    assert s.false_alarm_rate == pytest.approx(0.25)
    assert s.caught == {"a": 0.5, "b": 1.0}
    assert s.n_normal == 4 and s.n_anomalies == 4
    assert s.auc == pytest.approx(14 / 16)  # 2.5 beats two normals, 5, 6 and 7 beat all four
    assert s.fpr[0] == 0 and s.fpr[-1] == 1 and s.tpr[-1] == 1
    nothing = summarize(100.0, normal, anomalies)
    assert np.isnan(nothing.precision) and nothing.recall == 0
    with pytest.raises(ValueError):
        summarize(1.0, normal, {"empty": np.array([])})


def test_is_anomaly_strictly_above():
    assert is_anomaly(0.2, 0.1) and not is_anomaly(0.1, 0.1)

"""Tests for ae_core.figures.applications."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.figures.applications import class_error_bars, confusion_figure, error_histogram, roc_figure
from ae_core.figures.style import ACCENT
from tests.ae_core.figures.helpers import trace_named


def _step_densities(trace):
    x, y = np.asarray(trace.x), np.asarray(trace.y)
    k = (len(x) - 2) // 2
    return x[1 : 2 * k : 2], x[2 : 2 * k + 1 : 2], y[1 : 2 * k : 2]


def test_error_histogram_log_densities_and_lines(rng):
    normal = rng.lognormal(-4, 0.4, 2000)
    anomalies = {"letters": rng.lognormal(-3, 0.5, 150), "noise": rng.lognormal(-2, 0.3, 50)}
    fig = error_histogram(normal, anomalies, threshold=0.04, user_score=0.07)
    names = [t.name for t in fig.data]
    assert names == ["normal (n=2000)", "letters (n=150)", "noise (n=50)", "threshold", "your drawing"]
    assert fig.layout.xaxis.type == "log"
    lefts0, rights0, _ = _step_densities(fig.data[0])
    for trace, values in zip(fig.data[:3], [normal, *anomalies.values()]):
        left, right, dens = _step_densities(trace)
        np.testing.assert_allclose(left, lefts0)  # all groups share the same bins
        np.testing.assert_allclose(np.sum(dens * np.log10(right / left)), 1.0)
        counts, _ = np.histogram(values, bins=np.append(left, right[-1]))
        np.testing.assert_allclose(dens, counts / (values.size * np.log10(right / left)))
        assert trace.opacity == 0.6
    assert list(trace_named(fig, "threshold").x) == [0.04, 0.04]
    assert list(trace_named(fig, "your drawing").x) == [0.07, 0.07]
    top = max(np.max(t.y) for t in fig.data[:3])
    assert max(trace_named(fig, "threshold").y) >= top


def test_error_histogram_linear_matches_numpy_density(rng):
    normal, anom = rng.normal(1.0, 0.1, 500), rng.normal(1.5, 0.2, 80)
    fig = error_histogram(normal, {"odd": anom}, threshold=1.3, log_x=False, n_bins=25)
    assert [t.name for t in fig.data] == ["normal (n=500)", "odd (n=80)", "threshold"]
    assert fig.layout.xaxis.type != "log"
    left, right, dens = _step_densities(fig.data[1])
    expected, _ = np.histogram(anom, bins=np.append(left, right[-1]), density=True)
    np.testing.assert_allclose(dens, expected)
    assert len(dens) == 25


def test_error_histogram_clips_non_positive_scores_on_log_axis():
    fig = error_histogram(np.array([0.0, 0.01, 0.02]), {"x": np.array([0.1, 0.2])}, threshold=0.05)
    assert np.all(np.asarray(fig.data[0].x) > 0)


def test_roc_figure_traces_point_and_title():
    fpr, tpr = np.array([0.0, 0.1, 0.5, 1.0]), np.array([0.0, 0.6, 0.9, 1.0])
    fig = roc_figure(fpr, tpr, auc=0.8123, point=(0.1, 0.6))
    assert [t.name for t in fig.data] == ["chance", "ROC", "current threshold"]
    np.testing.assert_allclose(fig.data[1].x, fpr)
    np.testing.assert_allclose(fig.data[1].y, tpr)
    assert (fig.data[2].x[0], fig.data[2].y[0]) == (0.1, 0.6)
    assert "0.812" in fig.layout.title.subtitle.text
    assert list(fig.data[0].x) == [0, 1] and list(fig.data[0].y) == [0, 1]
    assert len(roc_figure(fpr, tpr, auc=0.5).data) == 2


def test_confusion_figure_cells_and_accuracy(rng):
    cm = rng.integers(0, 50, (10, 10))
    fig = confusion_figure(cm)
    (hm,) = fig.data
    np.testing.assert_array_equal(np.asarray(hm.text), cm)
    np.testing.assert_allclose(np.asarray(hm.z), cm / cm.sum(axis=1, keepdims=True))
    assert list(hm.x) == [str(i) for i in range(10)] == list(hm.y)
    assert hm.texttemplate == "%{text}"
    assert fig.layout.yaxis.autorange == "reversed"  # row 0 (true class 0) on top
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("predicted", "true")
    assert f"{np.trace(cm) / cm.sum():.1%}" in fig.layout.title.text


def test_confusion_figure_class_names_and_empty_rows():
    cm = np.array([[3, 1], [0, 0]])
    fig = confusion_figure(cm, class_names=["cat", "dog"])
    assert list(fig.data[0].x) == ["cat", "dog"]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), [[0.75, 0.25], [0.0, 0.0]])
    with pytest.raises(ValueError):
        confusion_figure(cm, class_names=["a", "b", "c"])


def test_class_error_bars_highlights_lowest(rng):
    errors = rng.uniform(0.02, 0.08, 10)
    fig = class_error_bars(errors)
    (bar,) = fig.data
    best = int(np.argmin(errors))
    np.testing.assert_allclose(bar.y, errors)
    colors = list(bar.marker.color)
    assert colors[best] == ACCENT and colors.count(ACCENT) == 1
    assert f"Prediction: {best}" in fig.layout.title.text
    fig2 = class_error_bars(errors, predicted=(best + 1) % 10)
    assert list(fig2.data[0].marker.color).index(ACCENT) == (best + 1) % 10

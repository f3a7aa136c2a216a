"""Tests for ae_core.figures.training."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.figures.training import loss_curve


def test_template_is_fixed_regardless_of_global_default(monkeypatch):
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    fig = loss_curve({"loss": [1.0, 0.5]})
    white = pio.templates["plotly_white"].layout.plot_bgcolor
    assert fig.layout.template.layout.plot_bgcolor == white


def test_loss_curve_one_line_per_key():
    hist = {"loss": [0.3, 0.2, 0.1], "val_loss": [0.35, 0.25, 0.2]}
    fig = loss_curve(hist, title="My run")
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["training", "validation"]
    for trace, key in zip(fig.data, hist):
        np.testing.assert_array_equal(trace.x, [1, 2, 3])
        np.testing.assert_allclose(trace.y, hist[key])
        assert "markers" in trace.mode
    assert fig.layout.title.text == "My run"
    assert fig.layout.xaxis.title.text == "epoch"


@pytest.mark.parametrize("hist", [{}, {"loss": [], "val_loss": []}])
def test_loss_curve_empty_history_shows_annotation(hist):
    fig = loss_curve(hist)
    assert len(fig.data) == 0
    assert any("no epochs yet" in a.text for a in fig.layout.annotations)


def test_loss_curve_nan_becomes_gap():
    fig = loss_curve({"loss": [0.5, float("nan"), 0.2]})
    assert list(fig.data[0].y) == [0.5, None, 0.2]

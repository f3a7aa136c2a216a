"""Tests for ae_core.figures.denoising."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.analysis.denoising import NOISY_INPUT
from ae_core.figures.denoising import error_curve_figure, error_vs_noise


def test_error_vs_noise_lines_and_current_marker():
    levels = [0.0, 0.1, 0.2, 0.4]
    curves = {"noisy input": [0.0, 0.01, 0.04, 0.16], "autoencoder": [0.01, 0.012, 0.02, 0.05]}
    fig = error_vs_noise(levels, curves, metric="MSE", current=0.2)
    assert [t.name for t in fig.data] == list(curves)
    for t, v in zip(fig.data, curves.values()):
        np.testing.assert_allclose(t.x, levels)
        np.testing.assert_allclose(t.y, v)
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == 0.2 and line.line.dash == "dash"
    assert fig.layout.yaxis.title.text == "MSE"
    assert len(error_vs_noise(levels, curves).layout.shapes) == 0
    with pytest.raises(ValueError):
        error_vs_noise(levels, {"bad": [1.0, 2.0]})


def test_error_curve_figure_styles_baseline_and_marks_current():
    curves = {NOISY_INPUT: [0, 0.1, 0.2], "Denoising AE": [0.01, 0.02, 0.03]}
    fig = error_curve_figure([0, 0.5, 1], curves, 0.5, noise_label="masking", n_images=200)
    base = [t for t in fig.data if t.name == NOISY_INPUT][0]
    assert base.line.dash == "dot"
    assert [t.name for t in fig.data] == list(curves)
    assert "clean digit" in fig.layout.title.text
    assert "masking" in fig.layout.title.subtitle.text and "200 test digits" in fig.layout.title.subtitle.text
    assert any(s.x0 == 0.5 for s in fig.layout.shapes)


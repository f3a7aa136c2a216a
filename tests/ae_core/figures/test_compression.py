"""Tests for ae_core.figures.compression."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.figures.compression import compression_curve


def test_compression_curve_traces_ratio_and_current():
    sizes = [2, 4, 8, 16, 32, 64]
    ae = [0.06, 0.045, 0.03, 0.018, 0.011, 0.008]
    pca = [0.07, 0.055, 0.04, 0.025, 0.015, 0.007]
    fig = compression_curve(sizes, ae, pca, current=8)
    assert [t.name for t in fig.data[:2]] == ["autoencoder", "PCA"]
    np.testing.assert_allclose(fig.data[0].customdata, 784 / np.array(sizes))
    np.testing.assert_allclose(fig.data[1].y, pca)
    assert fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == sizes
    cur = fig.data[2]
    assert list(cur.x) == [8, 8]
    np.testing.assert_allclose(cur.y, [ae[2], pca[2]])
    assert "98" in cur.name  # 784 / 8 = 98x smaller
    # unsorted input is sorted by size; no current -> no marker trace
    fig2 = compression_curve(sizes[::-1], ae[::-1], pca[::-1])
    assert len(fig2.data) == 2
    np.testing.assert_allclose(fig2.data[0].x, sizes)
    np.testing.assert_allclose(fig2.data[0].y, ae)

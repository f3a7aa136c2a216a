"""Tests for ae_core.figures.latent."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.figures.latent import latent_map, latent_scatter, manifold_image_figure
from ae_core.figures.style import DIGIT_COLORS


def test_builders_are_deterministic(rng):
    z, labels = rng.normal(size=(50, 2)), rng.integers(0, 10, 50)
    a = latent_scatter(z, labels, grid=4, highlight={"z": (0, 0)})
    b = latent_scatter(z, labels, grid=4, highlight={"z": (0, 0)})
    assert a.to_json() == b.to_json()


def test_latent_scatter_traces_and_customdata_map_back(rng):
    z, labels = rng.normal(size=(300, 2)), rng.integers(0, 10, 300)
    fig = latent_scatter(z, labels)
    assert [t.name for t in fig.data] == [str(d) for d in range(10)]
    assert all(isinstance(t, go.Scattergl) for t in fig.data)
    seen = []
    for d, trace in enumerate(fig.data):
        ids = np.asarray(trace.customdata)
        np.testing.assert_allclose(np.column_stack([trace.x, trace.y]), z[ids])
        assert np.all(labels[ids] == d)
        assert trace.marker.color == DIGIT_COLORS[d]
        seen.extend(ids.tolist())
    assert sorted(seen) == list(range(300))  # every row exactly once
    assert fig.layout.legend.title.text == "digit"
    assert fig.layout.yaxis.scaleanchor == "x"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("z1", "z2")
    assert "index %{customdata}" in fig.data[0].hovertemplate


def test_latent_scatter_options(rng):
    z, labels = rng.normal(size=(40, 2)), np.repeat([2, 5], 20)
    names = [f"class {i}" for i in range(10)]
    fig = latent_scatter(z, labels, class_names=names, render_mode="svg", customdata_ids=False)
    assert [t.name for t in fig.data] == ["class 2", "class 5"]
    assert all(type(t) is go.Scatter for t in fig.data)
    assert all(t.customdata is None for t in fig.data)
    assert fig.data[1].marker.color == DIGIT_COLORS[5]  # colour follows the digit, not the position
    with pytest.raises(ValueError):
        latent_scatter(z, labels, render_mode="canvas")


def test_latent_scatter_grid_path_and_highlight(rng):
    z, labels = rng.normal(size=(60, 2)), rng.integers(0, 3, 60)
    path = np.array([[-1.0, -1.0], [0.0, 0.5], [1.0, 2.0]])
    fig = latent_scatter(z, labels, grid=5, extent=2.0, path=path,
                           highlight={"z": (0.25, -0.5), "label": "your drawing"})
    assert [t.name for t in fig.data] == ["grid", "0", "1", "2", "interpolation", "your drawing"]
    grid = fig.data[0]
    gx, gy = np.asarray(grid.x), np.asarray(grid.y)
    assert gx.size == 25 and grid.showlegend is False
    assert (gx.min(), gx.max(), gy.min(), gy.max()) == (-2.0, 2.0, -2.0, 2.0)
    assert len(set(zip(gx.tolist(), gy.tolist()))) == 25
    assert np.all(np.asarray(grid.customdata) == -1)
    assert grid.marker.opacity <= 0.1
    assert "decode z=" in grid.hovertemplate
    np.testing.assert_allclose(np.column_stack([fig.data[4].x, fig.data[4].y]), path)
    star = fig.data[-1]
    assert (star.x[0], star.y[0]) == (0.25, -0.5)
    assert star.marker.symbol == "star"
    assert star.marker.size > fig.data[1].marker.size


def test_latent_scatter_without_extras(rng):
    fig = latent_scatter(rng.normal(size=(10, 2)), np.zeros(10, dtype=int))
    assert [t.name for t in fig.data] == ["0"]
    with pytest.raises(ValueError):
        latent_scatter(rng.normal(size=(10, 3)), np.zeros(10, dtype=int))


def test_latent_map_figure_overlays():
    rng = np.random.default_rng(1)
    z, labels = rng.standard_normal((40, 2)), np.arange(40) % 10
    path = np.linspace([0.0, 0.0], [1.0, 1.0], 5)
    fig = latent_map(z, labels, current=(0.5, -0.5), user=(1.0, 1.0), path=path, path_frame=2, grid=5,
                       extent=2.0, view=3.0)
    names = [t.name for t in fig.data]
    assert names[0] == "grid" and names[-2:] == ["this frame", "decoded here"]
    assert "your drawing" in names and "interpolation" in names
    cross = fig.data[-1]
    assert (cross.x[0], cross.y[0]) == (0.5, -0.5) and list(cross.customdata) == [-1]
    assert cross.hoverinfo == "skip"  # never catches a click meant for the plane under it
    ring = fig.data[-2]
    assert (ring.x[0], ring.y[0]) == (0.5, 0.5)
    # digits keep their look when selected / unselected; overlays are not in the legend
    digit0 = next(t for t in fig.data if t.name == "0")
    assert digit0.unselected.marker.opacity == digit0.marker.opacity
    assert not cross.showlegend and digit0.showlegend is not False
    assert list(fig.layout.xaxis.range) == [-3.0, 3.0] and list(fig.layout.yaxis.range) == [-3.0, 3.0]
    assert fig.layout.uirevision == "latent-map"
    assert type(cross).__name__ == "Scattergl"
    assert type(latent_map(z, labels, current=(0, 0), render_mode="svg").data[-1]).__name__ == "Scatter"


def test_latent_map_minimal_and_bad_frame():
    z, labels = np.zeros((3, 2)), np.array([1, 2, 3])
    fig = latent_map(z, labels)
    assert [t.name for t in fig.data] == ["1", "2", "3"]
    with pytest.raises(ValueError):
        latent_map(z, labels, path=np.zeros((3, 2)), path_frame=3)


def test_manifold_image_figure_geometry():
    n, extent = 5, 2.0
    canvas = np.zeros((n * 28, n * 28))
    fig = manifold_image_figure(canvas, extent, scale=1)
    assert len(fig.data) == 0 and len(fig.layout.images) == 1
    im = fig.layout.images[0]
    step = 2 * extent / (n - 1)
    assert im.x == pytest.approx(-extent - step / 2) and im.y == pytest.approx(extent + step / 2)
    assert im.sizex == pytest.approx(2 * extent + step) and im.xref == "x" and im.yref == "y"
    assert list(fig.layout.xaxis.range) == pytest.approx([-extent - step / 2, extent + step / 2])
    assert fig.layout.yaxis.autorange in (None, True) and fig.layout.yaxis.scaleanchor == "x"  # z2 points up
    assert len(fig.to_json()) < 20_000  # a PNG, not a (n*28)^2 heatmap
    with pytest.raises(ValueError):
        manifold_image_figure(np.zeros((30, 30)), extent)

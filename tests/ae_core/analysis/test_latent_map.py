"""Tests for ae_core.analysis.latent_map (clicks -> codes) and the figures.latent_map builder."""
import numpy as np
import pytest

from ae_core.figures import charts as F
from ae_core.analysis.latent_map import clicked_code, clip_code, plane_extent


def test_plane_extent_rounds_up_and_clips():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5000, 2))
    assert plane_extent(z) == 3.0  # 99 % of |N(0,1)| is below 2.58 -> rounded up to 3.0
    assert plane_extent(z * 0.01) == 1.5  # floor
    assert plane_extent(z * 100) == 6.0  # ceiling
    assert plane_extent(np.zeros((0, 2))) == 1.5
    assert plane_extent(np.array([[np.nan, 1.2]])) == 1.5


def test_clicked_digit_uses_exact_code_and_row():
    codes = np.array([[0.123456, -1.0], [2.5, 0.5]])
    z, row = clicked_code([{"x": 2.49, "y": 0.51, "customdata": 1, "curve_number": 3, "point_index": 0}], codes)
    assert row == 1
    np.testing.assert_allclose(z, [2.5, 0.5])


def test_clicked_plane_decodes_xy():
    codes = np.zeros((3, 2))
    z, row = clicked_code([{"x": -1.25, "y": 0.75, "customdata": -1}], codes)
    assert row is None
    np.testing.assert_allclose(z, [-1.25, 0.75])
    # customdata as a list (Plotly sends arrays for 2-d customdata) and missing customdata
    assert clicked_code([{"x": 1, "y": 2, "customdata": [0]}], codes)[1] == 0
    assert clicked_code([{"x": 1, "y": 2}], codes)[1] is None
    # out-of-range row falls back to x/y
    z, row = clicked_code([{"x": 1, "y": 2, "customdata": 7}], codes)
    assert row is None and list(z) == [1, 2]


def test_clicked_nothing_usable():
    assert clicked_code([], np.zeros((2, 2))) is None
    assert clicked_code([{"customdata": -1}], np.zeros((2, 2))) is None
    assert clicked_code([{"x": None, "y": 1, "customdata": "a"}], np.zeros((2, 2))) is None


def test_clip_code():
    np.testing.assert_allclose(clip_code([5.0, -9.0], 3.0), [3.0, -3.0])
    np.testing.assert_allclose(clip_code([0.5, -1.0], 3.0), [0.5, -1.0])


def test_latent_map_figure_overlays():
    rng = np.random.default_rng(1)
    z, labels = rng.standard_normal((40, 2)), np.arange(40) % 10
    path = np.linspace([0.0, 0.0], [1.0, 1.0], 5)
    fig = F.latent_map(z, labels, current=(0.5, -0.5), user=(1.0, 1.0), path=path, path_frame=2, grid=5,
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
    assert type(F.latent_map(z, labels, current=(0, 0), render_mode="svg").data[-1]).__name__ == "Scatter"


def test_latent_map_minimal_and_bad_frame():
    z, labels = np.zeros((3, 2)), np.array([1, 2, 3])
    fig = F.latent_map(z, labels)
    assert [t.name for t in fig.data] == ["1", "2", "3"]
    with pytest.raises(ValueError):
        F.latent_map(z, labels, path=np.zeros((3, 2)), path_frame=3)


def test_png_data_uri_round_trip():
    import base64
    import io

    from PIL import Image
    img = np.zeros((4, 6))
    img[1, 2] = 1.0
    uri = F.png_data_uri(img)
    assert uri.startswith("data:image/png;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert back.shape == (4, 6) and back[1, 2] == 255 and back.sum() == 255


def test_manifold_image_figure_geometry():
    n, extent = 5, 2.0
    canvas = np.zeros((n * 28, n * 28))
    fig = F.manifold_image_figure(canvas, extent, scale=1)
    assert len(fig.data) == 0 and len(fig.layout.images) == 1
    im = fig.layout.images[0]
    step = 2 * extent / (n - 1)
    assert im.x == pytest.approx(-extent - step / 2) and im.y == pytest.approx(extent + step / 2)
    assert im.sizex == pytest.approx(2 * extent + step) and im.xref == "x" and im.yref == "y"
    assert list(fig.layout.xaxis.range) == pytest.approx([-extent - step / 2, extent + step / 2])
    assert fig.layout.yaxis.autorange in (None, True) and fig.layout.yaxis.scaleanchor == "x"  # z2 points up
    assert len(fig.to_json()) < 20_000  # a PNG, not a (n*28)^2 heatmap
    with pytest.raises(ValueError):
        F.manifold_image_figure(np.zeros((30, 30)), extent)

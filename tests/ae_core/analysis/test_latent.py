"""Tests for ae_core.analysis.latent: code grids over the plane."""
import numpy as np

from ae_core.analysis.latent import clicked_code, clip_code, grid_codes, plane_extent
import pytest


def test_grid_codes_orientation():
    g = grid_codes(3, 2.0)
    assert g.shape == (9, 2)
    np.testing.assert_allclose(g[0], [-2.0, 2.0])  # top-left: low z1, high z2
    np.testing.assert_allclose(g[2], [2.0, 2.0])  # top-right
    np.testing.assert_allclose(g[6], [-2.0, -2.0])  # bottom-left


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

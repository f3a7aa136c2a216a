"""Tests for ae_core.figures.charts: trace structure, data mapping and image colours."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.figures import charts as F


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _by_name(fig, name):
    matches = [t for t in fig.data if t.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, got {[t.name for t in fig.data]}"
    return matches[0]


# ---------------------------------------------------------------- shared style
def test_template_is_fixed_regardless_of_global_default(monkeypatch):
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    fig = F.loss_curve({"loss": [1.0, 0.5]})
    white = pio.templates["plotly_white"].layout.plot_bgcolor
    assert fig.layout.template.layout.plot_bgcolor == white


def test_builders_are_deterministic(rng):
    z, labels = rng.normal(size=(50, 2)), rng.integers(0, 10, 50)
    a = F.latent_scatter(z, labels, grid=4, highlight={"z": (0, 0)})
    b = F.latent_scatter(z, labels, grid=4, highlight={"z": (0, 0)})
    assert a.to_json() == b.to_json()


# ---------------------------------------------------------------- loss curve
def test_loss_curve_one_line_per_key():
    hist = {"loss": [0.3, 0.2, 0.1], "val_loss": [0.35, 0.25, 0.2]}
    fig = F.loss_curve(hist, title="My run")
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
    fig = F.loss_curve(hist)
    assert len(fig.data) == 0
    assert any("no epochs yet" in a.text for a in fig.layout.annotations)


def test_loss_curve_nan_becomes_gap():
    fig = F.loss_curve({"loss": [0.5, float("nan"), 0.2]})
    assert list(fig.data[0].y) == [0.5, None, 0.2]


# ---------------------------------------------------------------- latent scatter
def test_latent_scatter_traces_and_customdata_map_back(rng):
    z, labels = rng.normal(size=(300, 2)), rng.integers(0, 10, 300)
    fig = F.latent_scatter(z, labels)
    assert [t.name for t in fig.data] == [str(d) for d in range(10)]
    assert all(isinstance(t, go.Scattergl) for t in fig.data)
    seen = []
    for d, trace in enumerate(fig.data):
        ids = np.asarray(trace.customdata)
        np.testing.assert_allclose(np.column_stack([trace.x, trace.y]), z[ids])
        assert np.all(labels[ids] == d)
        assert trace.marker.color == F.DIGIT_COLORS[d]
        seen.extend(ids.tolist())
    assert sorted(seen) == list(range(300))  # every row exactly once
    assert fig.layout.legend.title.text == "digit"
    assert fig.layout.yaxis.scaleanchor == "x"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("z1", "z2")
    assert "index %{customdata}" in fig.data[0].hovertemplate


def test_latent_scatter_options(rng):
    z, labels = rng.normal(size=(40, 2)), np.repeat([2, 5], 20)
    names = [f"class {i}" for i in range(10)]
    fig = F.latent_scatter(z, labels, class_names=names, render_mode="svg", customdata_ids=False)
    assert [t.name for t in fig.data] == ["class 2", "class 5"]
    assert all(type(t) is go.Scatter for t in fig.data)
    assert all(t.customdata is None for t in fig.data)
    assert fig.data[1].marker.color == F.DIGIT_COLORS[5]  # colour follows the digit, not the position
    with pytest.raises(ValueError):
        F.latent_scatter(z, labels, render_mode="canvas")


def test_latent_scatter_grid_path_and_highlight(rng):
    z, labels = rng.normal(size=(60, 2)), rng.integers(0, 3, 60)
    path = np.array([[-1.0, -1.0], [0.0, 0.5], [1.0, 2.0]])
    fig = F.latent_scatter(z, labels, grid=5, extent=2.0, path=path,
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
    fig = F.latent_scatter(rng.normal(size=(10, 2)), np.zeros(10, dtype=int))
    assert [t.name for t in fig.data] == ["0"]
    with pytest.raises(ValueError):
        F.latent_scatter(rng.normal(size=(10, 3)), np.zeros(10, dtype=int))


# ---------------------------------------------------------------- manifold
def test_manifold_grid_z_orientation():
    g = F.manifold_grid_z(3, 2.0)
    assert g.shape == (9, 2)
    np.testing.assert_allclose(g[0], [-2.0, 2.0])  # top-left: low z1, high z2
    np.testing.assert_allclose(g[2], [2.0, 2.0])  # top-right
    np.testing.assert_allclose(g[6], [-2.0, -2.0])  # bottom-left


def test_tile_images_places_tiles(rng):
    n = 3
    imgs = rng.random((n * n, 28, 28))
    canvas = F.tile_images(imgs, n)
    assert canvas.shape == (84, 84)
    for i in range(n):
        for j in range(n):
            np.testing.assert_array_equal(canvas[28 * i : 28 * (i + 1), 28 * j : 28 * (j + 1)], imgs[i * n + j])
    np.testing.assert_array_equal(F.tile_images(imgs.reshape(9, 784), n), canvas)
    np.testing.assert_array_equal(F.tile_images(imgs[..., None], n), canvas)
    with pytest.raises(ValueError):
        F.tile_images(imgs[:8], n)


def test_manifold_figure_tile_centres_sit_on_grid_points(rng):
    n, extent = 4, 3.0
    canvas = F.tile_images(rng.random((n * n, 28, 28)), n)
    fig = F.manifold_figure(canvas, extent)
    assert len(fig.data) == 1
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap)
    np.testing.assert_array_equal(np.asarray(hm.z)[0], canvas[-1])  # bottom heatmap row = last canvas row
    h = canvas.shape[0]

    def x_of_col(c):
        return hm.x0 + c * hm.dx

    def y_of_row(r):  # canvas row r sits at heatmap row h-1-r
        return hm.y0 + (h - 1 - r) * hm.dy

    grid = F.manifold_grid_z(n, extent)
    for i in range(n):
        for j in range(n):
            cx = (x_of_col(28 * j + 13) + x_of_col(28 * j + 14)) / 2
            cy = (y_of_row(28 * i + 13) + y_of_row(28 * i + 14)) / 2
            np.testing.assert_allclose([cx, cy], grid[i * n + j], atol=1e-12)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert hm.colorscale[0][1] == "#000000" and hm.colorscale[-1][1] == "#ffffff"


# ---------------------------------------------------------------- line charts
def test_error_vs_noise_lines_and_current_marker():
    levels = [0.0, 0.1, 0.2, 0.4]
    curves = {"noisy input": [0.0, 0.01, 0.04, 0.16], "autoencoder": [0.01, 0.012, 0.02, 0.05]}
    fig = F.error_vs_noise(levels, curves, metric="MSE", current=0.2)
    assert [t.name for t in fig.data] == list(curves)
    for t, v in zip(fig.data, curves.values()):
        np.testing.assert_allclose(t.x, levels)
        np.testing.assert_allclose(t.y, v)
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == 0.2 and line.line.dash == "dash"
    assert fig.layout.yaxis.title.text == "MSE"
    assert len(F.error_vs_noise(levels, curves).layout.shapes) == 0
    with pytest.raises(ValueError):
        F.error_vs_noise(levels, {"bad": [1.0, 2.0]})


def test_compression_curve_traces_ratio_and_current():
    sizes = [2, 4, 8, 16, 32, 64]
    ae = [0.06, 0.045, 0.03, 0.018, 0.011, 0.008]
    pca = [0.07, 0.055, 0.04, 0.025, 0.015, 0.007]
    fig = F.compression_curve(sizes, ae, pca, current=8)
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
    fig2 = F.compression_curve(sizes[::-1], ae[::-1], pca[::-1])
    assert len(fig2.data) == 2
    np.testing.assert_allclose(fig2.data[0].x, sizes)
    np.testing.assert_allclose(fig2.data[0].y, ae)


# ---------------------------------------------------------------- anomaly charts
def _step_densities(trace):
    x, y = np.asarray(trace.x), np.asarray(trace.y)
    k = (len(x) - 2) // 2
    return x[1 : 2 * k : 2], x[2 : 2 * k + 1 : 2], y[1 : 2 * k : 2]


def test_error_histogram_log_densities_and_lines(rng):
    normal = rng.lognormal(-4, 0.4, 2000)
    anomalies = {"letters": rng.lognormal(-3, 0.5, 150), "noise": rng.lognormal(-2, 0.3, 50)}
    fig = F.error_histogram(normal, anomalies, threshold=0.04, user_score=0.07)
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
    assert list(_by_name(fig, "threshold").x) == [0.04, 0.04]
    assert list(_by_name(fig, "your drawing").x) == [0.07, 0.07]
    top = max(np.max(t.y) for t in fig.data[:3])
    assert max(_by_name(fig, "threshold").y) >= top


def test_error_histogram_linear_matches_numpy_density(rng):
    normal, anom = rng.normal(1.0, 0.1, 500), rng.normal(1.5, 0.2, 80)
    fig = F.error_histogram(normal, {"odd": anom}, threshold=1.3, log_x=False, n_bins=25)
    assert [t.name for t in fig.data] == ["normal (n=500)", "odd (n=80)", "threshold"]
    assert fig.layout.xaxis.type != "log"
    left, right, dens = _step_densities(fig.data[1])
    expected, _ = np.histogram(anom, bins=np.append(left, right[-1]), density=True)
    np.testing.assert_allclose(dens, expected)
    assert len(dens) == 25


def test_error_histogram_clips_non_positive_scores_on_log_axis():
    fig = F.error_histogram(np.array([0.0, 0.01, 0.02]), {"x": np.array([0.1, 0.2])}, threshold=0.05)
    assert np.all(np.asarray(fig.data[0].x) > 0)


def test_roc_figure_traces_point_and_title():
    fpr, tpr = np.array([0.0, 0.1, 0.5, 1.0]), np.array([0.0, 0.6, 0.9, 1.0])
    fig = F.roc_figure(fpr, tpr, auc=0.8123, point=(0.1, 0.6))
    assert [t.name for t in fig.data] == ["chance", "ROC", "current threshold"]
    np.testing.assert_allclose(fig.data[1].x, fpr)
    np.testing.assert_allclose(fig.data[1].y, tpr)
    assert (fig.data[2].x[0], fig.data[2].y[0]) == (0.1, 0.6)
    assert "0.812" in fig.layout.title.text
    assert list(fig.data[0].x) == [0, 1] and list(fig.data[0].y) == [0, 1]
    assert len(F.roc_figure(fpr, tpr, auc=0.5).data) == 2


# ---------------------------------------------------------------- classification charts
def test_confusion_figure_cells_and_accuracy(rng):
    cm = rng.integers(0, 50, (10, 10))
    fig = F.confusion_figure(cm)
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
    fig = F.confusion_figure(cm, class_names=["cat", "dog"])
    assert list(fig.data[0].x) == ["cat", "dog"]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), [[0.75, 0.25], [0.0, 0.0]])
    with pytest.raises(ValueError):
        F.confusion_figure(cm, class_names=["a", "b", "c"])


def test_class_error_bars_highlights_lowest(rng):
    errors = rng.uniform(0.02, 0.08, 10)
    fig = F.class_error_bars(errors)
    (bar,) = fig.data
    best = int(np.argmin(errors))
    np.testing.assert_allclose(bar.y, errors)
    colors = list(bar.marker.color)
    assert colors[best] == F.ACCENT and colors.count(F.ACCENT) == 1
    assert f"Prediction: {best}" in fig.layout.title.text
    fig2 = F.class_error_bars(errors, predicted=(best + 1) % 10)
    assert list(fig2.data[0].marker.color).index(F.ACCENT) == (best + 1) % 10


# ---------------------------------------------------------------- images
def test_error_heatmap_colours():
    orig = np.zeros((28, 28))
    recon = np.zeros((28, 28))
    recon[0, 0] = 0.5  # = vmax -> brightest
    recon[0, 1] = 0.9  # above vmax -> clipped to brightest
    recon[0, 2] = 0.25  # half of vmax -> midway between anchors 3 and 4 of 8
    recon[0, 3] = 0.1
    img = F.error_heatmap(orig, recon, vmax=0.5)
    assert img.shape == (28, 28, 3) and img.dtype == np.uint8
    assert tuple(img[5, 5]) == (0, 0, 0)
    brightest = tuple(F.ERROR_CMAP_ANCHORS[-1].astype(int))
    assert tuple(img[0, 0]) == brightest == tuple(img[0, 1])
    mid = np.rint((F.ERROR_CMAP_ANCHORS[3] + F.ERROR_CMAP_ANCHORS[4]) / 2)
    np.testing.assert_array_equal(img[0, 2], mid)
    lum = img[0, [4, 3, 2, 0]].astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(lum) > 0)  # more error, brighter
    # symmetric in its arguments, uint8 input accepted
    np.testing.assert_array_equal(F.error_heatmap(recon, orig, vmax=0.5), img)
    np.testing.assert_array_equal(F.error_heatmap(np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8)),
                                  np.broadcast_to(np.array(brightest, np.uint8), (28, 28, 3)))


def test_to_uint8_conversions():
    np.testing.assert_array_equal(F.to_uint8(np.array([0.0, 1.0, 0.5, -1.0, 2.0, np.nan])),
                                  [0, 255, 128, 0, 255, 0])
    np.testing.assert_array_equal(F.to_uint8(np.array([True, False])), [255, 0])
    u = np.array([3, 200], dtype=np.uint8)
    assert F.to_uint8(u) is u


def test_upscale_nearest_neighbour(rng):
    img = rng.random((28, 28))
    big = F.upscale(img, factor=6)
    assert big.shape == (168, 168) and big.dtype == np.uint8
    small = F.to_uint8(img)
    for r, c in [(0, 0), (5, 17), (27, 27)]:
        assert np.all(big[6 * r : 6 * r + 6, 6 * c : 6 * c + 6] == small[r, c])
    rgb = F.error_heatmap(img, np.zeros((28, 28)))
    big_rgb = F.upscale(rgb, factor=3)
    assert big_rgb.shape == (84, 84, 3)
    np.testing.assert_array_equal(big_rgb[::3, ::3], rgb)


def test_interpolation_strip_layout(rng):
    frames = rng.random((5, 28, 28))
    strip = F.interpolation_strip(frames)
    assert strip.shape == (28, 5 * 28 + 4 * 2) and strip.dtype == np.uint8
    for i in range(5):
        x0 = i * 30
        np.testing.assert_array_equal(strip[:, x0 : x0 + 28], F.to_uint8(frames[i]))
        if i < 4:
            assert np.all(strip[:, x0 + 28 : x0 + 30] == 255)
    assert F.interpolation_strip(frames[:1]).shape == (28, 28)


def test_png_data_url_round_trips_gray_and_rgb():
    import base64
    import io

    from PIL import Image
    rng = np.random.default_rng(0)
    for img in (rng.random((28, 28)), (rng.random((28, 28, 3)) * 255).astype(np.uint8)):
        url = F.png_data_url(img)
        assert url.startswith("data:image/png;base64,")
        back = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
        np.testing.assert_array_equal(back, F.to_uint8(img))


def test_png_data_url_refuses_non_images():
    with pytest.raises(ValueError):
        F.png_data_url(np.zeros((2, 2, 2, 2)))


def test_figure_html_has_one_crisp_image_and_the_caption():
    html = F.figure_html(np.zeros((28, 28)), "error map<br>MSE 0.0100", 140)
    assert html.count("<img ") == 1 and 'width="140" height="140"' in html
    assert 'class="ae-fig"' in html and "<figcaption" in html and "MSE 0.0100" in html
    assert "<figcaption" not in F.figure_html(np.zeros((28, 28)), "", 100)

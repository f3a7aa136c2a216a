"""Tests for ae_core.figures.images."""
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_core.analysis.latent import grid_codes
from ae_core.figures.images import alt_text, error_heatmap, figure_html, interpolation_strip, png_data_url, tile_images, to_uint8, upscale
from ae_core.figures.latent import manifold_figure
from ae_core.figures.style import ERROR_CMAP_ANCHORS


def test_tile_images_places_tiles(rng):
    n = 3
    imgs = rng.random((n * n, 28, 28))
    canvas = tile_images(imgs, n)
    assert canvas.shape == (84, 84)
    for i in range(n):
        for j in range(n):
            np.testing.assert_array_equal(canvas[28 * i : 28 * (i + 1), 28 * j : 28 * (j + 1)], imgs[i * n + j])
    np.testing.assert_array_equal(tile_images(imgs.reshape(9, 784), n), canvas)
    np.testing.assert_array_equal(tile_images(imgs[..., None], n), canvas)
    with pytest.raises(ValueError):
        tile_images(imgs[:8], n)


def test_manifold_figure_tile_centres_sit_on_grid_points(rng):
    n, extent = 4, 3.0
    canvas = tile_images(rng.random((n * n, 28, 28)), n)
    fig = manifold_figure(canvas, extent)
    assert len(fig.data) == 1
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap)
    np.testing.assert_array_equal(np.asarray(hm.z)[0], canvas[-1])  # bottom heatmap row = last canvas row
    h = canvas.shape[0]

    def x_of_col(c):
        return hm.x0 + c * hm.dx

    def y_of_row(r):  # canvas row r sits at heatmap row h-1-r
        return hm.y0 + (h - 1 - r) * hm.dy

    grid = grid_codes(n, extent)
    for i in range(n):
        for j in range(n):
            cx = (x_of_col(28 * j + 13) + x_of_col(28 * j + 14)) / 2
            cy = (y_of_row(28 * i + 13) + y_of_row(28 * i + 14)) / 2
            np.testing.assert_allclose([cx, cy], grid[i * n + j], atol=1e-12)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert hm.colorscale[0][1] == "#000000" and hm.colorscale[-1][1] == "#ffffff"


def test_error_heatmap_colours():
    orig = np.zeros((28, 28))
    recon = np.zeros((28, 28))
    recon[0, 0] = 0.5  # = vmax -> brightest
    recon[0, 1] = 0.9  # above vmax -> clipped to brightest
    recon[0, 2] = 0.25  # half of vmax -> midway between anchors 3 and 4 of 8
    recon[0, 3] = 0.1
    img = error_heatmap(orig, recon, vmax=0.5)
    assert img.shape == (28, 28, 3) and img.dtype == np.uint8
    assert tuple(img[5, 5]) == (0, 0, 0)
    brightest = tuple(ERROR_CMAP_ANCHORS[-1].astype(int))
    assert tuple(img[0, 0]) == brightest == tuple(img[0, 1])
    mid = np.rint((ERROR_CMAP_ANCHORS[3] + ERROR_CMAP_ANCHORS[4]) / 2)
    np.testing.assert_array_equal(img[0, 2], mid)
    lum = img[0, [4, 3, 2, 0]].astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(lum) > 0)  # more error, brighter
    # symmetric in its arguments, uint8 input accepted
    np.testing.assert_array_equal(error_heatmap(recon, orig, vmax=0.5), img)
    np.testing.assert_array_equal(error_heatmap(np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8)),
                                  np.broadcast_to(np.array(brightest, np.uint8), (28, 28, 3)))


def test_to_uint8_conversions():
    np.testing.assert_array_equal(to_uint8(np.array([0.0, 1.0, 0.5, -1.0, 2.0, np.nan])),
                                  [0, 255, 128, 0, 255, 0])
    np.testing.assert_array_equal(to_uint8(np.array([True, False])), [255, 0])
    u = np.array([3, 200], dtype=np.uint8)
    assert to_uint8(u) is u


def test_upscale_nearest_neighbour(rng):
    img = rng.random((28, 28))
    big = upscale(img, factor=6)
    assert big.shape == (168, 168) and big.dtype == np.uint8
    small = to_uint8(img)
    for r, c in [(0, 0), (5, 17), (27, 27)]:
        assert np.all(big[6 * r : 6 * r + 6, 6 * c : 6 * c + 6] == small[r, c])
    rgb = error_heatmap(img, np.zeros((28, 28)))
    big_rgb = upscale(rgb, factor=3)
    assert big_rgb.shape == (84, 84, 3)
    np.testing.assert_array_equal(big_rgb[::3, ::3], rgb)


def test_interpolation_strip_layout(rng):
    frames = rng.random((5, 28, 28))
    strip = interpolation_strip(frames)
    assert strip.shape == (28, 5 * 28 + 4 * 2) and strip.dtype == np.uint8
    for i in range(5):
        x0 = i * 30
        np.testing.assert_array_equal(strip[:, x0 : x0 + 28], to_uint8(frames[i]))
        if i < 4:
            assert np.all(strip[:, x0 + 28 : x0 + 30] == 255)
    assert interpolation_strip(frames[:1]).shape == (28, 28)


def test_png_data_url_round_trips_gray_and_rgb():
    import base64
    import io

    from PIL import Image
    rng = np.random.default_rng(0)
    for img in (rng.random((28, 28)), (rng.random((28, 28, 3)) * 255).astype(np.uint8)):
        url = png_data_url(img)
        assert url.startswith("data:image/png;base64,")
        back = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
        np.testing.assert_array_equal(back, to_uint8(img))


def test_png_data_url_refuses_non_images():
    with pytest.raises(ValueError):
        png_data_url(np.zeros((2, 2, 2, 2)))


def test_figure_html_has_one_crisp_image_and_the_caption():
    html = figure_html(np.zeros((28, 28)), "error map<br>MSE 0.0100", 140)
    assert html.count("<img ") == 1 and 'width="140" height="140"' in html
    assert 'class="ae-fig"' in html and "<figcaption" in html and "MSE 0.0100" in html
    assert "<figcaption" not in figure_html(np.zeros((28, 28)), "", 100)


def test_figure_html_alt_text_is_given_or_the_captions_text_never_empty():
    html = figure_html(np.zeros((28, 28)), "reconstruction", 140, alt="Dense AE's reconstruction of your drawing, "
                       "MSE 0.0123 <&>")
    assert 'alt="Dense AE&#x27;s reconstruction of your drawing, MSE 0.0123 &lt;&amp;&gt;"' in html
    assert 'alt="error map, MSE 0.0100"' in figure_html(np.zeros((28, 28)), "error map<br>MSE 0.0100")
    assert 'alt="upload a&amp;b.png"' in figure_html(np.zeros((28, 28)), "<b>upload a&amp;b.png</b>")
    assert 'alt=""' in figure_html(np.zeros((28, 28)), "decoration", alt="")  # only when asked for


def test_alt_text_from_html_captions():
    assert alt_text("frame 1 of 10<br>z = (+0.10, -0.20)") == "frame 1 of 10, z = (+0.10, -0.20)"
    assert alt_text("<b>7</b>") == "7" and alt_text("") == ""


def test_png_data_url_round_trip():
    import base64
    import io

    from PIL import Image
    img = np.zeros((4, 6))
    img[1, 2] = 1.0
    uri = png_data_url(img)
    assert uri.startswith("data:image/png;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert back.shape == (4, 6) and back[1, 2] == 255 and back.sum() == 255

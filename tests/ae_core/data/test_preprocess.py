"""Tests for ae_core.data.preprocess: drawings and photos to MNIST-like 28x28 images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ae_core.data import datasets as data
from ae_core.data.preprocess import ink_fraction, to_gray, to_mnist

SEVEN = [(0.1, 0.1), (0.4, 0.1), (0.2, 0.55)]  # a "7" as fractions of the canvas side


def draw(size=(280, 280), mode="L", background=0, ink=255, points=SEVEN, width=14, offset=(0, 0)):
    """Draw a polyline digit on a fresh Pillow image."""
    img = Image.new(mode, size, background)
    w, h = size
    xy = [(x * w + offset[0], y * h + offset[1]) for x, y in points]
    ImageDraw.Draw(img).line(xy, fill=ink, width=width, joint="curve")
    return img


def center(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted centre of a 2-D image, in pixel indices."""
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / image.sum()), float((cols * image).sum() / image.sum())


def bbox_size(image: np.ndarray, threshold: float = 0.0) -> tuple[int, int]:
    """Height and width of the box around pixels above threshold."""
    rows, cols = np.nonzero(image > threshold)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def assert_mnist_like(out) -> None:
    """Check the output contract and MNIST's centring and scale."""
    assert out is not None
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 and out.max() > 0.5
    cy, cx = center(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1, (cy, cx)
    assert 18 <= max(bbox_size(out)) <= 20


@pytest.fixture(scope="module")
def baseline() -> np.ndarray:
    """The "7" drawn white on black, as a reference result."""
    out = to_mnist(draw())
    assert out is not None
    return out


# ----------------------------------------------------------------- geometry
def test_off_centre_stroke_is_centred_and_scaled():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[30:40, 20:120] = (255, 255, 255, 255)   # a horizontal bar near the top-left
    canvas[30:150, 110:120] = (255, 255, 255, 255)  # and a vertical one: an off-centre "7"
    out = to_mnist(canvas)
    assert_mnist_like(out)
    height, width = bbox_size(out, 0.05)
    assert height == 20 and 15 <= width <= 18  # 120 x 100 px box, aspect kept


def test_result_does_not_depend_on_position(baseline):
    moved = to_mnist(draw(offset=(120, 100)))
    assert_mnist_like(moved)
    assert np.abs(moved - baseline).max() < 0.05


def test_mnist_digits_survive_a_round_trip():
    x, _ = data.load_sample("mnist")
    for digit in x[:20]:
        out = to_mnist(digit)
        assert_mnist_like(out)
        assert np.abs(out - digit / 255.0).mean() < 0.03


# ----------------------------------------------------------------- nothing drawn
@pytest.mark.parametrize(
    "blank",
    [
        np.zeros((280, 280, 4), np.uint8),                        # untouched canvas
        np.full((280, 280, 4), (255, 255, 255, 0), np.uint8),     # transparent white
        np.full((280, 280, 4), 255, np.uint8),                    # canvas filled white
        np.full((50, 60), 0.4, np.float32),                       # uniform grey
        np.ones((1, 1), np.uint8),                                # a single pixel
    ],
)
def test_nothing_drawn_gives_none(blank):
    assert to_mnist(blank) is None


def test_blank_noisy_paper_photo_gives_none():
    paper = np.random.default_rng(0).normal(0.7, 0.03, (300, 400)).clip(0, 1)
    assert to_mnist(paper) is None


# ----------------------------------------------------------------- polarity and modes
def test_dark_on_light_becomes_white_on_black(baseline):
    out = to_mnist(draw(background=255, ink=0))
    assert_mnist_like(out)
    assert out[0, 0] == 0.0 and out[-1, -1] == 0.0
    assert np.abs(out - baseline).max() < 0.05


def test_photo_with_uneven_light_and_noise(baseline):
    rng = np.random.default_rng(1)
    light = np.linspace(0.55, 0.9, 600, dtype=np.float32)[None, :] * np.ones((500, 1), np.float32)
    ink = np.asarray(draw(size=(600, 500), width=30), np.float32) / 255.0
    photo = light * (1.0 - 0.8 * ink) + rng.normal(0, 0.02, light.shape).astype(np.float32)
    out = to_mnist(Image.fromarray((photo.clip(0, 1) * 255).astype(np.uint8)).convert("RGB"))
    assert_mnist_like(out)
    assert out[:3].max() == 0.0 and out[:, :3].max() == 0.0  # the lighting left no trace


@pytest.mark.parametrize("ink_rgba", [(255, 255, 255, 255), (0, 0, 0, 255), (200, 30, 30, 255)])
def test_canvas_ink_of_any_colour_on_transparent(baseline, ink_rgba):
    canvas = draw(mode="RGBA", background=(0, 0, 0, 0), ink=ink_rgba)
    out = to_mnist(np.asarray(canvas))
    assert_mnist_like(out)
    assert np.abs(out - baseline).max() < 0.1


@pytest.mark.parametrize(
    "convert",
    [
        lambda img: img.convert("RGB"),
        lambda img: img.convert("LA"),
        lambda img: img.convert("P"),
        lambda img: img.convert("1"),
        lambda img: Image.merge("CMYK", [Image.new("L", img.size)] * 3 + [Image.eval(img, lambda v: 255 - v)]),
        lambda img: Image.fromarray(np.asarray(img).astype(np.uint16) * 257),
        lambda img: img.convert("I"),
        lambda img: img.convert("F"),
        lambda img: np.asarray(img),
        lambda img: np.asarray(img)[..., None],
        lambda img: np.asarray(img.convert("RGB")),
        lambda img: np.asarray(img, np.float32) / 255.0,
        lambda img: np.asarray(img).astype(np.uint16) * 257,
        lambda img: np.asarray(img) > 127,
        lambda img: np.asarray(img).astype(np.int32) * 257,
    ],
    ids=["RGB", "LA", "P", "1", "CMYK", "I;16", "I", "F", "np-gray", "np-HW1", "np-RGB",
         "np-float", "np-uint16", "np-bool", "np-int32-16bit"],
)
def test_modes_and_dtypes_agree(baseline, convert):
    out = to_mnist(convert(draw()))
    assert_mnist_like(out)
    assert np.abs(out - baseline).max() < 0.35  # "1" and bool lose anti-aliasing
    assert np.abs(out - baseline).mean() < 0.03


def test_sixteen_bit_is_scaled_not_clipped():
    ramp = np.array([[0, 16384, 32768, 65535]], dtype=np.uint16)
    expected = ramp / 65535.0
    np.testing.assert_allclose(to_gray(Image.fromarray(ramp)), expected, atol=1e-4)
    np.testing.assert_allclose(to_gray(ramp), expected, atol=1e-4)


def test_alpha_is_composited_as_background():
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[1, 1, 3] = 255  # one opaque white pixel; the rest is invisible white
    gray = to_gray(rgba)
    assert gray[1, 1] == pytest.approx(1.0) and gray.sum() == pytest.approx(1.0)


# ----------------------------------------------------------------- dots, sizes
def test_single_dot_gives_a_centred_blob():
    canvas = np.zeros((280, 280, 4), np.uint8)
    yy, xx = np.indices((280, 280))
    canvas[(yy - 40) ** 2 + (xx - 200) ** 2 <= 36] = 255
    out = to_mnist(canvas)
    assert out is not None
    cy, cx = center(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    assert 0 < ink_fraction(out) < 0.6


def test_single_pixel_dot():
    img = np.zeros((50, 50), np.uint8)
    img[3, 44] = 255
    out = to_mnist(img)
    assert out is not None and out.max() == pytest.approx(1.0)
    cy, cx = center(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


@pytest.mark.parametrize("shape", [(2, 2), (3, 1), (1, 7), (5, 5, 3)])
def test_tiny_inputs(shape):
    img = np.zeros(shape, np.uint8)
    img[(0,) * len(shape)] = 255
    out = to_mnist(img)
    assert out is not None and out.shape == (28, 28)


def test_large_input_is_handled(baseline):
    big = draw(size=(4000, 4000), width=200)
    out = to_mnist(big)
    assert_mnist_like(out)
    assert np.abs(out - baseline).mean() < 0.03


def test_extreme_aspect_ratio():
    line = np.zeros((1, 5000), np.uint8)
    line[0, 1000:4000] = 255
    out = to_mnist(line)
    assert out is not None and bbox_size(out) == (1, 20)


@pytest.mark.parametrize("bad", [np.zeros((0, 5)), np.zeros((4, 4, 5)), np.zeros((2, 2, 2, 2)), np.array([["a"]])])
def test_bad_arrays_raise_value_error(bad):
    with pytest.raises(ValueError):
        to_mnist(bad)


def test_ink_fraction():
    image = np.zeros((28, 28), np.float32)
    image[:7] = 1.0
    image[7:14] = 0.3
    assert ink_fraction(image) == pytest.approx(0.25)
    assert ink_fraction(image, threshold=0.2) == pytest.approx(0.5)

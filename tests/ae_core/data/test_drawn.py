"""Drawn-like digits: made on demand, seeded, through the app's own preprocessing."""
from __future__ import annotations

import numpy as np
import pytest

from ae_core.data import drawn


def test_font_digits_are_seeded_mnist_style_images():
    fonts = drawn.font_files()
    if not fonts:
        pytest.skip("no fonts installed (scripts/setup.sh installs them)")
    x, y, names = drawn.font_digits(2, seed=3)
    again, _, _ = drawn.font_digits(2, seed=3)
    other, _, _ = drawn.font_digits(2, seed=4)
    assert x.shape == (20, 28, 28, 1) and x.dtype == np.float32 and sorted(y.tolist()) == sorted(list(range(10)) * 2)
    assert 0.0 <= x.min() and x.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(x, again)
    assert not np.array_equal(x, other)
    assert len(names) == len(fonts)
    # the app's preprocessing: ink fitted to a 20-pixel box, centred by mass (MNIST's recipe)
    rows = np.flatnonzero(x[0, ..., 0].any(axis=1))
    cols = np.flatnonzero(x[0, ..., 0].any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21


def test_stroke_digits_need_no_fonts():
    x, y = drawn.stroke_digits(1, seed=0)
    assert x.shape == (10, 28, 28, 1) and y.tolist() == list(range(10))
    assert all(x[i].max() > 0.5 for i in range(10))


def test_no_fonts_is_a_clear_error():
    with pytest.raises(drawn.NoFontsError, match="fonts-dejavu"):
        drawn.font_digits(1, fonts=[])


def test_every_digit_has_ways_of_writing_it():
    assert sorted(drawn.STROKES) == list(range(10))
    for ways in drawn.STROKES.values():
        assert ways and all(0.0 <= v <= 1.0 for way in ways for s in way for p in s for v in p)


def test_drawn_set_parts():
    s = drawn.drawn_digits(1, 1, seed=0)
    assert set(s.source.tolist()) <= {"font", "stroke"}
    assert len(s.part("stroke").y) == 10 and len(s.part("font").y) + 10 == len(s.y)


def test_pad_captures_are_read_through_the_preprocessing(tmp_path):
    from PIL import Image
    x, _ = drawn.stroke_digits(1, seed=0)
    for d in (3, 7):
        Image.fromarray((255 - x[d, ..., 0] * 255).astype(np.uint8)).resize((128, 128)).save(tmp_path / f"{d}_000.png")
    (tmp_path / "5_000.png").write_bytes(b"not a png")  # a damaged cache file is skipped
    px, py = drawn.pad_digits(tmp_path)
    assert py.tolist() == [3, 7] and px.shape == (2, 28, 28, 1)
    assert px[0, 0, 0, 0] == 0.0 and px.max() == pytest.approx(1.0)  # dark-on-light turned to MNIST's polarity
    s = drawn.drawn_digits(1, 1, pad_folder=tmp_path)
    assert (s.source == "pad").sum() == 2
    assert (drawn.drawn_digits(1, 1, pad=False, pad_folder=tmp_path).source == "pad").sum() == 0
    assert drawn.pad_digits(tmp_path / "missing")[0].shape == (0, 28, 28, 1)

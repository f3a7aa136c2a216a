"""Tests for ae_core.data.noise: kinds, amounts, reproducibility and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ae_core.data.noise import NOISE_KINDS, NOISE_LABELS, add_noise

GREY = np.full((40, 28, 28, 1), 0.5, dtype=np.float32)  # every pixel changes when hit


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_shape_dtype_range_and_input_untouched(kind):
    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype(np.float32)
    before = x.copy()
    out = add_noise(x, kind, 0.5, seed=1)
    assert out.shape == x.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.array_equal(out, x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_same_seed_same_noise(kind):
    a = add_noise(GREY, kind, 0.3, seed=7)
    np.testing.assert_array_equal(a, add_noise(GREY, kind, 0.3, seed=7))
    assert not np.array_equal(a, add_noise(GREY, kind, 0.3, seed=8))


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_zero_amount_changes_nothing(kind):
    x = np.random.default_rng(2).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(add_noise(x, kind, 0.0), x)


def test_gaussian_noise_has_the_requested_spread():
    out = add_noise(GREY, "gaussian", 0.1, seed=3)
    assert np.std(out - GREY) == pytest.approx(0.1, rel=0.05)
    assert abs(float(np.mean(out - GREY))) < 0.01


def test_gaussian_large_factor_is_clipped():
    out = add_noise(GREY, "gaussian", 5.0, seed=4)
    assert out.min() == 0.0 and out.max() == 1.0


@pytest.mark.parametrize("amount", [0.1, 0.5, 0.9])
def test_masking_turns_off_the_requested_fraction(amount):
    out = add_noise(GREY, "masking", amount, seed=5)
    changed = out != GREY
    assert changed.mean() == pytest.approx(amount, abs=0.02)
    assert np.all(out[changed] == 0.0)


@pytest.mark.parametrize("amount", [0.1, 0.5, 1.0])
def test_salt_and_pepper_fraction_and_balance(amount):
    out = add_noise(GREY, "salt_pepper", amount, seed=6)
    changed = out != GREY
    assert changed.mean() == pytest.approx(amount, abs=0.02)
    assert set(np.unique(out[changed])) <= {0.0, 1.0}
    assert (out[changed] == 1.0).mean() == pytest.approx(0.5, abs=0.05)


def test_uint8_input_is_scaled():
    x = np.full((2, 28, 28), 255, dtype=np.uint8)
    out = add_noise(x, "masking", 0.0)
    assert out.dtype == np.float32 and out.max() == 1.0


def test_unknown_kind_names_valid_kinds():
    with pytest.raises(ValueError, match="gaussian, salt_pepper, masking"):
        add_noise(GREY, "speckle", 0.1)


@pytest.mark.parametrize(
    "kind, amount",
    [("gaussian", -0.1), ("gaussian", 5.5), ("masking", 1.2), ("salt_pepper", -1),
     ("masking", math.nan), ("gaussian", math.inf), ("masking", "lots"), ("gaussian", None),
     ("masking", True)],
)
def test_bad_amounts_raise(kind, amount):
    with pytest.raises(ValueError, match="amount"):
        add_noise(GREY, kind, amount)


def test_every_kind_has_a_label():
    assert set(NOISE_LABELS) == set(NOISE_KINDS)
    assert all(label.strip() for label in NOISE_LABELS.values())

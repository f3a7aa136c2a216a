"""Augmentation on the fly: drawn-like variants of the training digits, new each epoch, training batches only."""
from __future__ import annotations

import numpy as np
import pytest

from ae_core.training.augment import DrawnLike
from ae_core.training.config import TrainConfig, config_problems
from ae_core.training.fit import make_dataset


def test_variants_are_digits_in_range_and_differ(small_digits):
    x, _ = small_digits
    out = np.asarray(DrawnLike(0)(x[:64]))
    assert out.shape == (64, 28, 28, 1) and out.min() >= 0.0 and out.max() <= 1.0
    changed = np.abs(out - x[:64]).mean(axis=(1, 2, 3))
    assert (changed > 0.005).mean() > 0.9  # nearly every digit moved, tilted, thickened or wobbled
    ink_ratio = out.sum(axis=(1, 2, 3)) / x[:64].sum(axis=(1, 2, 3))
    assert 0.3 < np.median(ink_ratio) < 2.0 and (out.reshape(64, -1).max(axis=1) > 0.5).all()  # still a digit


def test_stroke_weight_goes_both_ways(small_digits):
    x, _ = small_digits
    ink_ratio = np.asarray(DrawnLike(1)(x[:300])).sum(axis=(1, 2, 3)) / x[:300].sum(axis=(1, 2, 3))
    assert (ink_ratio > 1.4).mean() > 0.1 and (ink_ratio < 0.8).mean() > 0.03  # some bolder, some thinner


def test_only_training_batches_are_augmented(small_digits):
    x, _ = small_digits
    cfg = TrainConfig(augment=True, batch_size=50)
    val_in, val_target = next(iter(make_dataset(x[:50], cfg, shuffle=False)))
    np.testing.assert_array_equal(val_in, x[:50])
    tr_in, tr_target = next(iter(make_dataset(x[:50], cfg)))
    np.testing.assert_array_equal(tr_in, tr_target)  # an autoencoder rebuilds the variant it was shown
    assert not np.allclose(np.sort(np.asarray(tr_in).ravel()), np.sort(x[:50].ravel()))
    epoch1 = [np.asarray(b[0]) for b in make_dataset(x[:50], TrainConfig(augment=True, batch_size=50, seed=2))]
    ds = make_dataset(x[:50], TrainConfig(augment=True, batch_size=50, seed=2))
    first, second = (np.asarray(next(iter(ds))[0]) for _ in range(2))
    assert not np.allclose(first, second)  # a fresh variant each epoch
    assert len(epoch1) == 1


def test_vae_variants_are_binarised(small_digits):
    x, _ = small_digits
    batch = np.asarray(next(iter(make_dataset(x[:32], TrainConfig(kind="vae", augment=True, batch_size=32)))))
    assert set(np.unique(batch).tolist()) <= {0.0, 1.0}


def test_augment_is_a_recorded_setting():
    assert TrainConfig(augment=True).to_dict()["augment"] is True
    assert any("augment" in p for p in config_problems(TrainConfig(augment="yes")))

"""Tests for ae_core.analysis.compression: ratios, sidecar curves, PCA rebuilds and example picking."""
import numpy as np
import pytest

from ae_core.analysis import compression as C


def test_ratio():
    assert C.compression_ratio(16) == 49.0
    assert C.ratio_text(16) == "784 → 16 numbers (49× smaller)"
    assert C.ratio_text(64) == "784 → 64 numbers (12.2× smaller)"
    with pytest.raises(ValueError):
        C.compression_ratio(0)


def test_sidecar_curve_reads_figures_and_flags_incomplete():
    infos = {
        8: {"test_metrics": {"mse": 0.03}, "pca_mse": 0.04},
        2: {"test_metrics": {"mse": 0.05}, "pca_mse": 0.06},
        4: {"test_metrics": {"mse": 0.04}},  # no PCA figure
        16: {},
        32: {"test_metrics": {"mse": float("nan")}, "pca_mse": 0.01},
    }
    curve = C.sidecar_curve(infos)
    assert curve.sizes == [2, 8]
    assert curve.ae_mse == [0.05, 0.03]
    assert curve.pca_mse == [0.06, 0.04]
    assert curve.incomplete == [4, 16, 32]
    assert C.sidecar_curve({}).sizes == []


@pytest.fixture(scope="module")
def digits(small_digits):
    return small_digits[0][..., 0]


def test_pca_rebuild_improves_with_more_components(digits):
    pca = C.fit_pca(digits[200:1200], 32)
    test = digits[:50]
    errs = [np.mean((C.pca_rebuild(pca, test, k) - test) ** 2) for k in (2, 8, 32)]
    assert errs[0] > errs[1] > errs[2]
    rec = C.pca_rebuild(pca, test, 8)
    assert rec.shape == test.shape and rec.dtype == np.float32
    assert rec.min() >= 0.0 and rec.max() <= 1.0


def test_rebuild_across_sizes_uses_available_models_only(digits):
    pca = C.fit_pca(digits[100:600], 8)
    seen = []

    def fake_ae(batch):
        seen.append(batch.shape)
        return np.zeros_like(batch)

    out = C.rebuild_across_sizes(digits[:3], [2, 4, 16], pca, {4: fake_ae})
    assert set(out["autoencoder"]) == {4}
    assert set(out["PCA"]) == {2, 4}  # 16 > the PCA's 8 components
    assert out["autoencoder"][4].shape == (3, 28, 28)
    assert seen == [(3, 28, 28)]
    single = C.rebuild_across_sizes(digits[0], [2], None, {2: fake_ae})
    assert single["autoencoder"][2].shape == (1, 28, 28) and single["PCA"] == {}


def test_example_indices():
    labels = np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    assert C.example_indices(labels, (0, 4, 5)) == [3, 4, 8]
    assert C.example_indices(labels, (5, 3), limit=6) == []

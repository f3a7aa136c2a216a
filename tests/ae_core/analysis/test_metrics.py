"""Tests for ae_core.analysis.metrics against brute-force or closed-form computations."""

from itertools import product

import numpy as np
import pytest

from ae_core.analysis import metrics as M


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------- reconstruction errors
def test_mse_matches_explicit_loop(rng):
    a, b = rng.random((4, 5, 6)), rng.random((4, 5, 6))
    total = sum((a[idx] - b[idx]) ** 2 for idx in product(range(4), range(5), range(6)))
    assert M.mse(a, b) == pytest.approx(total / a.size)
    assert isinstance(M.mse(a, b), float)


def test_mse_rejects_mismatched_sizes(rng):
    with pytest.raises(ValueError):
        M.mse(rng.random((3, 4)), rng.random((3, 5)))


def test_per_image_mse_same_for_all_layouts(rng):
    a, b = rng.random((7, 28, 28)), rng.random((7, 28, 28))
    expected = np.array([np.mean((a[i] - b[i]) ** 2) for i in range(7)])
    np.testing.assert_allclose(M.per_image_mse(a, b), expected)
    np.testing.assert_allclose(M.per_image_mse(a[..., None], b[..., None]), expected)
    np.testing.assert_allclose(M.per_image_mse(a.reshape(7, 784), b), expected)
    # equal-sized images: mean of per-image errors is the global error
    assert M.per_image_mse(a, b).mean() == pytest.approx(M.mse(a, b))


def test_per_image_mse_rejects_different_batch(rng):
    with pytest.raises(ValueError):
        M.per_image_mse(rng.random((3, 784)), rng.random((4, 784)))


def test_psnr_known_value_and_identity(rng):
    a = np.zeros((2, 28, 28))
    b = np.full((2, 28, 28), 0.1)  # mse = 0.01 -> 10*log10(1/0.01) = 20 dB
    assert M.psnr(a, b) == pytest.approx(20.0)
    assert M.psnr(a, a) == float("inf")
    x, y = rng.random((3, 10)), rng.random((3, 10))
    # PSNR is invariant to rescaling data and data_range together
    assert M.psnr(255 * x, 255 * y, data_range=255.0) == pytest.approx(M.psnr(x, y))


def test_psnr_batch_matches_single_image_psnr(rng):
    a, b = rng.random((4, 28, 28)), rng.random((4, 28, 28))
    b[2] = a[2]
    got = M.psnr_batch(a, b)
    for i in (0, 1, 3):
        assert got[i] == pytest.approx(M.psnr(a[i], b[i]))
    assert np.isposinf(got[2])


# ---------------------------------------------------------------- PCA
def test_pca_all_components_reconstructs_exactly(rng):
    x = rng.random((40, 12))
    pca = M.PCA().fit(x)
    assert pca.n_components == 12
    np.testing.assert_allclose(pca.reconstruct(x), x, atol=1e-10)


def test_pca_error_equals_dropped_eigenvalues(rng):
    x = rng.random((200, 10)) @ rng.random((10, 10))
    xc = x - x.mean(axis=0)
    eig = np.sort(np.linalg.eigvalsh(xc.T @ xc / len(x)))[::-1]  # biased covariance eigenvalues
    for k in (0, 1, 3, 7):
        pca = M.PCA(k).fit(x)
        assert M.mse(x, pca.reconstruct(x)) == pytest.approx(eig[k:].sum() / x.shape[1], rel=1e-9)


def test_pca_components_orthonormal_and_variances(rng):
    x = rng.random((100, 8))
    pca = M.PCA(5).fit(x)
    np.testing.assert_allclose(pca.components_ @ pca.components_.T, np.eye(5), atol=1e-12)
    codes = pca.transform(x)
    assert codes.shape == (100, 5)
    np.testing.assert_allclose(codes.var(axis=0, ddof=1), pca.explained_variance_, rtol=1e-9)
    assert np.all(np.diff(pca.explained_variance_) <= 0)


def test_pca_recovers_low_rank_data(rng):
    x = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 20)) + 5.0
    pca = M.PCA(3).fit(x)
    assert M.mse(x, pca.reconstruct(x)) < 1e-20


def test_pca_gram_solver_matches_svd(rng):
    x = rng.random((300, 15))
    a, b = M.PCA(6).fit(x), M.PCA(6, solver="gram").fit(x)
    np.testing.assert_allclose(a.reconstruct(x), b.reconstruct(x), atol=1e-8)
    np.testing.assert_allclose(a.singular_values_, b.singular_values_, rtol=1e-8)


def test_pca_input_validation(rng):
    with pytest.raises(ValueError):
        M.PCA(5).fit(rng.random((4, 3)))
    with pytest.raises(RuntimeError):
        M.PCA(2).transform(rng.random((4, 3)))


def test_pca_mse_by_components_matches_refits(rng):
    train, test = rng.random((120, 16)), rng.random((30, 16))
    ks = [0, 2, 5, 16]
    got = M.pca_mse_by_components(train, test, ks)
    assert list(got) == ks
    for k in ks:
        assert got[k] == pytest.approx(M.mse(test, M.PCA(k).fit(train).reconstruct(test)), rel=1e-9)
    # k = 0 keeps only the training mean
    assert got[0] == pytest.approx(np.mean((test - train.mean(axis=0)) ** 2))
    # nested subspaces -> error never increases with k
    assert all(got[a] >= got[b] - 1e-12 for a, b in zip(ks, ks[1:]))
    assert got[16] == pytest.approx(0.0, abs=1e-20)


def test_pca_mse_by_components_accepts_image_batches(rng):
    train, test = rng.random((60, 4, 4)), rng.random((10, 4, 4))
    flat = M.pca_mse_by_components(train.reshape(60, 16), test.reshape(10, 16), [3])
    assert M.pca_mse_by_components(train, test, [3]) == pytest.approx(flat)


# ---------------------------------------------------------------- anomaly detection
def _brute_auc(normal, anomaly):
    """P(anomaly > normal) + 0.5 P(tie), by counting every pair."""
    wins = sum(1.0 if a > n else 0.5 if a == n else 0.0 for a in anomaly for n in normal)
    return wins / (len(normal) * len(anomaly))


@pytest.mark.parametrize("ties", [False, True])
def test_roc_auc_equals_mann_whitney(rng, ties):
    for _ in range(5):
        if ties:
            normal, anomaly = rng.integers(0, 6, 40).astype(float), rng.integers(2, 8, 25).astype(float)
        else:
            normal, anomaly = rng.normal(0, 1, 40), rng.normal(0.8, 1, 25)
        assert M.roc_auc(normal, anomaly) == pytest.approx(_brute_auc(normal, anomaly), abs=1e-12)


def test_roc_auc_extremes_and_invariance(rng):
    normal, anomaly = rng.random(30), rng.random(20) + 2.0
    assert M.roc_auc(normal, anomaly) == 1.0
    assert M.roc_auc(anomaly, normal) == 0.0
    assert M.roc_auc(np.ones(5), np.ones(7)) == pytest.approx(0.5)
    x, y = rng.normal(size=50), rng.normal(size=40) + 0.3
    assert M.roc_auc(np.exp(x), np.exp(y)) == pytest.approx(M.roc_auc(x, y))  # rank statistic


def test_roc_curve_points_match_threshold_rule(rng):
    normal, anomaly = rng.integers(0, 10, 60).astype(float), rng.integers(3, 13, 40).astype(float)
    fpr, tpr, thr = M.roc_curve(normal, anomaly)
    assert fpr.shape == tpr.shape == thr.shape
    assert (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(thr) < 0) and np.isneginf(thr[-1])
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    for f, t, th in zip(fpr, tpr, thr):
        assert f == np.mean(normal > th) and t == np.mean(anomaly > th)


def test_roc_rejects_empty_group():
    with pytest.raises(ValueError):
        M.roc_curve(np.array([]), np.array([1.0]))


def test_precision_recall_at_brute_force(rng):
    normal, anomaly = rng.random(80), rng.random(20) + 0.5
    for t in (0.2, 0.6, 0.9, 1.2):
        tp = sum(s > t for s in anomaly)
        fp = sum(s > t for s in normal)
        p, r = M.precision_recall_at(t, normal, anomaly)
        assert r == pytest.approx(tp / 20)
        assert p == pytest.approx(tp / (tp + fp))
    p, r = M.precision_recall_at(-1.0, normal, anomaly)  # everything flagged
    assert (p, r) == (pytest.approx(20 / 100), 1.0)
    p, r = M.precision_recall_at(10.0, normal, anomaly)  # nothing flagged
    assert np.isnan(p) and r == 0.0


def test_precision_recall_uses_strict_inequality():
    p, r = M.precision_recall_at(1.0, np.array([1.0, 0.0]), np.array([1.0, 2.0]))
    assert (p, r) == (1.0, 0.5)


# ---------------------------------------------------------------- classification
def test_confusion_matrix_matches_loop(rng):
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    cm = M.confusion_matrix(y_true, y_pred)
    expected = np.zeros((10, 10), dtype=int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(cm, expected)
    assert np.issubdtype(cm.dtype, np.integer)
    assert cm.sum() == 500
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=10))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(y_pred, minlength=10))
    assert M.accuracy(y_true, y_pred) == pytest.approx(np.trace(cm) / cm.sum())


def test_confusion_matrix_orientation_and_validation():
    cm = M.confusion_matrix([0, 0, 1], [1, 1, 1], n_classes=3)
    assert cm[0, 1] == 2 and cm[1, 1] == 1 and cm.sum() == 3
    with pytest.raises(ValueError):
        M.confusion_matrix([0, 3], [0, 1], n_classes=3)
    with pytest.raises(ValueError):
        M.confusion_matrix([0, 1], [0], n_classes=3)


def test_accuracy_values():
    assert M.accuracy([1, 2, 3, 4], [1, 2, 0, 0]) == 0.5
    assert np.isnan(M.accuracy([], []))

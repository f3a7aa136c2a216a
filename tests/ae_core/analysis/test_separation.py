"""Tests for ae_core.analysis.separation: the k-nearest-neighbour accuracy of codes."""
import numpy as np
import pytest

from ae_core.analysis.separation import code_separation, knn_accuracy, knn_predict


def test_knn_predict_majority_and_tie_goes_to_nearest():
    train = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    labels = np.array([0, 0, 0, 1, 1])
    np.testing.assert_array_equal(knn_predict(train, labels, np.array([[0.5], [10.4]]), k=3), [0, 1])
    # k=2 at 6.1: one neighbour of each class (2.0 at 4.1, 10.0 at 3.9): the nearer one (class 1) wins
    assert knn_predict(train, labels, np.array([[6.1]]), k=2)[0] == 1
    assert knn_predict(train, labels, np.array([[5.9]]), k=2)[0] == 0


def test_knn_accuracy_matches_a_brute_force_vote_in_any_chunking():
    rng = np.random.default_rng(0)
    train = rng.standard_normal((300, 2))
    labels = (train[:, 0] > 0).astype(int) + 2 * (train[:, 1] > 0)
    test = rng.standard_normal((120, 2))
    truth = (test[:, 0] > 0).astype(int) + 2 * (test[:, 1] > 0)
    d = ((test[:, None, :] - train[None]) ** 2).sum(-1)
    brute = np.array([np.bincount(labels[np.argsort(row)[:5]], minlength=4).argmax() for row in d])
    np.testing.assert_array_equal(knn_predict(train, labels, test, k=5, chunk=7), brute)
    assert knn_accuracy(train, labels, test, truth) == pytest.approx(np.mean(brute == truth))
    assert 0.85 < knn_accuracy(train, labels, test, truth) <= 1.0  # quadrants separate well


def test_knn_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="labels"):
        knn_predict(np.zeros((4, 2)), np.zeros(3), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="k must be"):
        knn_predict(np.zeros((4, 2)), np.zeros(4), np.zeros((1, 2)), k=5)
    with pytest.raises(ValueError, match="values"):
        knn_predict(np.zeros((4, 2)), np.zeros(4), np.zeros((1, 3)), k=1)
    with pytest.raises(ValueError, match="at least one"):
        knn_accuracy(np.zeros((4, 2)), np.zeros(4), np.zeros((0, 2)), np.zeros(0))


def test_code_separation_uses_the_first_training_codes_and_batches():
    calls = []

    def encode(x):
        calls.append(len(x))
        return x.reshape(len(x), -1)[:, :2]

    x_train = np.zeros((50, 28, 28, 1), "float32")
    x_train[:, 0, 0, 0] = np.arange(50) % 2  # class = first pixel
    y_train = np.arange(50) % 2
    x_test, y_test = x_train[:10], y_train[:10]
    assert code_separation(encode, x_train, y_train, x_test, y_test, n_train=20, batch_size=8) == {
        "knn5_accuracy": 1.0}
    assert calls == [8, 8, 4, 8, 2]  # 20 training images, then 10 test images, in batches of 8
    y_wrong = 1 - y_test
    assert code_separation(encode, x_train, y_train, x_test, y_wrong, n_train=20)["knn5_accuracy"] == 0.0

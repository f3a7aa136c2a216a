"""Tests for ae_core.data.datasets: loaders, source order, idx reader, samples and array helpers."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from ae_core.data import datasets as data

REAL_MNIST = Path(__file__).resolve().parents[4] / "shared/data/mnist.npz"


def fake_dataset(seed: int = 0, n_train: int = 6, n_test: int = 4):
    """Return a tiny random dataset in Keras layout."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, n_train, dtype=np.uint8)
    y_test = rng.integers(0, 10, n_test, dtype=np.uint8)
    return (x_train, y_train), (x_test, y_test)


def write_npz(path: Path, dataset) -> Path:
    """Save a dataset as a Keras-layout .npz file."""
    (x_train, y_train), (x_test, y_test) = dataset
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an idx file (magic 2051 for 3-D, 2049 for 1-D)."""
    magic = 2051 if array.ndim == 3 else 2049
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_dir(folder: Path, dataset, compress: bool = True) -> Path:
    """Write a dataset as the four gzipped idx files."""
    folder.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = dataset
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for key, name in data.IDX_FILES.items():
        raw = idx_bytes(arrays[key])
        (folder / name).write_bytes(gzip.compress(raw) if compress else raw)
    return folder


def assert_same(got, expected) -> None:
    """Assert two datasets hold equal arrays, with uint8 dtypes."""
    for (gx, gy), (ex, ey) in zip(got, expected):
        assert gx.dtype == np.uint8 and gy.dtype == np.uint8
        np.testing.assert_array_equal(gx, ex)
        np.testing.assert_array_equal(gy, ey)


class DownloadSpy:
    """Stand-in for the Keras download: records calls, raises or returns data."""

    def __init__(self, result=None):
        self.calls: list[str] = []
        self.result = result

    def __call__(self, module: str):
        self.calls.append(module)
        if self.result is None:
            raise RuntimeError("no network in tests")
        return self.result


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """Point every dataset source at empty temporary places; the download fails."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.delenv(data.FASHION_MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "debian" / "fashion-mnist")
    spy = DownloadSpy()
    monkeypatch.setattr(data, "_keras_download", spy)
    return spy


# ----------------------------------------------------------------- MNIST sources
def test_load_mnist_reads_explicit_npz(isolated, tmp_path):
    dataset = fake_dataset(1)
    file = write_npz(tmp_path / "mine.npz", dataset)
    assert_same(data.load_mnist(file), dataset)
    assert_same(data.load_mnist(str(file)), dataset)
    assert isolated.calls == []


def test_labels_of_wider_int_type_become_uint8(isolated, tmp_path):
    (xt, yt), (xs, ys) = fake_dataset(2)
    file = write_npz(tmp_path / "wide.npz", ((xt, yt.astype(np.int64)), (xs, ys.astype(np.int64))))
    (_, y_train), _ = data.load_mnist(file)
    assert y_train.dtype == np.uint8
    np.testing.assert_array_equal(y_train, yt)


def test_env_var_is_used_and_explicit_path_wins(isolated, tmp_path, monkeypatch):
    from_env, from_arg = fake_dataset(3), fake_dataset(4)
    monkeypatch.setenv("AE_LAB_MNIST", str(write_npz(tmp_path / "env.npz", from_env)))
    assert_same(data.load_mnist(), from_env)
    assert_same(data.load_mnist(write_npz(tmp_path / "arg.npz", from_arg)), from_arg)


def test_env_var_beats_keras_cache(isolated, tmp_path, monkeypatch):
    cached, from_env = fake_dataset(5), fake_dataset(6)
    write_npz(tmp_path / "keras_home" / "datasets" / "mnist.npz", cached)
    assert_same(data.load_mnist(), cached)
    monkeypatch.setenv("AE_LAB_MNIST", str(write_npz(tmp_path / "env.npz", from_env)))
    assert_same(data.load_mnist(), from_env)


def test_keras_cache_under_home_when_keras_home_unset(isolated, tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    cached = fake_dataset(7)
    write_npz(tmp_path / "home" / ".keras" / "datasets" / "mnist.npz", cached)
    assert_same(data.load_mnist(), cached)
    assert isolated.calls == []


def test_keras_download_is_the_last_resort(isolated, monkeypatch):
    downloaded = fake_dataset(8)
    spy = DownloadSpy(result=downloaded)
    monkeypatch.setattr(data, "_keras_download", spy)
    assert_same(data.load_mnist(), downloaded)
    assert spy.calls == ["mnist"]


def test_missing_everything_names_every_option(isolated, tmp_path):
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.load_mnist()
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    for needle in ("AE_LAB_MNIST", "--data", "path", "download", "no network in tests",
                   str(tmp_path / "keras_home" / "datasets" / "mnist.npz"), "does not exist"):
        assert needle in message, needle
    assert isolated.calls == ["mnist"]


def test_corrupt_keras_cache_is_reported_and_skipped(isolated, tmp_path):
    cache = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is not a zip file")
    with pytest.raises(data.DatasetNotFoundError, match="cannot read"):
        data.load_mnist()
    assert isolated.calls == ["mnist"]


def test_missing_explicit_path_fails_at_once(isolated, tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="does not exist"):
        data.load_mnist(tmp_path / "nope.npz")
    assert isolated.calls == []


def test_corrupt_explicit_npz_fails_at_once(isolated, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(data.DatasetNotFoundError, match="bad.npz"):
        data.load_mnist(bad)
    assert isolated.calls == []


def test_broken_env_var_fails_at_once(isolated, tmp_path, monkeypatch):
    write_npz(tmp_path / "keras_home" / "datasets" / "mnist.npz", fake_dataset(9))
    monkeypatch.setenv("AE_LAB_MNIST", str(tmp_path / "missing.npz"))
    with pytest.raises(data.DatasetNotFoundError, match="AE_LAB_MNIST"):
        data.load_mnist()


@pytest.mark.parametrize(
    "field, bad, needle",
    [
        ("x_train", np.zeros((3, 28, 27), np.uint8), "x_train"),
        ("x_test", np.zeros((4, 28, 28), np.float32), "x_test"),
        ("y_train", np.zeros((5,), np.uint8), "y_train"),
        ("y_test", np.zeros((4, 1), np.uint8), "y_test"),
    ],
)
def test_wrong_shapes_or_dtypes_are_refused(isolated, tmp_path, field, bad, needle):
    (xt, yt), (xs, ys) = fake_dataset(10)
    arrays = {"x_train": xt, "y_train": yt, "x_test": xs, "y_test": ys, field: bad}
    file = tmp_path / "shape.npz"
    np.savez(file, **arrays)
    with pytest.raises(data.DatasetNotFoundError, match=needle):
        data.load_mnist(file)


def test_npz_missing_a_key_is_refused(isolated, tmp_path):
    file = tmp_path / "partial.npz"
    np.savez(file, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(data.DatasetNotFoundError, match="y_train"):
        data.load_mnist(file)


# ----------------------------------------------------------------- idx files
def test_read_idx_images_and_labels(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28).astype(np.uint8)
    labels = np.array([3, 7, 1], dtype=np.uint8)
    (tmp_path / "img.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "lab").write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "img.gz"), images)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "lab"), labels)


def test_read_idx_refuses_bad_magic_and_truncation(tmp_path):
    labels = np.array([1, 2, 3, 4], dtype=np.uint8)
    bad_magic = (1234).to_bytes(4, "big") + idx_bytes(labels)[4:]
    (tmp_path / "magic").write_bytes(bad_magic)
    (tmp_path / "short").write_bytes(idx_bytes(labels)[:-1])
    with pytest.raises(data.DatasetNotFoundError, match="1234"):
        data.read_idx(tmp_path / "magic")
    with pytest.raises(data.DatasetNotFoundError, match="needs 4"):
        data.read_idx(tmp_path / "short")


def test_fashion_from_explicit_idx_dir_and_npz(isolated, tmp_path):
    dataset = fake_dataset(11)
    assert_same(data.load_fashion_mnist(write_idx_dir(tmp_path / "idx", dataset)), dataset)
    assert_same(data.load_fashion_mnist(write_idx_dir(tmp_path / "raw", dataset, compress=False)), dataset)
    assert_same(data.load_fashion_mnist(write_npz(tmp_path / "f.npz", dataset)), dataset)
    assert isolated.calls == []


def test_fashion_idx_dir_missing_a_file_fails(isolated, tmp_path):
    folder = write_idx_dir(tmp_path / "idx", fake_dataset(12))
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DatasetNotFoundError, match="t10k-labels-idx1-ubyte.gz"):
        data.load_fashion_mnist(folder)


def test_fashion_source_order(isolated, tmp_path, monkeypatch):
    keras_copy, debian_copy, env_copy = fake_dataset(13), fake_dataset(14), fake_dataset(15)
    write_idx_dir(tmp_path / "keras_home" / "datasets" / "fashion-mnist", keras_copy)
    assert_same(data.load_fashion_mnist(), keras_copy)
    write_idx_dir(data.DEBIAN_FASHION_MNIST_DIR, debian_copy)
    assert_same(data.load_fashion_mnist(), debian_copy)
    monkeypatch.setenv("AE_LAB_FASHION_MNIST", str(write_idx_dir(tmp_path / "env", env_copy)))
    assert_same(data.load_fashion_mnist(), env_copy)
    assert isolated.calls == []


def test_fashion_missing_everything_names_every_option(isolated, tmp_path):
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.load_fashion_mnist()
    message = str(info.value)
    for needle in ("AE_LAB_FASHION_MNIST", "--data", str(data.DEBIAN_FASHION_MNIST_DIR),
                   str(tmp_path / "keras_home" / "datasets" / "fashion-mnist"),
                   "fashion_mnist.load_data", "no network in tests"):
        assert needle in message, needle
    assert isolated.calls == ["fashion_mnist"]


# ----------------------------------------------------------------- dispatch and names
def test_load_dataset_dispatches_by_name(isolated, tmp_path):
    digits, clothes = fake_dataset(16), fake_dataset(17)
    assert_same(data.load_dataset("mnist", write_npz(tmp_path / "d.npz", digits)), digits)
    clothes_dir = write_idx_dir(tmp_path / "c", clothes)
    assert_same(data.load_dataset("fashion_mnist", clothes_dir), clothes)
    assert_same(data.load_dataset("Fashion-MNIST", clothes_dir), clothes)


def test_unknown_dataset_name_lists_valid_names():
    with pytest.raises(ValueError, match="mnist, fashion_mnist"):
        data.load_dataset("cifar10")
    with pytest.raises(ValueError, match="valid names"):
        data.class_names("svhn")


def test_class_names():
    assert data.class_names("mnist") == tuple("0123456789")
    fashion = data.class_names("fashion_mnist")
    assert len(fashion) == 10 and len(set(fashion)) == 10
    assert fashion[0] == "T-shirt/top" and fashion[9] == "Ankle boot"


# ----------------------------------------------------------------- samples
@pytest.mark.parametrize("name, count", [("mnist", 3000), ("fashion_mnist", 2000)])
def test_shipped_samples(name, count):
    x, y = data.load_sample(name)
    assert x.shape == (count, 28, 28) and x.dtype == np.uint8
    assert y.shape == (count,) and y.dtype == np.uint8
    assert set(np.unique(y)) == set(range(10))
    assert 0 < x.mean() < 255


def test_missing_sample_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SAMPLES_DIR", tmp_path)
    with pytest.raises(data.DatasetNotFoundError, match="make_samples.py"):
        data.load_sample("mnist")
    with pytest.raises(ValueError):
        data.load_sample("nope")


# ----------------------------------------------------------------- array helpers
def test_to_float_images():
    x = np.array([[[0, 51, 255] + [0] * 25] * 28] * 2, dtype=np.uint8)
    out = data.to_float_images(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, 0, :3, 0], [0.0, 0.2, 1.0], atol=1e-6)
    np.testing.assert_array_equal(data.to_float_images(out), out)
    with pytest.raises(ValueError):
        data.to_float_images(np.zeros((28, 28, 3, 2), np.uint8))


def test_binarize():
    x = np.array([0.0, 0.49, 0.5, 0.51, 1.0], dtype=np.float32)
    np.testing.assert_array_equal(data.binarize(x), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(data.binarize(x, threshold=0.2), [0, 1, 1, 1, 1])
    as_uint8 = data.binarize(np.array([0, 127, 128, 255], dtype=np.uint8))
    assert as_uint8.dtype == np.float32
    np.testing.assert_array_equal(as_uint8, [0, 0, 1, 1])


# ----------------------------------------------------------------- the real data
@pytest.mark.skipif(not REAL_MNIST.is_file(), reason=f"real MNIST not present at {REAL_MNIST}")
def test_real_mnist_file():
    (x_train, y_train), (x_test, y_test) = data.load_mnist(REAL_MNIST)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert list(y_train[:5]) == [5, 0, 4, 1, 9] and list(y_test[:5]) == [7, 2, 1, 0, 4]
    assert list(np.bincount(y_train)) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.mark.skipif(not data.DEBIAN_FASHION_MNIST_DIR.is_dir(),
                    reason="Debian's dataset-fashion-mnist package is not installed")
def test_real_fashion_mnist_idx_files():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(data.DEBIAN_FASHION_MNIST_DIR)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert list(y_test[:5]) == [9, 2, 1, 1, 6]
    assert list(np.bincount(y_train)) == [6000] * 10

"""Which images a training uses, per dataset: the full set where it is installed (never a download), else the sample."""
from __future__ import annotations

import pytest

from ae_core.data import datasets as data
from ae_core.data.catalog import dataset_key, dataset_spec
from ae_core.training.data_source import describe_data, load_training_data
from tests.ae_core.data.test_datasets import fake_dataset, write_idx_dir


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No dataset anywhere: no variables, an empty Keras home, no Debian folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.delenv(data.FASHION_MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "debian")
    return tmp_path


def test_fashion_falls_back_to_its_own_sample_and_says_how_to_get_the_full_set(nowhere):
    info = describe_data("auto", "fashion")
    assert (info.source, info.dataset) == ("sample", "fashion")
    assert "Full Fashion-MNIST was not found" in info.note and "dataset-fashion-mnist" in info.note
    x_train, x_val, y_val, _ = load_training_data("auto", "fashion")
    n_sample = len(data.load_sample("fashion_mnist")[1])
    assert len(x_train) + len(x_val) == n_sample and x_train.shape[1:] == (28, 28, 1)


def test_fashion_search_order_is_variable_then_debian_then_keras(nowhere, monkeypatch):
    keras_dir = write_idx_dir(nowhere / "keras_home" / "datasets" / "fashion-mnist", fake_dataset(1))
    assert describe_data("auto", "fashion").path == str(keras_dir)
    debian = write_idx_dir(nowhere / "debian", fake_dataset(2))
    assert describe_data("auto", "fashion").path == str(debian)
    monkeypatch.setenv(data.FASHION_MNIST_ENV, str(nowhere / "missing"))
    info = describe_data("auto", "fashion")
    assert info.source == "sample" and "AE_LAB_FASHION_MNIST points to" in info.note  # a wrong variable says so
    x_train, *_ , info = load_training_data(str(debian), "fashion")
    assert info.source == "fashion" and len(x_train) == len(fake_dataset(2)[0][1])


def test_mnist_unchanged(nowhere):
    assert describe_data("auto").source == "sample" and "AE_LAB_MNIST" in describe_data().note


def test_dataset_names():
    assert {dataset_key(n) for n in ("fashion", "Fashion-MNIST", "fashion_mnist")} == {"fashion"}
    assert dataset_spec(None).key == "mnist" and dataset_spec("fashion").class_name(9) == "Ankle boot"
    with pytest.raises(ValueError, match="choose one of mnist, fashion"):
        dataset_key("cifar")

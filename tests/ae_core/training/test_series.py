"""The command line's training pipelines, called directly: a compression series and the per-class models."""
from __future__ import annotations

import json

import pytest

from ae_core.models.files import load_model, read_sidecar
from ae_core.training.config import TrainConfig
from ae_core.training.records import RECORD_KEYS
from ae_core.training.series import train_compression, train_one, train_perclass

COMMAND = "python -m ae_core train --model test"


@pytest.fixture(scope="module")
def digits():
    from ae_core.data.datasets import load_sample, to_float_images
    x, y = load_sample("mnist")
    x = to_float_images(x)
    return x[:400], y[:400], x[400:600], y[400:600]


def _cfg(**over) -> TrainConfig:
    return TrainConfig(kind="dense", epochs=1, batch_size=64, hidden=(32,), **over)


def test_train_compression_writes_each_size_with_sidecar_and_onnx(tmp_path, digits, capsys):
    xtr, _, xte, _ = digits
    rows = train_compression(_cfg(), xtr, xte, tmp_path / "compression", sizes=(2, 4), command=COMMAND)
    assert [r["code_size"] for r in rows] == [2, 4]
    for row in rows:
        k = row["code_size"]
        model_path = tmp_path / "compression" / f"code_{k}.keras"
        info = read_sidecar(model_path)
        assert set(RECORD_KEYS) <= info.keys()
        assert info["kind"] == "dense" and info["name"] == f"code_{k}" and info["code_size"] == k
        assert info["config"]["code_size"] == k and info["epochs_run"] == 1
        assert info["family"] == "compression" and info["compression_ratio"] > 1
        assert info["pca_mse"] == pytest.approx(row["pca_mse"]) and 0 < info["pca_mse"] < 1
        assert info["test_metrics"]["mse"] == pytest.approx(row["ae_mse"])
        assert info["command"] == COMMAND
        onnx_files = [entry["file"] for entry in info["onnx"].values()]
        assert f"code_{k}.onnx" in onnx_files
        assert all((model_path.parent / f).is_file() for f in onnx_files)
        assert load_model(model_path).count_params() == info["params"]
    printed = capsys.readouterr().out
    assert "code   2: autoencoder MSE" in printed and "PCA MSE" in printed


def test_train_perclass_writes_ten_models_and_a_summary(tmp_path, digits):
    xtr, ytr, xte, yte = digits
    summary = train_perclass(_cfg(code_size=4), xtr, ytr, xte, yte, tmp_path / "perclass", command=COMMAND)
    for d in range(10):
        info = read_sidecar(tmp_path / "perclass" / f"digit_{d}.keras")
        assert info["class"] == d and info["family"] == "perclass" and info["kind"] == "dense"
    on_disk = json.loads((tmp_path / "perclass" / "summary.json").read_text())
    assert on_disk["kind"] == "perclass" and on_disk["test_images"] == len(yte) == 200
    assert 0.0 <= summary["accuracy"] <= 1.0 and on_disk["accuracy"] == pytest.approx(summary["accuracy"])
    assert len(on_disk["confusion_matrix"]) == 10 and on_disk["command"] == COMMAND


def test_train_one_continues_from_a_saved_model(tmp_path, digits):
    xtr, _, xte, _ = digits
    first = tmp_path / "a.keras"
    train_one(_cfg(), xtr, xte, first, command="first")
    _, info = train_one(_cfg(), xtr, xte, tmp_path / "b.keras", command="second", init_from=first)
    assert info["continued_from"]["command"] == "first" and info["epochs_total"] == 2
    assert read_sidecar(tmp_path / "b.keras")["epochs_total"] == 2

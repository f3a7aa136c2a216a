"""Saving and loading: identical outputs, atomic writes, shipped models protected, bad files refused."""
from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest

from ae_core.models.builders import build_model
from ae_core.models.files import (
    ModelFileError,
    ShippedModelError,
    load_model,
    read_sidecar,
    save_model,
)
from ae_core.paths import SHIPPED_MODELS_DIR

X = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)


@pytest.mark.parametrize("kind", ["dense", "conv", "vae"])
def test_save_load_identical_outputs(tmp_path, kind):
    model = build_model(kind, latent_dim=3)
    model.compile(optimizer="adam", loss=None if kind == "vae" else "mse")
    path = save_model(model, tmp_path / f"{kind}.keras", {"kind": kind, "note": "x"})
    loaded = load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded(X)), np.asarray(model(X)))
    info = read_sidecar(path)
    assert info["kind"] == kind and info["versions"]["keras"] == keras.__version__
    with zipfile.ZipFile(path) as zf:  # saved without optimizer state
        assert not any("optimizer" in n for n in zf.namelist())
    assert not list(tmp_path.glob(".*"))  # no temp files left behind


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    path = save_model(build_model("dense"), tmp_path / "m.keras", {"v": 1})
    before = path.read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(keras.Model, "save", boom)
    with pytest.raises(RuntimeError):
        save_model(build_model("dense"), path, {"v": 2})
    assert path.read_bytes() == before and read_sidecar(path)["v"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]


def test_shipped_models_are_never_overwritten():
    existing = next(SHIPPED_MODELS_DIR.glob("*.keras"), None)
    if existing is None:
        pytest.skip("no shipped model present")
    before = existing.read_bytes()
    with pytest.raises(ShippedModelError):
        save_model(build_model("dense"), existing, {})
    assert existing.read_bytes() == before


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _zip(path, files: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _lambda_model(tmp_path):
    inp = keras.Input((28, 28, 1))
    out = keras.layers.Lambda(lambda t: t * 1.0)(inp)
    path = tmp_path / "lambda.keras"
    keras.Model(inp, out).save(path)
    return path


def _wrong_shape_model(tmp_path):
    inp = keras.Input((32, 32, 3))
    out = keras.layers.Conv2D(3, 3, padding="same")(inp)
    path = tmp_path / "wrong.keras"
    keras.Model(inp, out).save(path)
    return path


def _wrong_output_model(tmp_path):
    inp = keras.Input((28, 28, 1))
    out = keras.layers.Dense(10)(keras.layers.Flatten()(inp))
    path = tmp_path / "classifier.keras"
    keras.Model(inp, out).save(path)
    return path


@pytest.mark.parametrize("make,needle", [
    (lambda p: p / "missing.keras", "no model file"),
    (lambda p: _write(p / "empty.keras", b""), "empty"),
    (lambda p: _write(p / "junk.keras", b"\x00garbage" * 100), "not a Keras 3"),
    (lambda p: _zip(p / "noconfig.keras", {"hello.txt": b"hi"}), "no config.json"),
    (lambda p: _zip(p / "badjson.keras", {"config.json": b"{not json", "metadata.json": b"{}"}), "could not be loaded"),
    (_lambda_model, "Lambda"),
    (_wrong_shape_model, "28x28x1"),
    (_wrong_output_model, "outputs shape"),
])
def test_bad_model_files_are_refused(tmp_path, make, needle):
    path = make(tmp_path)
    with pytest.raises(ModelFileError, match=needle):
        load_model(path)


def test_truncated_model_file(tmp_path):
    good = save_model(build_model("dense"), tmp_path / "good.keras")
    bad = tmp_path / "truncated.keras"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ModelFileError):
        load_model(bad)


def test_sidecar_is_json(tmp_path):
    path = save_model(build_model("dense"), tmp_path / "s.keras", {"test_metrics": {"mse": 0.1}})
    assert json.loads(path.with_suffix(".json").read_text())["test_metrics"]["mse"] == 0.1


def unknown_layer_model(tmp_path, class_name: str = "NoSuchLayer"):
    """A small saved model whose config.json names a layer class nobody defines."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(784),
                              keras.layers.Reshape((28, 28, 1))])
    good = tmp_path / "good.keras"
    model.save(good)
    with zipfile.ZipFile(good) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(files["config.json"])
    layer = next(x for x in config["config"]["layers"] if x["class_name"] == "Dense")
    layer.update(class_name=class_name, module=None, registered_name=class_name)
    files["config.json"] = json.dumps(config).encode()
    return _zip(tmp_path / "custom.keras", files)


def test_unknown_layer_class_is_named_in_plain_words(tmp_path):
    with pytest.raises(ModelFileError) as e:
        load_model(unknown_layer_model(tmp_path))
    msg = str(e.value)
    assert "uses a layer type this app doesn't know (NoSuchLayer)" in msg and "never run from an uploaded" in msg
    assert "deserialized properly" not in msg

"""ONNX export of small untrained models: files and sidecar entries, sha256, Keras parity, atomic writes."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from ae_core.analysis.elbo import negative_elbo as onnx_negative_elbo
from ae_core.models import onnx_export
from ae_core.models.builders import build_model, decoder_of, encoder_of
from ae_core.models.files import save_model
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.models.onnx_export import export_file, export_model, shipped_model_paths, stale_onnx
from ae_core.training.evaluation import negative_elbo as keras_negative_elbo

REPO = Path(__file__).resolve().parents[3]
X = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
KINDS = ("dense", "conv", "vae")
ROLE_FILES = {"dense": ["m.onnx", "m.encoder.onnx", "m.decoder.onnx"],
              "conv": ["m.onnx", "m.encoder.onnx", "m.decoder.onnx", "m.activations.onnx"],
              "vae": ["m.encoder.onnx", "m.decoder.onnx"]}  # a VAE serves from its two halves


@pytest.fixture(scope="module", params=KINDS)
def exported(request, tmp_path_factory):
    """(kind, model, model path, sidecar returned by the export) for a fresh untrained model of each kind."""
    kind = request.param
    model = build_model(kind, code_size=5, hidden=(12,), filters=(4, 4, 2), latent_dim=3)
    path = save_model(model, tmp_path_factory.mktemp(kind) / "m.keras", {"kind": kind, "note": "kept"})
    return kind, model, path, export_file(path)


def _run(path: Path, x: np.ndarray) -> list[np.ndarray]:
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x})


def _shapes(info: dict, role: str, side: str) -> list:
    return [node["shape"] for node in info["onnx"][role][side]]


def test_files_written_and_no_temp_files_left(exported):
    kind, _, path, _ = exported
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(["m.keras", "m.json", *ROLE_FILES[kind]])


def test_sidecar_entries(exported):
    kind, model, path, info = exported
    assert json.loads(path.with_suffix(".json").read_text()) == info
    assert info["note"] == "kept" and info["kind"] == kind and "versions" in info
    want = ["encoder", "decoder"] + (["model"] if kind != "vae" else []) + (["activations"] if kind == "conv" else [])
    assert sorted(info["onnx"]) == sorted(want)
    assert set(info["onnx_versions"]) == {"onnx", "tf2onnx", "onnxruntime"}
    for role, entry in info["onnx"].items():
        assert entry["file"] == onnx_export.onnx_path(path, role).name
        assert entry["inputs"][0]["shape"][0] is None and entry["outputs"][0]["shape"][0] is None
    code = [None, 3] if kind == "vae" else [None, *decoder_of(model).input_shape[1:]]
    assert _shapes(info, "encoder", "outputs") == ([code, code] if kind == "vae" else [code])
    assert _shapes(info, "decoder", "inputs") == [code]
    image = [None, 28, 28, 1]
    assert _shapes(info, "decoder", "outputs") == ([image, image] if kind == "vae" else [image])
    arch = info["architecture"]
    assert arch["is_vae"] is (kind == "vae") and arch["params"] == model.count_params()
    assert arch["code_size"] == int(np.prod(code[1:])) and arch["layers"][0]["part"] == "encoder"
    assert arch.get("latent_dim") == (3 if kind == "vae" else None)



def test_activation_layers_align_with_outputs(exported):
    kind, model, _, info = exported
    if kind != "conv":
        pytest.skip("activations are exported for conv AEs only")
    entry = info["onnx"]["activations"]
    enc, dec = encoder_of(model), decoder_of(model)
    names = [layer.name for layer in enc.layers[1:]] + [layer.name for layer in dec.layers[1:]]
    assert [row["name"] for row in entry["layers"]] == names
    parts = ["encoder"] * (len(enc.layers) - 1) + ["decoder"] * (len(dec.layers) - 1)
    assert [row["part"] for row in entry["layers"]] == parts
    assert [[None, *row["shape"]] for row in entry["layers"]] == [o["shape"] for o in entry["outputs"]]


def test_sha256_in_sidecar_is_the_files_and_nothing_is_stale(exported):
    _, _, path, info = exported
    for entry in info["onnx"].values():
        assert entry["sha256"] == hashlib.sha256((path.parent / entry["file"]).read_bytes()).hexdigest()
    assert info["onnx_source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stale_onnx(path) == []


def test_onnx_outputs_equal_keras(exported):
    kind, model, path, _ = exported
    enc, dec = encoder_of(model), decoder_of(model)
    close = dict(atol=1e-5, rtol=1e-5)
    if kind != "vae":
        np.testing.assert_allclose(_run(onnx_export.onnx_path(path, "model"), X)[0], np.asarray(model(X)), **close)
    else:
        assert not onnx_export.onnx_path(path, "model").exists()
    keras_codes = [np.asarray(c) for c in (enc(X) if kind == "vae" else [enc(X)])]
    onnx_codes = _run(onnx_export.onnx_path(path, "encoder"), X)
    assert len(onnx_codes) == len(keras_codes)
    for got, want in zip(onnx_codes, keras_codes):  # a VAE's: z_mean then z_log_var
        np.testing.assert_allclose(got, want, **close)
    decoded = _run(onnx_export.onnx_path(path, "decoder"), keras_codes[0])
    np.testing.assert_allclose(decoded[0], np.asarray(dec(keras_codes[0])), **close)
    if kind == "vae":
        np.testing.assert_allclose(decoded[1], np.asarray(model.decode_logits(keras_codes[0])), **close)
    if kind == "conv":
        layers = enc.layers[1:] + dec.layers[1:]
        want, h = [], X
        for layer in layers:
            h = layer(h)
            want.append(np.asarray(h))
        got = _run(onnx_export.onnx_path(path, "activations"), X)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, **close)


def test_elbo_through_onnx_equals_keras(exported, small_digits):
    kind, model, path, _ = exported
    if kind != "vae":
        pytest.skip("VAE only")
    x = small_digits[0][:300]
    enc = ort.InferenceSession(str(onnx_export.onnx_path(path, "encoder")))
    dec = ort.InferenceSession(str(onnx_export.onnx_path(path, "decoder")))
    got = onnx_negative_elbo(lambda b: tuple(enc.run(None, {"image": b})), lambda z: dec.run(None, {"code": z})[1],
                             x, seed=3, batch_size=128)
    want = keras_negative_elbo(model, x, seed=3, batch_size=128)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-5, abs=1e-4), key


@pytest.fixture
def copied(exported, tmp_path) -> Path:
    """A copy of an exported model's folder, to break."""
    _, _, path, _ = exported
    shutil.copytree(path.parent, tmp_path / "copy")
    return tmp_path / "copy" / path.name


def test_stale_check_detects_changes(copied):
    decoder = onnx_export.onnx_path(copied, "decoder")
    decoder.write_bytes(decoder.read_bytes() + b"\0")
    assert any("m.decoder.onnx" in p and "sha256" in p for p in stale_onnx(copied))
    onnx_export.onnx_path(copied, "encoder").unlink()
    assert any("m.encoder.onnx is missing" in p for p in stale_onnx(copied))
    info = json.loads(copied.with_suffix(".json").read_text())
    del info["onnx"]["decoder"]
    copied.with_suffix(".json").write_text(json.dumps(info))
    assert any("'decoder'" in p for p in stale_onnx(copied))
    copied.write_bytes(copied.read_bytes() + b"\0")
    assert any("m.keras changed" in p for p in stale_onnx(copied))
    copied.with_suffix(".json").write_text(json.dumps({"kind": "dense"}))
    assert stale_onnx(copied) == ["m.json lists no ONNX files"]


def test_failed_export_leaves_the_old_files(exported, copied, monkeypatch):
    kind, model, _, _ = exported
    before = {p.name: p.read_bytes() for p in copied.parent.iterdir()}
    real, calls = onnx_export._export_role, []

    def fail_on_decoder(kmodel, input_name, batch, target):
        calls.append(target.name)
        if input_name == "code":
            raise onnx_export.OnnxExportError("simulated failure")
        return real(kmodel, input_name, batch, target)

    monkeypatch.setattr(onnx_export, "_export_role", fail_on_decoder)
    with pytest.raises(onnx_export.OnnxExportError, match="simulated"):
        export_model(model, copied)
    assert calls[-1].startswith(".m.decoder.onnx") and len(calls) == (2 if kind == "vae" else 3)  # the rest went first
    assert {p.name: p.read_bytes() for p in copied.parent.iterdir()} == before
    assert stale_onnx(copied) == []


def test_reexport_drops_roles_the_new_model_has_not(exported, copied):
    kind, _, _, _ = exported
    if kind != "conv":
        pytest.skip("needs a model with activations")
    dense = build_model("dense", code_size=4, hidden=(8,))
    info = export_model(dense, copied)  # the file at `copied` is now described by another model's ONNX
    assert "activations" not in info["onnx"]
    assert sorted(p.name for p in copied.parent.iterdir()) == sorted(["m.keras", "m.json", *ROLE_FILES["dense"]])


def test_shipped_model_paths():
    paths = shipped_model_paths()
    mnist = [p for p in paths if "fashion" not in p.relative_to(SHIPPED_MODELS_DIR).parts]
    fashion = [p for p in paths if p not in mnist]
    assert len(mnist) == 23 and len(set(paths)) == len(paths) and all(p.is_file() for p in paths)
    assert len(fashion) <= 21 and all(p.relative_to(SHIPPED_MODELS_DIR).parts[0] == "fashion" for p in fashion)


def test_importing_the_exporter_and_elbo_does_not_import_tensorflow():
    code = ("import sys\n"
            "import ae_core.models.onnx_export, ae_core.analysis.elbo\n"
            "from ae_core.models.onnx_export import stale_onnx, shipped_model_paths\n"
            "stale_onnx(shipped_model_paths()[0])\n"
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr[-2000:]


def test_a_model_without_encoder_and_decoder_exports_whole(tmp_path):
    """An uploaded autoencoder need not have 'encoder'/'decoder' sub-models: it is served for reconstructions."""
    import keras

    from ae_core.serving.runners import open_model
    inp = keras.Input((28, 28, 1))
    h = keras.layers.Flatten()(inp)
    h = keras.layers.Dense(784, activation="sigmoid")(keras.layers.Dense(8)(h))
    model = keras.Model(inp, keras.layers.Reshape((28, 28, 1))(h))
    path = tmp_path / "plain.keras"
    model.save(path)
    info = onnx_export.export_model(model, path)
    assert list(info["onnx"]) == ["model"] and info["architecture"]["reconstruct_only"] is True
    assert stale_onnx(path) == []
    served = open_model(path)
    assert not served.can("encoder")
    np.testing.assert_allclose(served.reconstruct(X[:2]), np.asarray(model(X[:2]))[..., 0], atol=1e-5)


"""The ONNX serving path: shipped models open without TensorFlow, shapes and batching are right, bad files are refused."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ae_core.analysis.latent import interpolate, interpolate_codes, manifold, sample_prior
from ae_core.models.errors import ModelFileError
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.runners import open_model, open_models, reconstruct_all
from ae_core.shapes import as_batch

CORE = ("dense", "conv", "denoising", "vae2", "vae16")


@pytest.fixture(scope="module")
def served():
    models, errors = open_models(SHIPPED_MODELS_DIR, CORE)
    assert not errors, errors
    return models


def test_every_core_model_reconstructs_encodes_and_decodes(served, small_digits):
    x, _ = small_digits
    for name, m in served.items():
        rec = m.reconstruct(x[:5])
        assert rec.shape == (5, 28, 28) and rec.dtype == np.float32, name
        assert 0.0 <= rec.min() and rec.max() <= 1.0, name
        z = m.encode(x[:5])
        assert z.shape == (5, *m.code_shape), name
        np.testing.assert_allclose(m.decode(z), rec, atol=1e-5, err_msg=name)  # decoder(encoder) == whole model
        assert float(np.mean((rec - x[:5, ..., 0]) ** 2)) < 0.05, name  # a trained model, not noise


def test_vae_gives_mean_log_variance_and_logits(served, small_digits):
    x, _ = small_digits
    vae = served["vae2"]
    assert vae.is_vae and vae.latent_dim == 2 and not served["dense"].is_vae
    mean, log_var = vae.encode_stats(x[:4])
    np.testing.assert_allclose(mean, vae.encode(x[:4]))
    assert log_var.shape == (4, 2) and np.all(log_var < 2)
    logits = vae.decode_logits(mean)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits[..., 0])), vae.decode(mean), atol=1e-5)
    with pytest.raises(ModelFileError, match="not a VAE"):
        served["dense"].encode_stats(x[:1])


def test_big_batches_split_over_threads_keep_their_order(served, small_digits):
    x, _ = small_digits
    conv = served["conv"]
    whole = conv.reconstruct(x[:600])  # several chunks on parallel threads
    for i in (0, 299, 599):
        np.testing.assert_allclose(whole[i], conv.reconstruct(x[i:i + 1])[0], atol=1e-5)


def test_reconstruct_all_gives_every_model_and_the_vae_codes(served, small_digits):
    x, _ = small_digits
    recons, codes = reconstruct_all(served, x[0, ..., 0])
    assert set(recons) == set(CORE) and all(r.shape == (28, 28) for r in recons.values())
    assert set(codes) == {"vae2", "vae16"} and codes["vae2"].shape == (2,) and codes["vae16"].shape == (16,)


def test_conv_activations_layer_by_layer(served, small_digits):
    x, _ = small_digits
    acts = served["conv"].activations(x[0])
    assert len(acts) >= 10
    shapes = [tuple(a.shape) for _, a in acts]
    assert (4, 4, 8) in shapes and shapes[-1] == (28, 28, 1)
    assert all(tuple(layer["shape"]) == shape for (layer, _), shape in zip(acts, shapes))
    np.testing.assert_allclose(acts[-1][1][..., 0], served["conv"].reconstruct(x[:1])[0], atol=1e-5)


def test_latent_tools_on_the_served_vae(served, small_digits):
    x, _ = small_digits
    vae = served["vae2"]
    assert manifold(vae, 5, 2.0).shape == (25, 28, 28)
    np.testing.assert_allclose(interpolate_codes(np.zeros(2), np.ones(2), 5)[2], [0.5, 0.5])
    zpath, frames = interpolate(vae, x[0, ..., 0], x[1, ..., 0], 6)
    assert frames.shape == (6, 28, 28)
    np.testing.assert_allclose(zpath[0], vae.encode(x[:1])[0], atol=1e-6)
    z, imgs = sample_prior(vae, 4, seed=3)
    np.testing.assert_array_equal(z, sample_prior(vae, 4, seed=3)[0])
    assert imgs.shape == (4, 28, 28)
    with pytest.raises(ValueError, match="needs a VAE"):
        sample_prior(served["dense"], 2)


def test_as_batch_shapes():
    assert as_batch(np.zeros((28, 28))).shape == (1, 28, 28, 1)
    assert as_batch(np.zeros((3, 28, 28))).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError):
        as_batch(np.zeros((32, 32)))


def _copy(name: str, tmp_path):
    for f in SHIPPED_MODELS_DIR.glob(f"{name}.*"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / f"{name}.keras"


def test_missing_or_broken_onnx_files_are_refused_clearly(tmp_path):
    path = _copy("dense", tmp_path)
    (tmp_path / "dense.encoder.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelFileError, match="could not be opened by ONNX Runtime"):
        open_model(path)
    (tmp_path / "dense.encoder.onnx").unlink()
    with pytest.raises(ModelFileError, match="dense.encoder.onnx is missing"):
        open_model(path)
    info = json.loads((tmp_path / "dense.json").read_text())
    info.pop("onnx")
    (tmp_path / "dense.json").write_text(json.dumps(info))
    with pytest.raises(ModelFileError, match="no ONNX files"):
        open_model(path)
    models, errors = open_models(tmp_path, ("dense", "conv"))
    assert not models and set(errors) == {"dense", "conv"}


def test_a_sidecar_cannot_point_outside_the_models_folder(tmp_path):
    path = _copy("dense", tmp_path)
    info = json.loads((tmp_path / "dense.json").read_text())
    info["onnx"]["model"]["file"] = "../../etc/passwd"
    (tmp_path / "dense.json").write_text(json.dumps(info))
    with pytest.raises(ModelFileError, match="passwd is missing"):
        open_model(path)


def test_the_beta_series_opens_whole_or_not_at_all(tmp_path):
    from ae_core.models.catalog import BETA_SERIES
    from ae_core.serving.registry import open_beta_series
    vae2 = open_model(SHIPPED_MODELS_DIR / "vae2.keras")
    errors: dict[str, str] = {}
    series = open_beta_series(SHIPPED_MODELS_DIR, {"vae2": vae2}, errors)
    assert list(series) == list(BETA_SERIES) and series[1.0] is vae2 and not errors  # vae2 is reused
    assert all(m.is_vae and m.latent_dim == 2 and m.can("decoder") for m in series.values())
    errors = {}
    assert open_beta_series(tmp_path, {"vae2": vae2}, errors) == {}  # a series with a gap is not offered
    assert set(errors) == {"vae2_beta0_25", "vae2_beta4"} and all("sidecar" in e or "ONNX" in e for e in errors.values())

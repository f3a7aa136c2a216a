"""The shipped models' ONNX files: present, matching their sidecars, and giving Keras' outputs and VAE figures."""
from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from ae_core.analysis.elbo import negative_elbo as onnx_negative_elbo
from ae_core.models.builders import decoder_of, encoder_of
from ae_core.models.files import load_model, read_sidecar
from ae_core.models.onnx_export import expected_roles, shipped_model_paths, stale_onnx
from ae_core.models.vae import VAE
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.training.evaluation import negative_elbo as keras_negative_elbo

PATHS = shipped_model_paths()
IDS = [str(p.relative_to(SHIPPED_MODELS_DIR).with_suffix("")) for p in PATHS]
VAE_PATHS = [p for p in PATHS if p.stem.startswith("vae")]
MNIST_VAE_PATHS = [p for p in VAE_PATHS if p.parent == SHIPPED_MODELS_DIR]  # Fashion's: tests/ae_core/training
MAX_ABS_DIFF = 1e-4


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """The first 200 shipped test digits, float32 (200,28,28,1)."""
    from ae_core.data.datasets import load_sample, to_float_images
    x, _ = load_sample("mnist")
    return to_float_images(x[:200])


class Shipped:
    """A shipped model loaded once: its Keras model, sidecar and one ONNX Runtime session per role."""

    def __init__(self, path):
        self.path, self.model, self.info = path, load_model(path), read_sidecar(path)
        self.sessions = {role: ort.InferenceSession(str(path.with_name(entry["file"])),
                                                    providers=["CPUExecutionProvider"])
                         for role, entry in self.info.get("onnx", {}).items()}

    def run(self, role: str, x: np.ndarray) -> list[np.ndarray]:
        sess = self.sessions[role]
        return sess.run(None, {sess.get_inputs()[0].name: x})

    def onnx_elbo(self, x: np.ndarray) -> dict[str, float]:
        return onnx_negative_elbo(lambda b: tuple(self.run("encoder", b)), lambda z: self.run("decoder", z)[1], x)


@pytest.fixture(scope="module", params=PATHS, ids=IDS)
def shipped(request) -> Shipped:
    if stale_onnx(request.param):
        pytest.fail(f"{request.param.name}: {stale_onnx(request.param)}; run `python -m ae_core export`")
    return Shipped(request.param)


@pytest.fixture(scope="module", params=VAE_PATHS, ids=[str(p.relative_to(SHIPPED_MODELS_DIR).with_suffix(""))
                                                         for p in VAE_PATHS])
def shipped_vae(request) -> Shipped:
    return Shipped(request.param)


@pytest.fixture(scope="module", params=MNIST_VAE_PATHS, ids=[p.stem for p in MNIST_VAE_PATHS])
def shipped_mnist_vae(request) -> Shipped:
    return Shipped(request.param)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_onnx_files_present_and_not_stale(path):
    info = read_sidecar(path)
    assert stale_onnx(path) == [], "run `python -m ae_core export`"
    assert set(info["onnx"]) == set(expected_roles(info))
    assert set(info["onnx_versions"]) == {"onnx", "tf2onnx", "onnxruntime"} and "architecture" in info


def _keras_outputs(model, role: str, x: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
    """What Keras gives for `role` (the decoder runs on the Keras encoder's codes)."""
    enc, dec = encoder_of(model), decoder_of(model)
    if role == "model":
        return [np.asarray(model(x))]
    if role == "encoder":
        out = enc(x)
        return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]
    if role == "decoder":
        logits = [np.asarray(model.decode_logits(codes))] if isinstance(model, VAE) else []
        return [np.asarray(dec(codes)), *logits]
    outs, h = [], x  # activations: every layer after the InputLayers, encoder then decoder
    for layer in enc.layers[1:] + dec.layers[1:]:
        h = layer(h)
        outs.append(np.asarray(h))
    return outs


def test_every_role_matches_keras(shipped, digits, record_property):
    codes = _keras_outputs(shipped.model, "encoder", digits, None)[0]
    worst = {}
    for role in expected_roles(shipped.info):
        want = _keras_outputs(shipped.model, role, digits, codes)
        got = shipped.run(role, codes if role == "decoder" else digits)
        assert len(got) == len(want), role
        for i, (g, w) in enumerate(zip(got, want)):
            assert g.shape == w.shape, role
            # a VAE's logits reach |100|, where float32 rounding alone is ~1e-5: their bound scales with size
            scale = np.maximum(np.abs(w), 1.0) if (role, i) == ("decoder", 1) else 1.0
            worst[f"{role}[{i}]"] = float((np.abs(g - w) / scale).max())
    record_property("max_abs_diff", worst)
    assert max(worst.values()) <= MAX_ABS_DIFF, worst


def test_vae_elbo_through_onnx_matches_keras(shipped_vae, digits):
    got = shipped_vae.onnx_elbo(digits)
    want = keras_negative_elbo(shipped_vae.model, digits)
    for key in ("neg_elbo", "reconstruction_nll", "kl"):
        assert got[key] == pytest.approx(want[key], rel=1e-3), key


@pytest.mark.full_data
def test_vae_test_set_elbo_through_onnx(shipped_mnist_vae, full_mnist):
    """neg_elbo through ONNX on the 10,000 test digits against the stored figure, within 0.05 nats.

    vae2's sidecar figure was computed by `evaluation.negative_elbo` with its fixed noise draw and is matched
    as stored. vae16's (79.9225) was computed while training, before that fixed draw existed (commit
    9a8b6b2), with another noise sample: its KL term, which needs no noise, agrees, but its reconstruction
    term cannot be reproduced, so vae16 is compared with a fresh Keras evaluation instead (79.998, as the
    README says).
    """
    x_test = full_mnist[2]
    got = shipped_mnist_vae.onnx_elbo(x_test)
    stored = shipped_mnist_vae.info["test_metrics"]
    assert got["kl"] == pytest.approx(stored["kl"], rel=1e-3)
    if shipped_mnist_vae.path.stem == "vae16":
        reference = keras_negative_elbo(shipped_mnist_vae.model, x_test)["neg_elbo"]
    else:
        reference = stored["neg_elbo"]
    assert abs(got["neg_elbo"] - reference) <= 0.05, (got, reference)

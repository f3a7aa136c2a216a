"""Model builders: shapes, parameter counts, encoder/decoder round trips, a correct VAE."""
from __future__ import annotations

import numpy as np
import pytest

from ae_core.models.builders import build_model, code_size, decoder_of, describe, encoder_of
from ae_core.models.vae import VAE


@pytest.mark.parametrize("kind,code", [("dense", 16), ("conv", 128), ("denoising", 128), ("vae", 2)])
def test_shapes_and_round_trip(kind, code):
    model = build_model(kind)
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    out = np.asarray(model(x))
    assert out.shape == (3, 28, 28, 1)
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert code_size(model) == code
    enc = encoder_of(model)(x)
    z = enc[0] if isinstance(model, VAE) else enc
    assert int(np.prod(z.shape[1:])) == code
    again = np.asarray(decoder_of(model)(z))
    np.testing.assert_allclose(again, out, atol=1e-5)  # encoder then decoder == the whole model


def test_tutorial_sizes():
    dense = build_model("dense")
    assert dense.count_params() == 106_464  # 784-64-32-16-32-64-784
    conv = build_model("conv")
    assert conv.count_params() == 24_337  # filters 32-32-8, same 4x4x8 code as the tutorial
    assert tuple(encoder_of(conv).output.shape[1:]) == (4, 4, 8)
    tutorial = build_model("conv", filters=(16, 8, 8))
    assert tutorial.count_params() == 4_385  # the tutorial's exact filters


def test_vae_heads_are_separate():
    vae = build_model("vae", latent_dim=4)
    x = np.random.default_rng(1).random((5, 28, 28, 1), dtype=np.float32)
    mean, log_var = vae.encoder(x)
    assert mean.shape == log_var.shape == (5, 4)
    assert not np.allclose(np.asarray(mean), np.asarray(log_var))  # the tutorial's bug made them equal
    names = {layer.name for layer in vae.encoder.layers}
    assert {"z_mean", "z_log_var"} <= names


def test_vae_elbo_terms_match_a_numpy_computation():
    vae = build_model("vae", latent_dim=2)
    x = (np.random.default_rng(2).random((4, 28, 28, 1)) > 0.7).astype("float32")
    mean, log_var = (np.asarray(t) for t in vae.encoder(x))
    _, kl = vae.elbo_terms(x)
    expected_kl = -0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=1)
    np.testing.assert_allclose(np.asarray(kl), expected_kl, rtol=1e-4, atol=1e-4)
    rec, _ = vae.elbo_terms(x)
    assert np.asarray(rec).shape == (4,) and np.all(np.asarray(rec) > 0)  # summed over pixels, in nats


def test_describe_lists_layers_with_params():
    rows = describe(build_model("dense"))
    assert sum(r["params"] for r in rows) == 106_464
    assert {r["part"] for r in rows} == {"encoder", "decoder"}


def test_unknown_kind():
    with pytest.raises(ValueError, match="dense"):
        build_model("transformer")

"""The app's inference path agrees with plain Keras calls; latent tools behave."""
from __future__ import annotations

import numpy as np
import pytest

from ae_core.serving.runners import LoadedModel, ModelRunner, PerClassClassifier, Reconstructor, as_batch
from ae_core.analysis.latent import grid_codes, interpolate, interpolate_codes, manifold, sample_prior
from ae_core.models.builders import build_model


@pytest.fixture(scope="module")
def models():
    return {"dense": LoadedModel("dense", build_model("dense")),
            "conv": LoadedModel("conv", build_model("conv")),
            "vae2": LoadedModel("vae2", build_model("vae", latent_dim=2))}


def test_reconstructor_matches_direct_calls(models, small_digits):
    x, _ = small_digits
    rec = Reconstructor(models)
    out = rec(x[:5])
    for name, lm in models.items():
        np.testing.assert_allclose(out[name], np.asarray(lm.model(x[:5]))[..., 0], atol=1e-5)
    mean, _ = models["vae2"].model.encoder(x[:5])
    np.testing.assert_allclose(out["vae2/z"], np.asarray(mean), atol=1e-5)
    one = rec.one(x[0, ..., 0])
    assert one["dense"].shape == (28, 28) and one["vae2/z"].shape == (2,)


def test_as_batch_shapes():
    assert as_batch(np.zeros((28, 28))).shape == (1, 28, 28, 1)
    assert as_batch(np.zeros((3, 28, 28))).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError):
        as_batch(np.zeros((32, 32)))


def test_runner_encode_decode(models, small_digits):
    x, _ = small_digits
    runner = ModelRunner(models["vae2"].model)
    z = runner.encode(x[:7])
    assert z.shape == (7, 2)
    np.testing.assert_allclose(runner.decode(z), runner.reconstruct(x[:7]), atol=1e-5)


def test_latent_tools(models, small_digits):
    x, _ = small_digits
    runner = ModelRunner(models["vae2"].model)
    codes = grid_codes(5, 2.0)
    assert codes.shape == (25, 2)
    assert codes[0].tolist() == [-2.0, 2.0] and codes[-1].tolist() == [2.0, -2.0]  # top-left high z2
    assert manifold(runner, 5, 2.0).shape == (25, 28, 28)
    path = interpolate_codes(np.zeros(2), np.ones(2), 5)
    np.testing.assert_allclose(path[2], [0.5, 0.5])
    zpath, frames = interpolate(runner, x[0, ..., 0], x[1, ..., 0], 6)
    assert frames.shape == (6, 28, 28)
    np.testing.assert_allclose(zpath[0], runner.encode(x[:1])[0], atol=1e-5)
    z, imgs = sample_prior(runner, 4, seed=3)
    z2, _ = sample_prior(runner, 4, seed=3)
    np.testing.assert_array_equal(z, z2)
    assert imgs.shape == (4, 28, 28)


def test_perclass_classifier_picks_lowest_error(small_digits):
    x, _ = small_digits
    models = [build_model("dense", code_size=4, hidden=(16,)) for _ in range(3)]
    clf = PerClassClassifier(models)
    errs = clf.errors(x[:10])
    assert errs.shape == (10, 3)
    direct = np.mean((np.asarray(models[1](x[:10])) - x[:10]) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(errs[:, 1], direct, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(x[:10]), errs.argmin(axis=1))


def test_runner_splits_big_batches_in_order(models, small_digits):
    x, _ = small_digits
    runner = ModelRunner(models["conv"].model)
    whole = runner.reconstruct(x[:9], batch_size=1000)
    chunked = runner.reconstruct(x[:9], batch_size=2)  # five chunks on parallel threads
    assert chunked.shape == (9, 28, 28)
    np.testing.assert_allclose(chunked, whole, atol=1e-5)
    np.testing.assert_allclose(chunked[4], np.asarray(models["conv"].model(x[4:5]))[0, ..., 0], atol=1e-5)

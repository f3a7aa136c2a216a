"""The shipped beta-VAE series: one recipe but for beta, the trade-off in its figures, and its kNN accuracy."""
from __future__ import annotations

import pytest

from ae_core.analysis.separation import code_separation
from ae_core.models.catalog import BETA_SERIES
from ae_core.models.files import read_sidecar
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.runners import open_model

PATHS = {beta: SHIPPED_MODELS_DIR / f"{name}.keras" for beta, name in BETA_SERIES.items()}
RECIPE_KEYS = ("kind", "latent_dim", "epochs", "batch_size", "learning_rate", "lr_schedule", "seed", "dataset",
               "train_size")


@pytest.fixture(scope="module")
def sidecars() -> dict[float, dict]:
    return {beta: read_sidecar(path) for beta, path in PATHS.items()}


def test_the_series_is_one_recipe_but_for_beta(sidecars):
    assert {0.25, 1.0, 4.0} <= set(sidecars)
    first = sidecars[min(sidecars)]
    for beta, info in sidecars.items():
        assert info["config"]["beta"] == beta
        assert {k: info["config"][k] for k in RECIPE_KEYS} == {k: first["config"][k] for k in RECIPE_KEYS}
        assert info["config"]["latent_dim"] == 2 and info["dataset"]["train_images"] == 60000
        assert info["architecture"]["layers"] == first["architecture"]["layers"]  # same network, layer by layer
        assert info["epochs_run"] == info["config"]["epochs"]  # a finished training


def test_the_figures_show_the_trade_off(sidecars):
    """A larger beta buys a smaller KL term; the largest beta pays for it with the worst reconstruction term.

    (Below beta 1 a 2-d code gains hardly anything in reconstruction: 0.25 and 1 are within half a nat.)
    """
    betas = sorted(sidecars)
    kl = [sidecars[b]["test_metrics"]["kl"] for b in betas]
    rec = [sidecars[b]["test_metrics"]["reconstruction_nll"] for b in betas]
    assert kl == sorted(kl, reverse=True) and len(set(kl)) == len(kl), kl
    assert rec[-1] > max(rec[:-1]) + 5, rec
    for info in sidecars.values():
        assert 0.0 < info["test_metrics"]["knn5_accuracy"] <= 1.0 and "knn_note" in info


@pytest.mark.full_data
@pytest.mark.parametrize("beta", sorted(BETA_SERIES))
def test_knn_accuracy_in_the_sidecar_is_reproduced_through_onnx(beta, full_mnist):
    """5-NN accuracy of the 10,000 test codes among 20,000 training codes, from the served (ONNX) encoder."""
    x_train, y_train, x_test, y_test = full_mnist
    model = open_model(PATHS[beta], roles=("encoder", "decoder"))
    got = code_separation(model.encode, x_train, y_train, x_test, y_test)["knn5_accuracy"]
    # ONNX and Keras codes differ by float rounding, which may flip the vote of a handful of borderline digits
    assert got == pytest.approx(model.info["test_metrics"]["knn5_accuracy"], abs=0.002)

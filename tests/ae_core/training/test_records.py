"""One sidecar record builder: the same keys whether the command line or the training worker trained the model."""
from __future__ import annotations

import datetime as dt

import pytest

from ae_core.training.config import TrainConfig
from ae_core.training.evaluation import ELBO_NOTE, EVAL_NOISE, KNN_NOTE, evaluate_model
from ae_core.training.fit import train
from ae_core.training.records import RECORD_KEYS, training_record


@pytest.fixture(scope="module")
def digits():
    from ae_core.data.datasets import load_sample, to_float_images
    x, _ = load_sample("mnist")
    x = to_float_images(x)
    return x[:300], x[300:400]


def _trained(kind: str, digits, **over):
    xtr, xval = digits
    cfg = TrainConfig(kind=kind, epochs=1, batch_size=100, **over)
    return cfg, train(cfg, xtr, xval)


def test_record_has_every_key_with_the_trained_figures(digits):
    cfg, result = _trained("dense", digits, code_size=8, hidden=(32,))
    rec = training_record(result.model, cfg, result, name="m", dataset={"name": "mnist", "train_images": 300},
                          test_metrics={"mse": 0.05}, command="python -m ae_core train --model dense")
    assert set(RECORD_KEYS) <= rec.keys()
    assert rec["kind"] == "dense" and rec["name"] == "m" and rec["code_size"] == 8
    assert rec["config"] == cfg.to_dict() and rec["epochs_run"] == 1 == len(rec["history"]["loss"])
    assert rec["params"] == result.model.count_params() and rec["test_metrics"] == {"mse": 0.05}
    assert rec["command"].startswith("python -m ae_core") and rec["wall_time_s"] >= 0
    assert dt.datetime.fromisoformat(rec["created"]).tzinfo is not None
    assert "elbo_note" not in rec and "eval_noise" not in rec


def test_cli_and_worker_records_share_their_shape(digits):
    cfg, result = _trained("dense", digits, code_size=4, hidden=(16,))
    common = {"name": "m", "test_metrics": {"mse": 0.1}}
    cli = training_record(result.model, cfg, result, dataset={"name": "mnist", "train_images": 300,
                                                               "test_images": 10000}, command="cmd", **common)
    worker = training_record(result.model, cfg, result, dataset={"name": "mnist", "source": "sample"},
                             epochs_run=0, label="My model", source="trained", job_id="j1", **common)
    shared = set(RECORD_KEYS)
    assert shared <= cli.keys() and shared <= worker.keys()
    assert {k: type(cli[k]) for k in shared} == {k: type(worker[k]) for k in shared}
    assert worker["label"] == "My model" and worker["source"] == "trained" and worker["epochs_run"] == 0
    assert "command" not in worker and cli["command"] == "cmd"


def test_vae_and_denoising_records_carry_their_notes(digits):
    cfg, result = _trained("vae", digits, latent_dim=2)
    rec = training_record(result.model, cfg, result, name="v", dataset={}, test_metrics={})
    assert rec["elbo_note"] == ELBO_NOTE and "eval_noise" not in rec and "knn_note" not in rec
    from ae_core.data.datasets import load_sample
    y = load_sample("mnist")[1]
    xtr, xval = digits
    figures = evaluate_model(result.model, "vae", xval, y_test=y[300:400], train=(xtr, y[:300]))
    assert 0.0 <= figures["knn5_accuracy"] <= 1.0 and {"neg_elbo", "reconstruction_nll", "kl"} <= figures.keys()
    rec = training_record(result.model, cfg, result, name="v", dataset={}, test_metrics=figures)
    assert rec["knn_note"] == KNN_NOTE
    cfg, result = _trained("denoising", digits, filters=(8, 8, 4))
    rec = training_record(result.model, cfg, result, name="d", dataset={}, test_metrics={})
    assert rec["eval_noise"] == EVAL_NOISE and "elbo_note" not in rec

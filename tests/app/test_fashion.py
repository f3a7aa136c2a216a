"""AppTest: every page on Fashion-MNIST (?dataset=fashion, or the sidebar's switch), with or without its models.

Where a Fashion model is shipped the page uses it (clothing names, the Fashion test images); where it is not,
the page says so in plain words and keeps working.
"""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ae_core.data.catalog import FASHION_CLASSES
from tests.app.helpers import APP, figures, texts

SLOW = 300  # first runs import TensorFlow and load models; the box may be busy training


def _fashion_registry():
    from pages.shared.resources import registry
    reg = registry("fashion")
    reg.wait(SLOW)
    reg.wait_extras(SLOW)
    return reg


@pytest.fixture(scope="module")
def at() -> AppTest:
    _fashion_registry()
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["dataset"] = "fashion"
    app.run(timeout=SLOW)
    assert not app.exception, app.exception
    return app


def _page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run(timeout=SLOW)
    assert not at.exception, at.exception
    return at


def _not_shipped(at: AppTest) -> bool:
    return "not shipped for Fashion-MNIST yet" in texts(at)


def test_url_opens_fashion_and_the_sidebar_switches_back(at):
    assert at.sidebar.radio(key="dataset").value == "fashion"
    assert at.query_params["dataset"] == ["fashion"] or at.query_params["dataset"] == "fashion"
    home = AppTest.from_file(APP, default_timeout=120).run(timeout=SLOW)
    assert home.sidebar.radio(key="dataset").value == "mnist" and "dataset" not in home.query_params
    home.sidebar.radio(key="dataset").set_value("fashion").run(timeout=SLOW)
    assert not home.exception and "Fashion-MNIST" in texts(home)
    assert home.query_params["dataset"] in ("fashion", ["fashion"])
    home.sidebar.radio(key="dataset").set_value("mnist").run(timeout=SLOW)
    assert "dataset" not in home.query_params and "Fashion-MNIST" not in home.markdown[0].value


def test_bad_dataset_in_the_url_falls_back_to_mnist():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["dataset"] = "cifar"
    app.run(timeout=SLOW)
    assert not app.exception and app.sidebar.radio(key="dataset").value == "mnist"


def test_home(at):
    _page(at, "pages/views/home.py")
    assert "Fashion-MNIST" in at.markdown[0].value and "Ankle boot" in at.markdown[0].value
    reg = _fashion_registry()
    if "dense" in reg.models:
        assert any(c in texts(at) for c in FASHION_CLASSES)  # the example garment, named
        assert any("256" in c.value and "→" in c.value for c in at.caption)  # Fashion's dense AE's widths
    else:
        assert "The dense autoencoder is unavailable: not shipped for Fashion-MNIST yet" in texts(at)


def test_draw_a_test_garment(at):
    _page(at, "pages/views/draw.py")
    at.radio(key="draw-source").set_value("Test digit").run(timeout=SLOW)
    assert not at.exception
    assert at.selectbox(key="draw-class").label == "Class"
    at.selectbox(key="draw-class").set_value(7).run(timeout=SLOW)  # Sneaker
    chosen = at.session_state["current_digit_source"]  # what every page calls the user's current image
    assert chosen.startswith("test garment #") and chosen.endswith("(Sneaker)")
    if _fashion_registry().models:
        assert len(figures(at)) >= 1 + 2 * len(_fashion_registry().models)  # input, then copy + error map each
    else:
        assert "No autoencoder is shipped for Fashion-MNIST yet" in texts(at)


def test_denoise(at):
    _page(at, "pages/views/denoise.py")
    reg = _fashion_registry()
    if {"conv", "denoising"} <= set(reg.models):
        assert "Denoising AE" in texts(at) and len(figures(at)) >= 4
    else:
        assert _not_shipped(at)
    assert "clean: your last garment" in texts(at)  # the Sneaker chosen on the Draw page, noised here
    assert "noisy input" in texts(at)


def test_latent_map_names_the_clothing_classes(at):
    _page(at, "pages/views/latent.py")
    if "vae2" not in _fashion_registry().models:
        assert _not_shipped(at)
        return
    charts = [c for c in at.get("plotly_chart") if c.key and c.key.startswith("latent-map-")]
    names = {t.get("name") for t in json.loads(charts[0].proto.spec)["data"]}
    assert set(FASHION_CLASSES) <= names


def test_compression(at):
    _page(at, "pages/views/compression.py")
    if not _fashion_registry().compression:
        assert "The compression series: not shipped for Fashion-MNIST yet" in texts(at)
    assert "**PCA** (mean MSE" in texts(at)
    assert len(figures(at)) > 5  # the example garments and PCA's rebuilds, with or without the series


def test_applications_anomalies_are_digits_and_noise(at):
    _page(at, "pages/views/applications.py")
    reg = _fashion_registry()
    if not reg.models:
        assert _not_shipped(at)
    else:
        groups = at.multiselect(key="apps-groups-fashion")
        assert groups.options == ["MNIST digits", "Pure noise"] and groups.value == ["MNIST digits", "Pure noise"]
        assert any(m.label == "ROC AUC" for m in at.metric)
    at.session_state["apps-tab"] = "Classification"
    at.run(timeout=SLOW)
    assert not at.exception
    if reg.perclass is None:
        assert "not shipped for Fashion-MNIST yet" in texts(at)
        return
    at.radio(key="classify-source").set_value("Test digit").run(timeout=SLOW)
    assert any(h.value.startswith("Predicted class: ") and h.value.split(": ")[1] in FASHION_CLASSES
               for h in at.subheader)


def test_train_uses_fashion(at):
    _page(at, "pages/views/train.py")
    assert "Training on **Fashion-MNIST clothing**" in texts(at)
    assert "MNIST has 60,000" not in texts(at)  # the sample note, if any, names Fashion-MNIST


def test_own_models_show_only_on_the_dataset_they_were_trained_on():
    from ae_core.paths import SHIPPED_MODELS_DIR
    from ae_core.serving.runners import open_model

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["dataset"] = "fashion"
    at.run()
    at.switch_page("pages/views/draw.py").run()
    at.session_state["user_models"] = {"mine": open_model(SHIPPED_MODELS_DIR / "dense.keras", "mine")}  # MNIST's
    at.radio(key="draw-source").set_value("Test digit").run()
    assert not at.exception
    assert not any("Your models" in m.value for m in at.markdown)
    assert any("trained on the other dataset" in c.value for c in at.caption)
    at.session_state["dataset"] = "mnist"
    at.run()
    assert not at.exception
    assert any("Your models" in m.value for m in at.markdown)

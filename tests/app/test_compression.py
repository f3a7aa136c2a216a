"""AppTest: the Compression page (code size slider, ratio, sidecar curve, AE vs PCA rebuilds)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import figures

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FIRST_RUN_TIMEOUT = 600  # first run imports TensorFlow: seconds when idle, minutes on a machine busy training


def _models():
    from pages.shared.resources import registry
    reg = registry()
    reg.wait(FIRST_RUN_TIMEOUT)
    reg.wait_extras(FIRST_RUN_TIMEOUT)
    return reg


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=300).run(timeout=FIRST_RUN_TIMEOUT)
    _models()
    app.switch_page("pages/views/compression.py").run(timeout=FIRST_RUN_TIMEOUT)
    assert not app.exception
    return app


def test_default_state(at):
    assert at.title[0].value == "Compression"
    reg = _models()
    assert at.select_slider(key="compression-size").value == 16
    assert _metric(at, "Compression") == "49x smaller"
    assert any(c.value.startswith("784 → 16 numbers (49× smaller)") for c in at.caption)
    if 16 in reg.compression:
        info = reg.compression[16].info
        assert _metric(at, "Autoencoder test MSE") == f"{info['test_metrics']['mse']:.4f}"
        assert _metric(at, "PCA test MSE") == f"{info['pca_mse']:.4f}"
        assert at.main.get("plotly_chart")
    else:
        assert any("missing" in w.value for w in at.warning)
    # grid: 5 example digits x (original, [autoencoder], PCA); strip: 2 rows of 6 sizes + the original
    expected = 5 * (2 + (16 in reg.compression)) + 2 * 7
    assert len(figures(at)) == expected


def test_code_size_changes_ratio_figures_and_images(at):
    reg = _models()
    images_before = figures(at)[:15]
    at.select_slider(key="compression-size").set_value(4).run()
    assert not at.exception
    assert _metric(at, "Compression") == "196x smaller"
    assert _metric(at, "Code") == "4 numbers"
    assert any(c.value.startswith("784 → 4 numbers (196× smaller)") for c in at.caption)
    assert at.subheader[0].value == "Rebuilt from 4 numbers"
    if 4 in reg.compression:  # the figures come from the sidecar, not from a formula
        assert _metric(at, "Autoencoder test MSE") == f"{reg.compression[4].info['test_metrics']['mse']:.4f}"
    assert figures(at)[:15] != images_before
    at.select_slider(key="compression-size").set_value(16).run()


def test_users_digit_joins_the_grid_and_the_strip(at):
    from pages.shared.resources import samples
    at.session_state["current_digit"] = np.asarray(samples("mnist")[0][1])
    at.run()
    assert not at.exception
    assert any(">your digit<" in e.proto.body for e in at.main.get("html"))
    assert at.subheader[1].value == "One digit at every code size: your digit"

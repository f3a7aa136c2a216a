"""AppTest: the Applications page (anomaly detection threshold/metrics, per-class classification).

One module-scoped app; the tests run in file order. Canvas drawings are injected through session_state.
"""
from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, ONE, canvas_value, stroke_image

PAGE = "pages/views/applications.py"
SLOW = 300  # first runs import TensorFlow, load models and score 5,500 images; the box is busy


@pytest.fixture(scope="module")
def at() -> AppTest:
    from pages.shared.resources import registry
    registry().wait(SLOW)  # import TensorFlow and load the models once, outside the first script run
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(PAGE).run(timeout=SLOW)  # url_path == file name, so no Home run is needed first
    assert not app.exception, app.exception
    return app


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _decode(obj):
    """Plotly JSON with typed arrays ({"dtype", "bdata"[, "shape"]}) turned back into plain lists."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            import numpy as np
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            shape = obj.get("shape")
            if shape:
                arr = arr.reshape([int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape)
            return arr.tolist()
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def _chart(at: AppTest, key: str) -> dict:
    charts = [c for c in at.get("plotly_chart") if c.key == key]
    assert len(charts) == 1, [c.key for c in at.get("plotly_chart")]
    return _decode(json.loads(charts[0].proto.spec))


def _trace(spec: dict, name: str) -> dict | None:
    hits = [t for t in spec["data"] if t.get("name") == name]
    return hits[0] if hits else None


def _threshold(at: AppTest):
    sliders = [s for s in at.select_slider if s.key.startswith("apps-threshold-")]
    assert len(sliders) == 1
    return sliders[0]


def _needs_models(at: AppTest) -> None:
    if not at.metric:
        pytest.skip("no autoencoder available: " + " ".join(w.value for w in at.warning))


def _tab(at: AppTest, label: str) -> AppTest:
    at.session_state["apps-tab"] = label
    at.run(timeout=SLOW)
    assert not at.exception, at.exception
    return at


def test_default_state(at):
    assert at.title[0].value == "Applications"
    assert [t.label for t in at.tabs] == ["Anomaly detection", "Classification"]
    _needs_models(at)
    assert list(_metrics(at)) == ["Precision", "Recall", "False alarms", "ROC AUC"]
    if not any("dense.keras" in w.value for w in at.warning):
        assert at.selectbox(key="apps-model").value == "dense"
    assert at.multiselect(key="apps-groups").value == ["Fashion-MNIST", "Pure noise"]
    hist = _chart(at, "apps-hist")
    names = [t["name"] for t in hist["data"]]
    assert names[:3] == ["MNIST digits (n=3000)", "Fashion-MNIST (n=2000)", "Pure noise (n=500)"]
    assert _trace(hist, "your drawing") is None  # nothing drawn yet
    roc = _chart(at, "apps-roc")
    assert _metrics(at)["ROC AUC"] in roc["layout"]["title"]["subtitle"]["text"]
    # the default threshold lets about 5 % of normal digits through as false alarms
    assert 2.0 <= float(_metrics(at)["False alarms"].rstrip("%")) <= 8.0


def test_threshold_changes_precision_and_recall(at):
    _needs_models(at)
    before = _metrics(at)
    slider = _threshold(at)
    low = float(slider.options[len(slider.options) // 5])  # far below the default
    slider.set_value(low).run()
    assert not at.exception
    after = _metrics(at)
    assert after["Recall"] != before["Recall"] and after["Precision"] != before["Precision"]
    assert float(after["Recall"].rstrip("%")) >= float(before["Recall"].rstrip("%"))
    assert float(after["False alarms"].rstrip("%")) > float(before["False alarms"].rstrip("%"))
    assert after["ROC AUC"] == before["ROC AUC"]  # AUC does not depend on the threshold
    line = _trace(_chart(at, "apps-hist"), "threshold")
    assert line["x"][0] == pytest.approx(low)
    point = _trace(_chart(at, "apps-roc"), "current threshold")
    assert point["y"][0] == pytest.approx(float(after["Recall"].rstrip("%")) / 100, abs=6e-4)


def test_anomaly_groups_change_the_metrics(at):
    _needs_models(at)
    before = _metrics(at)
    at.multiselect(key="apps-groups").set_value(["Pure noise"]).run()
    assert not at.exception
    caught = [c.value for c in at.caption if c.value.startswith("Caught at this threshold")]
    assert len(caught) == 1 and "Pure noise" in caught[0] and "Fashion-MNIST" not in caught[0]
    assert _metrics(at)["ROC AUC"] != before["ROC AUC"]
    names = [t["name"] for t in _chart(at, "apps-hist")["data"]]
    assert not any(n.startswith("Fashion") for n in names)
    at.multiselect(key="apps-groups").set_value([]).run()
    assert not at.exception and not at.metric
    assert any("at least one kind of anomaly" in i.value for i in at.info)
    at.multiselect(key="apps-groups").set_value(["Fashion-MNIST", "Pure noise"]).run()


def _summary() -> dict:
    from ae_core.paths import SHIPPED_MODELS_DIR
    from ae_core.models.files import read_sidecar
    folder = Path(os.environ.get("AE_LAB_MODELS_DIR") or SHIPPED_MODELS_DIR) / "perclass"
    return read_sidecar(folder / "summary.keras")


def _predicted(at: AppTest) -> int:
    heads = [h.value for h in at.subheader if h.value.startswith("Predicted class")]
    assert len(heads) == 1, [h.value for h in at.subheader]
    return int(re.search(r"Predicted class: (\d)", heads[0]).group(1))


def _lowest_bar(at: AppTest) -> int:
    bars = _chart(at, "apps-bars")["data"][0]
    return min(range(len(bars["y"])), key=lambda i: bars["y"][i])


def test_classification_summary_from_sidecar(at):
    _tab(at, "Classification")
    if any("per-class autoencoders" in w.value for w in at.warning):
        pytest.skip("perclass models are not available")
    info = _summary()
    assert _metrics(at)["Test accuracy"] == f"{info['accuracy']:.1%}"
    cm = _chart(at, "apps-cm")["data"][0]
    assert cm["text"] == info["confusion_matrix"]
    assert not [h for h in at.subheader if h.value.startswith("Predicted class")]  # nothing drawn yet


def test_drawing_is_classified(at):
    if at.session_state["apps-tab"] != "Classification":  # run on its own (the module's order opens it before)
        _tab(at, "Classification")
    if not at.metric:
        pytest.skip("perclass models are not available")
    at.session_state["classify-canvas"] = canvas_value(stroke_image(ONE))
    at.run()
    assert not at.exception
    drawn = _predicted(at)
    assert drawn == _lowest_bar(at)
    assert len(_chart(at, "apps-bars")["data"][0]["y"]) == 10
    assert any("your drawing" in c.value for c in at.caption)
    at.radio(key="classify-source").set_value("Test digit").run()
    assert not at.exception
    assert any("test digit #0 (label 7)" in c.value for c in at.caption)
    assert _predicted(at) == _lowest_bar(at)


def test_drawing_shows_on_the_error_histogram(at):
    _tab(at, "Anomaly detection")
    _needs_models(at)
    verdicts = [m.value for m in at.markdown if m.value.startswith("Your digit's error is")]
    assert len(verdicts) == 1
    score = float(re.search(r"\*\*([0-9.]+)\*\*", verdicts[0]).group(1))
    star = _trace(_chart(at, "apps-hist"), "your drawing")
    assert star is not None and star["x"][0] == pytest.approx(score, abs=6e-5)
    flagged = "flagged as an anomaly" in verdicts[0]
    assert flagged == (score > _threshold(at).value)

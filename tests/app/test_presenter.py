"""AppTest: presenter mode, from ?present=1 or the sidebar toggle: big pad and images, projector CSS."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, SEVEN, canvas_value, stroke_image

PROJECTOR_CSS_MARK = '[data-testid="stToolbar"]'  # the presenter CSS hides Streamlit's toolbar and menu


def _pad_size(at: AppTest) -> int:
    pads = [e for e in at.get("bidi_component") if e.proto.component_name == "ae_lab.drawing_pad"]
    assert pads, "no drawing pad on the page"
    return json.loads(pads[0].proto.json)["size"]


def _styles(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def _image_widths(at: AppTest) -> list[str]:
    return [b.split('width="', 1)[1].split('"', 1)[0] for b in (e.proto.body for e in at.get("html"))
            if "<img " in b]


def test_query_parameter_turns_presenter_mode_on():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception
    assert at.toggle(key="presenter").value is True
    assert _pad_size(at) == 420
    assert PROJECTOR_CSS_MARK in _styles(at)


def test_sidebar_toggle_switches_pad_images_and_css():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/views/draw.py").run()
    at.session_state["draw-canvas"] = canvas_value(stroke_image(SEVEN))
    at.run()
    assert not at.exception
    assert _pad_size(at) == 280 and PROJECTOR_CSS_MARK not in _styles(at)
    normal = _image_widths(at)
    assert normal and set(normal) == {"140"}
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    assert _pad_size(at) == 420 and PROJECTOR_CSS_MARK in _styles(at)
    assert set(_image_widths(at)) == {"200"}  # every image larger, the drawing kept
    at.toggle(key="presenter").set_value(False).run()
    assert _pad_size(at) == 280 and PROJECTOR_CSS_MARK not in _styles(at)


def _chart_font_sizes(at: AppTest) -> list[int]:
    return [json.loads(c.proto.spec)["layout"]["font"]["size"] for c in at.main.get("plotly_chart")]


def test_presenter_mode_enlarges_chart_text_and_legends():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/views/compression.py").run()
    assert not at.exception
    normal = _chart_font_sizes(at)
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    big = _chart_font_sizes(at)
    assert normal and len(big) == len(normal) and all(b > n for b, n in zip(big, normal)), (normal, big)


def test_sidebar_status_is_current_after_a_page_that_waited_for_the_models(monkeypatch):
    """The sidebar is drawn before the page; its model status is filled in after, so it never says
    "loading" next to reconstructions that the page just waited for."""
    from ae_core.serving.registry import ModelRegistry

    real_wait = ModelRegistry.wait

    def wait(self, timeout=60):
        self._test_waited = True
        return real_wait(self, timeout)

    monkeypatch.setattr(ModelRegistry, "ready", property(lambda self: getattr(self, "_test_waited", False)))
    monkeypatch.setattr(ModelRegistry, "wait", wait)
    from pages.shared.resources import forget_registries, registry
    forget_registries()  # a fresh registry object that has not been waited for yet
    try:
        at = AppTest.from_file(APP, default_timeout=300).run()
        at.switch_page("pages/views/draw.py").run()
        at.session_state["draw-canvas"] = canvas_value(stroke_image(SEVEN))
        at.run()
        assert not at.exception
        status = " ".join(c.value for c in at.sidebar.get("caption"))
        assert "shipped autoencoders loaded" in status and "Loading" not in status, status
    finally:  # let the loader finish: a process that exits while TensorFlow loads in a thread aborts
        registry().wait_extras(600)

"""AppTest: the Denoise page (noise controls, both models' outputs with MSE/PSNR, cached error curve)."""
from __future__ import annotations

from pathlib import Path

import re

import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FIRST_RUN_TIMEOUT = 600  # first run imports TensorFlow: seconds when idle, minutes on a machine busy training

import ae_core.analysis.denoising as denoise_eval
from tests.app.helpers import canvas_value, figures

CANVAS_KEY = "denoise-canvas"  # digit_picker("denoise") -> drawing_canvas("denoise-canvas")


def _models():
    from pages.shared.resources import registry
    reg = registry()
    reg.wait(FIRST_RUN_TIMEOUT)
    return reg


def _captions(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.main.get("html")]


def _caption(at: AppTest, start: str) -> str:
    hits = [c for c in _captions(at) if start in c]
    assert len(hits) == 1, (start, _captions(at))
    return hits[0]


def _mse(caption: str) -> float:
    return float(re.search(r"MSE ([0-9.]+)", caption).group(1))


def _noisy_image(at: AppTest) -> str:
    return figures(at)[1]  # clean, noisy, conv AE, denoising AE


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=300).run(timeout=FIRST_RUN_TIMEOUT)
    _models()
    # the first visit measures both models on 200 digits x 11 noise levels (cached afterwards): allow
    # for a machine that is busy training
    app.switch_page("pages/views/denoise.py").run(timeout=FIRST_RUN_TIMEOUT)
    assert not app.exception
    return app


@pytest.fixture
def quick_curves(monkeypatch):
    """Curves for other noise kinds on 10 digits instead of 200 (real values, a tenth of the work)."""
    real = denoise_eval.noise_error_curves

    def fewer(fns, images, *args, **kwargs):
        return real(fns, images[:10], *args, **kwargs)

    monkeypatch.setattr(denoise_eval, "noise_error_curves", fewer)


def test_default_state(at):
    assert at.title[0].value == "Denoise"
    reg = _models()
    assert at.selectbox(key="denoise-kind").value == "gaussian"
    assert at.slider(key="denoise-amount").value == 0.5
    assert "clean: example test digit" in _caption(at, "clean:")
    assert _mse(_caption(at, "noisy input")) > 0
    for name, label in (("conv", "Plain conv AE"), ("denoising", "Denoising AE")):
        if name in reg.models:
            assert "PSNR" in _caption(at, f"<b>{label}</b>")
        else:
            assert any(label in w.value for w in at.warning)
    assert len(figures(at)) == 2 + sum(n in reg.models for n in ("conv", "denoising"))
    assert at.main.get("plotly_chart")


def test_amount_slider_changes_errors_without_recomputing_curve(at, monkeypatch):
    calls = []
    real = denoise_eval.noise_error_curves
    monkeypatch.setattr(denoise_eval, "noise_error_curves", lambda *a, **k: calls.append(a) or real(*a, **k))
    before = _mse(_caption(at, "noisy input"))
    at.slider(key="denoise-amount").set_value(0.9).run()
    assert not at.exception
    after = _mse(_caption(at, "noisy input"))
    assert after > before
    at.slider(key="denoise-amount").set_value(0.0).run()
    assert "PSNR perfect" in _caption(at, "noisy input")
    assert any("No noise" in m.value for m in at.markdown) or len(_models().models) < 2
    assert calls == []  # the curve for this noise kind came from the cache
    at.slider(key="denoise-amount").set_value(0.5).run()


def test_noise_kind_changes_noisy_image(at, quick_curves):
    image_before, cap_before = _noisy_image(at), _caption(at, "noisy input")
    at.selectbox(key="denoise-kind").set_value("masking").run()
    assert not at.exception
    assert _noisy_image(at) != image_before
    assert _caption(at, "noisy input") != cap_before
    assert "switched off" in at.slider(key="denoise-amount").help
    at.selectbox(key="denoise-kind").set_value("gaussian").run()  # back to the curve already cached
    assert _noisy_image(at) == image_before


def test_new_noise_button_redraws_noise(at):
    image_before = _noisy_image(at)
    at.button(key="denoise-reseed").click().run()
    assert not at.exception
    assert _noisy_image(at) != image_before
    image_now = _noisy_image(at)
    at.run()  # a rerun without a click keeps the same noise
    assert _noisy_image(at) == image_now


def test_test_digit_and_drawing_inputs(at):
    at.radio(key="denoise-source").set_value("Test digit").run()
    assert "clean: test digit #0 (label 7)" in _caption(at, "clean:")
    at.radio(key="denoise-source").set_value("Draw").run()
    at.session_state[CANVAS_KEY] = _drawing()
    at.run()
    assert not at.exception
    assert "clean: your drawing" in _caption(at, "clean:")


def _drawing() -> dict:
    im = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(im).ellipse((80, 50, 200, 230), outline=(255, 255, 255, 255), width=20)  # a "0"
    return canvas_value(im)

"""AppTest: the Home page (intro diagram, live canvas demo, model architectures, tour links)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FIRST_RUN_TIMEOUT = 600  # first run imports TensorFlow: seconds when idle, minutes on a machine busy training

from ae_core.serving.runners import SHIPPED_MODELS
from tests.app.helpers import canvas_value, figures, stroke_image

CANVAS_KEY = "home"  # drawing_canvas("home")
MODEL_TAB = "home-model-tab"  # pages/views/home.py's MODEL_TAB (a page script is not imported by tests)


def _models():
    """The app's own registry (the cached resource the pages use), once its core models are loaded."""
    from pages.shared.resources import registry
    reg = registry()
    reg.wait(FIRST_RUN_TIMEOUT)
    return reg


def _captions(at: AppTest) -> list[str]:
    """Bodies of the st.html captions that show_image writes."""
    return [e.proto.body for e in at.main.get("html")]


def _drawing(points) -> dict:
    return canvas_value(stroke_image(points, width=20))


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=300).run(timeout=FIRST_RUN_TIMEOUT)
    _models()
    app.run()
    assert not app.exception
    return app


def test_default_state_explains_and_shows_models(at):
    assert at.title[0].value == "Autoencoder Lab"
    assert "autoencoder" in at.markdown[0].value and "encoder" in at.markdown[0].value
    assert any("64" in c.value and "→" in c.value for c in at.caption)  # diagram caption lists the layers
    reg = _models()
    assert not [i for i in at.info if "loading" in i.value]
    # one tab per shipped model; every loaded model shows its parameter count, code size and ratio
    assert [t.label for t in at.tabs] == list(SHIPPED_MODELS.values())
    ratios, notes, warnings = [], [], []
    for label in SHIPPED_MODELS.values():  # only the open tab is drawn: open each in turn
        at.session_state[MODEL_TAB] = label
        at.run()
        assert not at.exception
        shown = [m.value for m in at.metric if m.label == "Compression"]
        assert len(shown) <= 1, "more than the open tab was drawn"
        ratios += shown
        notes += [i.value for i in at.info]
        warnings += [w.value for w in at.warning]
    assert len(ratios) == len(reg.models)
    if "dense" in reg.models:
        assert "49x" in ratios
    if "vae2" in reg.models:
        assert "392x" in ratios
        assert any("log-variance" in n and "ELBO" in n for n in notes)
    for name, label in SHIPPED_MODELS.items():
        if name not in reg.models:
            assert any(label in w for w in warnings)
    assert len(at.main.get("page_link")) == 6


def test_demo_shows_example_then_the_users_drawing(at):
    reg = _models()
    if "dense" not in reg.models:
        assert any("dense autoencoder is unavailable" in w.value for w in at.warning)
        pytest.skip("dense model not shipped yet: the page warns instead of reconstructing")
    before = _captions(at)
    assert any("example: test digit #0" in c for c in before)
    copy_before = [c for c in before if "the autoencoder's copy" in c]
    assert len(copy_before) == 1
    images_before = figures(at)

    at.session_state[CANVAS_KEY] = _drawing([(140, 50), (140, 240)])  # a "1"
    at.run()
    assert not at.exception
    after = _captions(at)
    assert any("input: your drawing" in c for c in after)
    assert not any("example: test digit" in c for c in after)
    copy_after = [c for c in after if "the autoencoder's copy" in c]
    assert copy_after != copy_before  # the MSE of the reconstruction changed
    assert figures(at) != images_before
    assert any("The code the decoder rebuilt it from" in c.value for c in at.caption)


def test_loading_state_shows_canvas_without_blocking(monkeypatch):
    """While the models load, the page still renders the pad and the browser's live copy instead of waiting."""
    from ae_core.serving.registry import ModelRegistry

    monkeypatch.setattr(ModelRegistry, "ready", property(lambda self: False))
    app = AppTest.from_file(APP, default_timeout=300).run(timeout=FIRST_RUN_TIMEOUT)
    assert not app.exception
    names = [c.proto.component_name for c in app.main.get("bidi_component")]
    assert names[0] == "ae_lab.drawing_pad"
    assert "ae_lab.live_results" in names  # the browser answers the first stroke from the model's own files
    assert not any("models are loading" in i.value for i in app.info)
    assert len(app.tabs) == 5  # the model tabs come from the sidecars: they need not wait either
    assert [m.label for m in app.tabs[0].metric] == ["Parameters", "Code size", "Compression", "Test MSE"]
    assert not app.tabs[1].metric  # a closed tab is not drawn


def test_loading_state_without_a_browser_runtime_waits_for_the_servers_models(monkeypatch):
    """Where the browser cannot run the models, the demo waits for the server's and shows their copy."""
    from ae_core.serving.registry import ModelRegistry
    from pages.shared.live_views import RUNTIME_STATE

    monkeypatch.setattr(ModelRegistry, "ready", property(lambda self: self._ready.is_set() and False))
    app = AppTest.from_file(APP, default_timeout=300)
    app.session_state[RUNTIME_STATE] = {"ok": False, "reason": "WebAssembly is not available"}
    app.run(timeout=FIRST_RUN_TIMEOUT)
    assert not app.exception
    assert len([c for c in _captions(app) if "the autoencoder's copy" in c]) == 1


def test_pages_with_live_views_do_not_import_pandas():
    """A cold server's first pages send their live views' data without importing pandas (half a second of it).

    Streamlit looks for a dataframe in every nested value of a component's data, and looking imports pandas;
    `view_data` passes one string. Run in a fresh interpreter: other tests in this process may import pandas.
    """
    import subprocess
    import sys
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=300).run(timeout={FIRST_RUN_TIMEOUT})\n"
        "for page in ('home', 'draw', 'denoise', 'latent'):\n"
        "    if page != 'home':\n"
        "        at.switch_page(f'pages/views/{page}.py').run()\n"
        "    assert not at.exception, (page, at.exception)\n"
        "    names = {c.proto.component_name for c in at.main.get('bidi_component')}\n"
        "    print(page, sorted(names), 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900,
                         cwd=Path(APP).parent)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert any("ae_lab.live_results" in line for line in lines), lines  # a live view was drawn
    assert all(line.endswith("False") for line in lines), lines

"""AppTest: the Latent space page (map clicks, z sliders, manifold, interpolation, prior samples, your digit).

One module-scoped app; the tests run in file order and each leaves the page in a known state.
Plotly clicks and canvas drawings are injected through session_state, as the browser would send them.
"""
from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from streamlit.elements.plotly_chart import PlotlySelectionState, PlotlyState
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, ONE, canvas_value, figures, stroke_image

PAGE = "pages/views/latent.py"
SLOW = 300  # first runs import TensorFlow and load models; the box is busy with training


@pytest.fixture(scope="module")
def at() -> AppTest:
    from pages.shared.resources import registry
    registry().wait(SLOW)  # import TensorFlow and load the models once, outside the first script run
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(PAGE).run(timeout=SLOW)  # url_path == file name, so no Home run is needed first
    assert not app.exception, app.exception
    return app


def _missing_vae(at: AppTest) -> str | None:
    """The page's warning when vae2.keras is missing (the page then shows only that), else None."""
    hits = [w.value for w in at.warning if "2-d VAE" in w.value]
    return hits[0] if hits else None


@pytest.fixture
def vae(at) -> AppTest:
    """The app, for tests that need the 2-d VAE (skipped cleanly without it)."""
    if _missing_vae(at):
        pytest.skip(_missing_vae(at))
    return at


def _decoding(at: AppTest) -> str:
    hits = [m.value for m in at.markdown if m.value.startswith("Decoding")]
    assert len(hits) == 1, [m.value for m in at.markdown]
    return hits[0]


def _z(text: str) -> tuple[float, float]:
    m = re.search(r"z = \(([-+]\d+\.\d+), ([-+]\d+\.\d+)\)", text)
    assert m, text
    return float(m.group(1)), float(m.group(2))


def _decoded_url(at: AppTest) -> str:
    """The decoder output: the first image of the figure row captioned "decoded" (the beta strip comes before it)."""
    rows = [el.proto.body for el in at.get("html") if '<figcaption class="ae-caption">decoded</figcaption>' in el.proto.body]
    assert len(rows) == 1, len(rows)
    return re.findall(r'<img src="(data:image/png;base64,[^"]+)"', rows[0])[0]


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


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _map_key(at: AppTest) -> str:
    return f"latent-map-{at.session_state['latent-map-gen']}"  # a fresh key after every applied click


def _click(at: AppTest, **point) -> AppTest:
    at.session_state[_map_key(at)] = PlotlyState({"selection": PlotlySelectionState({
        "points": [point], "point_indices": [point.get("point_index", 0)], "box": [], "lasso": [],
    })})
    return at.run()


def _tab(at: AppTest, label: str) -> AppTest:
    at.session_state["latent-tab"] = label
    at.run(timeout=120)
    assert not at.exception, at.exception
    return at


def test_default_state(at):
    assert at.title[0].value == "Latent space"
    if _missing_vae(at):  # graceful: a warning naming the file, no traceback
        assert "vae2.keras" in _missing_vae(at) and not at.exception
        return
    assert _z(_decoding(at)) == (0.0, 0.0)
    assert "red cross" in _decoding(at)
    assert at.slider(key="latent-z1").value == 0.0 and at.slider(key="latent-z2").value == 0.0
    spec = _chart(at, _map_key(at))
    digits = [t for t in spec["data"] if t.get("name") in [str(d) for d in range(10)]]
    assert len(digits) == 10 and sum(len(t["x"]) for t in digits) == 3000  # every shipped test digit
    cross = _trace(spec, "decoded here")
    assert (cross["x"][0], cross["y"][0]) == (0.0, 0.0)
    assert _trace(spec, "grid") is not None  # the clickable plane
    assert [t.label for t in at.tabs] == ["Manifold grid", "Interpolation", "Sample from the prior",
                                         "Your digit on the map"]
    assert not at.toggle(key="latent-svg").value


def test_z_sliders_change_the_decoded_digit(vae):
    at = vae
    url0 = _decoded_url(at)
    at.slider(key="latent-z1").set_value(1.5)
    at.slider(key="latent-z2").set_value(-1.0).run()
    assert not at.exception
    assert _z(_decoding(at)) == (1.5, -1.0)
    assert _decoded_url(at) != url0
    cross = _trace(_chart(at, _map_key(at)), "decoded here")
    assert (cross["x"][0], cross["y"][0]) == (1.5, -1.0)
    at.slider(key="latent-z1").set_value(0.0)
    at.slider(key="latent-z2").set_value(0.0).run()
    assert _decoded_url(at) == url0  # decoding is deterministic


def test_click_on_a_digit_decodes_its_code(vae):
    at = vae
    from ae_core.data.datasets import load_sample
    _, labels = load_sample("mnist")
    url0 = _decoded_url(at)
    _click(at, x=0.5, y=0.5, customdata=5, curve_number=2, point_index=0)
    assert not at.exception
    text = _decoding(at)
    assert f"test digit #5 (a {labels[5]})" in text
    z = _z(text)
    assert (round(at.slider(key="latent-z1").value, 2), round(at.slider(key="latent-z2").value, 2)) == z
    assert _decoded_url(at) != url0
    assert len(figures(at)) >= 2 and "original<br>(test digit #5)" in _html(at)


def test_click_on_the_plane_decodes_that_point(vae):
    at = vae
    _click(at, x=-1.25, y=0.75, customdata=-1, curve_number=0, point_index=17)
    assert not at.exception
    assert _z(_decoding(at)) == (-1.25, 0.75)
    assert "red cross" in _decoding(at)
    assert at.slider(key="latent-z1").value == -1.25 and at.slider(key="latent-z2").value == 0.75
    # a click is used once: moving a slider afterwards wins ...
    at.slider(key="latent-z1").set_value(0.5).run()
    assert _z(_decoding(at)) == (0.5, 0.75)
    # ... and the same spot can be clicked again (the map came back with a fresh key, no selection)
    _click(at, x=-1.25, y=0.75, customdata=-1, curve_number=0, point_index=17)
    assert _z(_decoding(at)) == (-1.25, 0.75)


def test_svg_option_switches_the_render_mode(vae):
    at = vae
    assert _trace(_chart(at, _map_key(at)), "0")["type"] == "scattergl"
    at.toggle(key="latent-svg").set_value(True).run()
    assert _trace(_chart(at, _map_key(at)), "0")["type"] == "scatter"
    at.toggle(key="latent-svg").set_value(False).run()


def _manifold_side(at: AppTest) -> int:
    """Digits per side of the manifold picture (a PNG of n*28 pixels, enlarged 2x)."""
    from PIL import Image
    uri = _chart(at, "latent-manifold")["layout"]["images"][0]["source"]
    width = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size[0]
    return width // 2 // 28


def test_manifold_grid_size(vae):
    at = vae
    assert _manifold_side(at) == 15
    at.slider(key="latent-manifold-n").set_value(12).run()
    assert not at.exception
    assert any("12 x 12 grid" in m.value for m in at.markdown)
    assert _manifold_side(at) == 12


def test_interpolation_frames_and_path(vae):
    at = vae
    _tab(at, "Interpolation")
    assert "frame 1 of 10" in _html(at)
    spec = _chart(at, _map_key(at))
    path = _trace(spec, "interpolation")
    assert path is not None and len(path["x"]) == 10
    ring = _trace(spec, "this frame")
    assert (ring["x"][0], ring["y"][0]) == (path["x"][0], path["y"][0])
    frame_url = figures(at)[-1]  # the current frame (the strip after it is one st.image)
    at.slider(key="latent-frame").set_value(4).run()
    assert "frame 4 of 10" in _html(at)
    ring = _trace(_chart(at, _map_key(at)), "this frame")
    assert (ring["x"][0], ring["y"][0]) == (path["x"][3], path["y"][3])
    assert figures(at)[-1] != frame_url
    at.selectbox(key="latent-from-class").set_value(7).run()
    assert not at.exception
    new_path = _trace(_chart(at, _map_key(at)), "interpolation")
    assert (new_path["x"][0], new_path["y"][0]) != (path["x"][0], path["y"][0])
    assert (new_path["x"][-1], new_path["y"][-1]) == (path["x"][-1], path["y"][-1])  # same end point
    assert "(a 7) to test digit" in at.image[-1].proto.imgs[0].caption


def test_sample_from_the_prior(vae):
    at = vae
    _tab(at, "Sample from the prior")
    assert _trace(_chart(at, _map_key(at)), "interpolation") is None  # path only on its own tab
    assert any(c.value.startswith("Sample set 1") for c in at.caption)
    before = figures(at)[-10:]
    at.button(key="latent-sample").click().run()
    assert not at.exception
    assert any(c.value.startswith("Sample set 2") for c in at.caption)
    after = figures(at)[-10:]
    assert len(set(after)) == 10 and not set(before) & set(after)


def test_your_digit_is_a_star_on_the_map(vae):
    at = vae
    _tab(at, "Your digit on the map")
    assert _trace(_chart(at, _map_key(at)), "your drawing") is None
    at.session_state["latent-canvas"] = canvas_value(stroke_image(ONE))
    at.run()
    assert not at.exception
    lands = [m.value for m in at.markdown if m.value.startswith("Your digit lands at")]
    assert len(lands) == 1
    z = _z(lands[0])
    star = _trace(_chart(at, _map_key(at)), "your drawing")
    assert star is not None
    assert np.allclose((star["x"][0], star["y"][0]), z, atol=0.006)
    at.button(key="latent-goto-star").click().run()
    assert _z(_decoding(at)) == z


def _beta_rows(at: AppTest) -> dict[str, list[str]]:
    """The beta strip's figures table: {beta: its cells}; the shown beta's cells are bold."""
    table = [m.value for m in at.markdown if m.value.startswith("| β |")]
    assert len(table) == 1, [m.value[:40] for m in at.markdown]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table[0].splitlines()[2:]]
    return {r[0].strip("*"): r for r in rows}


def _shown_beta(at: AppTest) -> str:
    bold = [b for b, cells in _beta_rows(at).items() if all(c.startswith("**") for c in cells)]
    assert len(bold) == 1, _beta_rows(at)
    return bold[0]


def _strip_captions(at: AppTest) -> list[str]:
    return re.findall(r"β = [\d.]+(?: · map</b>)?<br>rec [\d.]+<br>KL [\d.]+", _html(at))


def test_beta_switch_changes_the_shown_model_and_its_loss_terms(vae):
    at = vae
    from pages.shared.resources import registry
    series = registry().beta_series
    if not series:
        pytest.skip(f"the beta series is not complete: {registry().errors}")
    _tab(at, "Manifold grid")
    assert at.button_group(key="latent-beta").value == 1.0 and _shown_beta(at) == "1"
    assert ["map" in c for c in _strip_captions(at)] == [False, True, False]  # 0.25, 1 (on the map), 4
    # every row has the two test-set loss terms and the kNN accuracy
    for cells in _beta_rows(at).values():
        assert re.fullmatch(r"\**\d+\.\d\**", cells[1]) and re.fullmatch(r"\**\d+\.\d\d\**", cells[2])
        assert re.fullmatch(r"\**\d+\.\d%\**", cells[3])
    url1, manifold1, codes1 = _decoded_url(at), _manifold_side_uri(at), _chart(at, _map_key(at))["data"]
    _click(at, x=0.5, y=0.5, customdata=5, curve_number=2, point_index=0)  # test digit #5 stays chosen across
    at.button_group(key="latent-beta").set_value(4.0).run()
    assert not at.exception, at.exception
    assert _shown_beta(at) == "4" and ["map" in c for c in _strip_captions(at)] == [False, False, True]
    assert "Latent space, β = 4" in str(_chart(at, _map_key(at))["layout"]["title"])  # the map says which beta
    assert _manifold_side_uri(at) != manifold1  # another decoder drew the grid
    digits = {t["name"]: t for t in _chart(at, _map_key(at))["data"] if t.get("name") in list("0123456789")}
    assert digits["0"]["x"] != [t for t in codes1 if t.get("name") == "0"][0]["x"]  # another encoder placed them
    assert at.session_state["latent-row"] == 5
    z4 = series[4.0].encode(_test_digit(5))[0]
    assert np.allclose(_z(_decoding(at)), z4, atol=0.006)  # the clicked digit's code under beta 4
    assert "test digit #5" in _decoding(at) and _decoded_url(at) != url1
    at.button_group(key="latent-beta").set_value(1.0).run()
    assert _shown_beta(at) == "1"


def _test_digit(row: int) -> np.ndarray:
    from pages.shared.resources import samples
    return samples("mnist")[0][row]


def _manifold_side_uri(at: AppTest) -> str:
    return _chart(at, "latent-manifold")["layout"]["images"][0]["source"]

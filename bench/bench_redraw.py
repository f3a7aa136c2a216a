"""Time to serve a redraw on the Draw page: a new canvas image -> every model's reconstruction on the page.

Measures (1) the engine path alone (canvas RGBA -> MNIST preprocessing -> one compiled call for all five
models -> error maps and enlarged images) and (2) a full Streamlit rerun of the Draw page through AppTest
with the canvas value injected, as the browser's component sends it. Target: a redraw under 150 ms.
Run: python bench/bench_redraw.py
"""
from __future__ import annotations

import base64
import io
import statistics
import time

import _common  # noqa: F401
import numpy as np
from PIL import Image, ImageDraw

from _common import REPO, median_ms


def stroke_png(seed: int) -> tuple[np.ndarray, str]:
    """A random digit-like stroke on a 280x280 black canvas: (RGBA array, PNG data URL)."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    pts = [tuple(int(v) for v in rng.integers(50, 230, 2)) for _ in range(6)]
    ImageDraw.Draw(im).line(pts, fill=(255, 255, 255, 255), width=18)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return np.asarray(im), "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def engine_path() -> float:
    from ae_core.figures import error_heatmap, upscale
    from ae_core.preprocess import from_canvas
    from ae_core.registry import ModelRegistry
    reg = ModelRegistry().start()
    reg.wait()
    rgba, _ = stroke_png(0)

    def once():
        digit = from_canvas(rgba)
        rec = reg.reconstructor.one(digit)
        for k, v in rec.items():
            if "/" not in k:
                upscale(v, 5)
                error_heatmap(digit, v)

    med, p95 = median_ms(once, n=100)
    print(f"engine path (preprocess + 5 models + images): median {med:.1f} ms, p95 {p95:.1f} ms")
    return med


def apptest_rerun(n: int = 15) -> float:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    at.switch_page("pages/views/draw.py").run()
    key = "draw-canvas_0"  # pages/shared/widgets.drawing_canvas: f"{key}-canvas_{generation}"
    times = []
    for i in range(n):
        _, url = stroke_png(i + 1)
        at.session_state[key] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url},
                                 "backgroundFit": None}
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        assert not at.exception, at.exception
    times = times[2:]  # first reruns trace and warm caches
    med = statistics.median(times)
    print(f"Draw page rerun with a new drawing (AppTest, {len(times)} redraws): median {med:.0f} ms, "
          f"max {max(times):.0f} ms")
    return med


if __name__ == "__main__":
    eng = engine_path()
    page = apptest_rerun()
    print(f"target: redraw served under 150 ms: {'met' if page < 150 else 'MISSED'} "
          f"(engine share {eng / page:.0%})")

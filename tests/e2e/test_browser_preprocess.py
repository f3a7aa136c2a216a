"""The browser's MNIST preprocessing (assets/web/js/preprocess.js) equals Python's to_mnist on the pad's PNG."""
from __future__ import annotations

import math
import random

import numpy as np
from playwright.sync_api import Page

from ae_core.data.image_files import read_data_url
from ae_core.data.preprocess import to_mnist
from tests.e2e.conftest import open_page

#: Largest allowed per-pixel difference on [0, 1]. The port rounds every float32 step as numpy does (including
#: numpy's pairwise summation and OpenBLAS's fused luma order) and follows Pillow's Resample.c, so it is in fact
#: bit-identical on every canvas here (measured: max and mean difference 0). Exactness is what matters, not the
#: tolerance: a centre of mass one ulp either side of a .5 tie moves the glyph a whole pixel (double-precision
#: sums instead of numpy's float32 pairwise ones give 0.84 on "thin 1"; Math.round instead of Python's round
#: gives 1.0 on the full-width bar). 1e-3 leaves room for ulp-level drift that cannot be controlled from
#: JavaScript (a libm sin() one ulp off in the Lanczos weights; another CPU's BLAS kernel ordering the luma sum
#: differently, measured at 1.2e-7) while any real slip (a step missed, a wrong filter window) fails it.
TOLERANCE = 1e-3
#: Mean absolute difference allowed over all pixels of all canvases.
MEAN_TOLERANCE = 1e-6

PAD = 280  # the drawing pad's default size in CSS pixels


# ----------------------------------------------------------------- deterministic drawings
def _arc(cx, cy, rx, ry, start, stop, n=32):
    """Points of an elliptic arc (angles in degrees, clockwise on screen)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, stop, n)]


DIGITS = {
    "0": [_arc(0.5, 0.5, 0.22, 0.33, -90, 270, 48)],
    "1": [[(0.5, 0.15), (0.5, 0.85)]],
    "2": [_arc(0.5, 0.35, 0.2, 0.18, 180, 400, 24) + [(0.3, 0.82), (0.74, 0.82)]],
    "3": [_arc(0.48, 0.33, 0.2, 0.16, 200, 450, 24) + _arc(0.48, 0.65, 0.23, 0.18, -90, 160, 24)],
    "4": [[(0.62, 0.85), (0.62, 0.15), (0.25, 0.62), (0.78, 0.62)]],
    "5": [[(0.72, 0.17), (0.35, 0.17), (0.32, 0.45)] + _arc(0.5, 0.62, 0.22, 0.2, 230, 490, 24)],
    "6": [[(0.65, 0.15), (0.38, 0.45)] + _arc(0.5, 0.64, 0.2, 0.2, 200, 560, 36)],
    "7": [[(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]],
    "8": [_arc(0.5, 0.32, 0.17, 0.16, 90, 450, 32) + _arc(0.5, 0.66, 0.21, 0.19, -90, 270, 32)],
    "9": [_arc(0.5, 0.35, 0.19, 0.18, 0, 360, 32) + [(0.69, 0.35), (0.62, 0.85)]],
}


def _moved(strokes, scale=1.0, dx=0.0, dy=0.0):
    """Strokes scaled about the centre, then shifted (fractions of the canvas)."""
    return [[(0.5 + (x - 0.5) * scale + dx, 0.5 + (y - 0.5) * scale + dy) for x, y in s] for s in strokes]


def _scribble(seed):
    """A random but reproducible scribble of 1-3 strokes."""
    rnd = random.Random(seed)
    strokes = []
    for _ in range(rnd.randint(1, 3)):
        x, y = rnd.uniform(0.2, 0.8), rnd.uniform(0.2, 0.8)
        pts = [(x, y)]
        for _ in range(rnd.randint(2, 12)):
            x = min(1.0, max(0.0, x + rnd.uniform(-0.2, 0.2)))
            y = min(1.0, max(0.0, y + rnd.uniform(-0.2, 0.2)))
            pts.append((x, y))
        strokes.append(pts)
    return strokes


def _case(name, strokes, width=None, size=PAD, **extra):
    return {"name": name, "strokes": strokes, "width": width or max(8, round(size / 16)), "size": size,
            "ink": "#fff", "bg": "#000", **extra}


def cases() -> list[dict]:
    out = [_case(f"digit {d}", s) for d, s in DIGITS.items()]
    out += [_case(f"thin {d}", DIGITS[d], width=w) for d, w in (("0", 3), ("1", 2), ("2", 4), ("3", 3), ("8", 5))]
    out += [_case(f"thick {d}", DIGITS[d], width=w) for d, w in (("0", 45), ("2", 40), ("3", 60), ("8", 50))]
    corners = ((-0.3, -0.3), (0.3, -0.3), (-0.3, 0.3), (0.3, 0.3))
    out += [_case(f"off-centre {d} {c}", _moved(DIGITS[d], 0.4, *c)) for d, c in zip("0173", corners)]
    out += [_case("off-centre 8 right", _moved(DIGITS["8"], 0.6, 0.25, 0.05))]
    out += [_case("tiny 0", _moved(DIGITS["0"], 0.08), width=3), _case("tiny 1", _moved(DIGITS["1"], 0.1), width=4),
            _case("tiny 7", _moved(DIGITS["7"], 0.15, 0.2, -0.1))]
    out += [_case("border: full-width bar", [[(0.0, 0.5), (1.0, 0.5)]]),
            _case("border: 0 past the edges", _moved(DIGITS["0"], 1.5)),
            _case("border: along the left edge", [[(0.01, 0.1), (0.01, 0.9)]]),
            _case("border: corner to corner", [[(0.0, 0.0), (1.0, 1.0)]])]
    out += [_case("strokes: 4 in two", [[(0.3, 0.15), (0.25, 0.55), (0.75, 0.55)], [(0.6, 0.3), (0.6, 0.85)]]),
            _case("strokes: plus", [[(0.2, 0.5), (0.8, 0.5)], [(0.5, 0.2), (0.5, 0.8)]]),
            _case("strokes: x", [[(0.25, 0.25), (0.75, 0.75)], [(0.75, 0.25), (0.25, 0.75)]]),
            _case("strokes: 5 with a separate bar", [DIGITS["5"][0][1:], [(0.35, 0.17), (0.72, 0.17)]])]
    out += [_case("dot: centre", [[(0.5, 0.5)]]), _case("dot: off-centre", [[(0.2, 0.7)]]),
            _case("dots: three", [[(0.3, 0.3)], [(0.5, 0.6)], [(0.7, 0.4)]]),
            _case("dot: big", [[(0.45, 0.55)]], width=70)]
    out += [_case("line: horizontal, 1 px", [[(0.1, 0.5), (0.9, 0.5)]], width=1),
            _case("line: vertical, 2 px", [[(0.5, 0.05), (0.5, 0.95)]], width=2),
            _case("line: diagonal, 1 px", [[(0.1, 0.9), (0.9, 0.1)]], width=1),
            _case("line: long 1, 4 px", [[(0.52, 0.02), (0.48, 0.98)]], width=4)]
    out += [_case(f"scribble {seed}", _scribble(seed), width=8 + 4 * (seed % 5)) for seed in range(8)]
    out += [_case(f"pad {size}: {d}", DIGITS[d], size=size) for size in (200, 420) for d in "28"]
    out += [_case("gray ink 3", DIGITS["3"], ink="#999"),
            _case("dark ink on white 5", DIGITS["5"], ink="#000", bg="#fff"),
            _case("dark ink on white 0, thin", DIGITS["0"], width=6, ink="#222", bg="#eee"),
            _case("uneven background 2", DIGITS["2"], gradient=True),
            _case("speckled 8", DIGITS["8"], speckle=True),
            _case("speckled dark on white 6", DIGITS["6"], ink="#000", bg="#fff", speckle=True)]
    # colour and transparency: the luma of unequal channels and the alpha compositing (the pad's own drawings are
    # opaque gray, which the JavaScript takes a shorter path for)
    out += [_case("coloured ink 4", DIGITS["4"], ink="#e0a030"),
            _case("transparent ground 7", DIGITS["7"], bg="rgba(0,0,0,0)"),
            _case("half-transparent ink 2", DIGITS["2"], ink="rgba(255,255,255,0.6)"),
            _case("dark ink, transparent ground 9", DIGITS["9"], ink="#102030", bg="rgba(0,0,0,0)")]
    out += [_case("blank", [])]
    return out


# The pad's drawing operations (pages/shared/canvas.js), then its 128x128 snapshot; toMnist on the ImageData.
RUN_IN_PAGE = """async (cases) => {
  const { toMnist } = await import(window.location.origin + "/app/static/web/js/preprocess.js");
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const results = [];
  let ms = 0;
  for (const c of cases) {
    const pad = document.createElement("canvas");
    pad.width = pad.height = c.size;
    const ctx = pad.getContext("2d");
    ctx.fillStyle = c.bg;
    ctx.fillRect(0, 0, c.size, c.size);
    if (c.gradient) {  // a lit-from-one-side background under the ink
      const g = ctx.createLinearGradient(0, 0, c.size, c.size);
      g.addColorStop(0, "#000"); g.addColorStop(1, "#555");
      ctx.fillStyle = g; ctx.fillRect(0, 0, c.size, c.size);
    }
    const s = c.size;
    for (const points of c.strokes) {
      ctx.strokeStyle = ctx.fillStyle = c.ink;
      ctx.lineWidth = c.width;
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.beginPath();
      if (points.length === 1) {
        ctx.arc(points[0][0] * s, points[0][1] * s, c.width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.moveTo(points[0][0] * s, points[0][1] * s);
      for (let i = 1; i < points.length; i++) ctx.lineTo(points[i][0] * s, points[i][1] * s);
      ctx.stroke();
    }
    if (c.speckle) {  // salt-and-pepper-ish noise, enough to switch on the 3x3 median
      for (let i = 0; i < 6000; i++) {
        const v = Math.floor(rand() * 90) + (c.bg === "#000" ? 0 : 165);
        ctx.fillStyle = `rgb(${v},${v},${v})`;
        ctx.fillRect(Math.floor(rand() * s), Math.floor(rand() * s), 2, 2);
      }
    }
    const sent = document.createElement("canvas");
    sent.width = sent.height = 128;
    const sentCtx = sent.getContext("2d");
    sentCtx.imageSmoothingEnabled = true;
    sentCtx.imageSmoothingQuality = "high";
    sentCtx.drawImage(pad, 0, 0, 128, 128);
    const pixels = sentCtx.getImageData(0, 0, 128, 128).data;
    const t0 = performance.now();
    const out = toMnist(pixels, 128, 128);
    ms += performance.now() - t0;
    results.push({ url: sent.toDataURL("image/png"), out: out && Array.from(out), length: out && out.length });
  }
  return { results, ms };
}"""


def test_browser_to_mnist_equals_python(app_page: Page):
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    specs = cases()
    assert len(specs) >= 50
    got = page.evaluate(RUN_IN_PAGE, specs)
    worst, worst_name, total, count, exact = 0.0, "", 0.0, 0, 0
    for spec, res in zip(specs, got["results"], strict=True):
        name = spec["name"]
        expected = to_mnist(read_data_url(res["url"]))
        if expected is None or res["out"] is None:
            assert expected is None and res["out"] is None, f"{name}: python {expected is None}, js {res['out'] is None}"
            continue
        assert res["length"] == 784, name
        js = np.asarray(res["out"], dtype=np.float64).reshape(28, 28)
        diff = np.abs(js - expected.astype(np.float64))
        assert diff.max() <= TOLERANCE, f"{name}: max |js - python| = {diff.max():.3g}"
        if diff.max() > worst:
            worst, worst_name = float(diff.max()), name
        total, count, exact = total + float(diff.sum()), count + diff.size, exact + int(diff.max() == 0)
    assert specs[-1]["name"] == "blank" and got["results"][-1]["out"] is None
    mean = total / count
    print(f"\n{len(specs)} canvases ({count // 784} inked): worst |js - python| = {worst:.3g} ({worst_name or '-'}), "
          f"mean = {mean:.3g}, bit-identical = {exact}, toMnist total {got['ms']:.0f} ms")
    assert mean <= MEAN_TOLERANCE

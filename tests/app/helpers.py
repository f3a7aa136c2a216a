"""Shared AppTest helpers: build the app, inject canvas drawings, make test images."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def app_at(page: str | None = None) -> AppTest:
    """The app run once (and switched to `page`, e.g. 'pages/views/draw.py'), with no exception."""
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def png_bytes(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    """Encode a PIL image."""
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def canvas_value(im: Image.Image) -> dict:
    """The value the drawing pad sends for a drawing (as its frontend does: the canvas as a PNG data URL)."""
    return {"image": "data:image/png;base64," + base64.b64encode(png_bytes(im)).decode()}


def stroke_image(points, size: int = 280, width: int = 18, bg=(0, 0, 0, 255), ink=(255, 255, 255, 255)):
    """A canvas-sized RGBA image with a white polyline on black."""
    im = Image.new("RGBA", (size, size), bg)
    if len(points) == 1:
        x, y = points[0]
        ImageDraw.Draw(im).ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=ink)
    else:
        ImageDraw.Draw(im).line(points, fill=ink, width=width)
    return im


SEVEN = [(70, 60), (210, 60), (150, 140), (120, 240)]
ONE = [(140, 40), (140, 240)]


def draw_on(at: AppTest, key: str, im: Image.Image) -> AppTest:
    """Inject a drawing into the canvas whose widget key is `key` and rerun."""
    at.session_state[key] = canvas_value(im)
    return at.run()


def texts(at: AppTest) -> str:
    """Every markdown/caption/info/warning/error text on the page, joined."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "text", "html"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def rng_image(seed: int = 0) -> np.ndarray:
    """A random float image."""
    return np.random.default_rng(seed).random((28, 28)).astype("float32")


_IMG_SRC = re.compile(r'<img src="(data:image/png;base64,[^"]+)"')


def figures(at: AppTest) -> list[str]:
    """The data URLs of every image the app shows as an HTML figure (show_image, image_row, ...), in page order."""
    return [src for el in at.get("html") for src in _IMG_SRC.findall(el.proto.body)]

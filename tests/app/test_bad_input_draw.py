"""Bad input on the Draw page, driven through the app: a clear message, no exception, and the next
normal action still works. (Model-file and hyperparameter cases live with the Train page's tests.)"""
from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.app.helpers import SEVEN, app_at, draw_on, png_bytes, stroke_image, texts

CANVAS = "draw-canvas"


@pytest.fixture(scope="module")
def at():
    return app_at("pages/views/draw.py")


def _good_digit_works(at) -> None:
    draw_on(at, CANVAS, stroke_image(SEVEN))
    assert not at.exception
    assert "MSE" in texts(at)


@pytest.mark.parametrize("name,image,needle", [
    ("blank canvas", stroke_image([]), "Draw a digit"),
    ("canvas filled white", Image.new("RGBA", (280, 280), (255, 255, 255, 255)), "Draw a digit"),
    ("transparent canvas", Image.new("RGBA", (280, 280), (0, 0, 0, 0)), "Draw a digit"),
])
def test_nothing_drawn_shows_a_hint(at, name, image, needle):
    at.radio(key="draw-source").set_value("Draw").run()
    draw_on(at, CANVAS, image)
    assert not at.exception
    assert needle in texts(at), name
    assert "MSE" not in texts(at)
    _good_digit_works(at)


@pytest.mark.parametrize("name,value", [
    ("not a data URL", "javascript:alert(1)"),
    ("damaged base64", "data:image/png;base64,%%%not-base64%%%"),
    ("data URL of text", "data:image/png;base64,aGVsbG8gd29ybGQ="),
    ("not a string", 12345),
])
def test_damaged_pad_value_warns(at, name, value):
    """A pad value that is not a PNG (a tampered websocket message) gets a message, not a traceback."""
    at.radio(key="draw-source").set_value("Draw").run()
    at.session_state[CANVAS] = {"image": value}
    at.run()
    assert not at.exception, name
    assert "could not be read" in texts(at), name
    _good_digit_works(at)


def test_single_dot_is_a_digit_not_an_error(at):
    at.radio(key="draw-source").set_value("Draw").run()
    draw_on(at, CANVAS, stroke_image([(140, 140)]))
    assert not at.exception
    assert "MSE" in texts(at)


def _bomb_png(w: int = 60000, h: int = 60000) -> bytes:
    small = png_bytes(Image.new("L", (8, 8)))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = small[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + small[33:]
    return patched


def _animated_gif() -> bytes:
    frames = [stroke_image(SEVEN).convert("L"), stroke_image([(60, 60), (200, 200)]).convert("L")]
    import io
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def _digit_photo(mode: str) -> Image.Image:
    """A dark-on-light 'photo' of a 7 in the given mode."""
    im = stroke_image(SEVEN, bg=(235, 235, 230, 255), ink=(20, 20, 20, 255)).convert("RGB")
    if mode == "I;16":
        arr = (np.asarray(im.convert("L")).astype(np.uint16) * 257)
        return Image.fromarray(arr).convert("I;16") if arr.dtype != np.uint16 else Image.frombuffer("I;16", arr.shape[::-1], arr.tobytes(), "raw", "I;16", 0, 1)
    return im.convert(mode)


BAD_UPLOADS = [
    ("empty.png", b"", "empty"),
    ("notes.txt", b"just some text, not an image\n" * 10, "not an image"),
    ("truncated.png", png_bytes(_digit_photo("RGB"))[:200], "truncated"),
    ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (12 * 2**20), "limit"),
    ("bomb.png", _bomb_png(), "too many pixels"),
    ("blank.png", png_bytes(Image.new("RGB", (200, 200), (255, 255, 255))), "blank"),
]


@pytest.mark.parametrize("fname,data,needle", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_get_a_clear_message(at, fname, data, needle):
    at.radio(key="draw-source").set_value("Upload").run()
    at.file_uploader(key="draw-upload").set_value((fname, data, "application/octet-stream")).run()
    assert not at.exception
    shown = texts(at).lower()
    assert needle in shown, (fname, shown[-400:])
    assert "mse" not in shown
    # the next normal action works: a good upload is reconstructed
    good = png_bytes(_digit_photo("RGB"))
    at.file_uploader(key="draw-upload").set_value(("seven.png", good, "image/png")).run()
    assert not at.exception and "MSE" in texts(at)


@pytest.mark.parametrize("fname,data", [
    ("sixteen_bit.png", png_bytes(_digit_photo("I;16"))),
    ("cmyk.jpg", png_bytes(_digit_photo("CMYK"), "JPEG")),
    ("palette.png", png_bytes(_digit_photo("P"))),
    ("animated.gif", _animated_gif()),
    ("photo.jpg", png_bytes(_digit_photo("RGB"), "JPEG", quality=70)),
])
def test_unusual_but_valid_images_are_reconstructed(at, fname, data):
    at.radio(key="draw-source").set_value("Upload").run()
    at.file_uploader(key="draw-upload").set_value((fname, data, "image/png")).run()
    assert not at.exception
    assert "MSE" in texts(at), (fname, texts(at)[-300:])

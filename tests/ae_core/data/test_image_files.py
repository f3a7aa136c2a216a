"""Tests for ae_core.data.image_files: safe decoding of uploaded image bytes."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFile

from ae_core.data.image_files import ImageInputError, read_data_url, read_image
from ae_core.data.preprocess import to_mnist


def encode(img: Image.Image, fmt: str = "PNG", **params) -> bytes:
    """Encode a Pillow image to bytes."""
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def noise_image(size=(64, 64), mode="RGB", seed=0) -> Image.Image:
    """An incompressible random image, so truncation bites."""
    channels = len(mode)
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], channels), np.uint8)
    return Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR (with a valid CRC) claims width x height pixels."""
    raw = bytearray(encode(Image.new("L", (1, 1))))
    assert raw[12:16] == b"IHDR"
    raw[16:24] = struct.pack(">II", width, height)
    raw[29:33] = struct.pack(">I", zlib.crc32(raw[12:29]))
    return bytes(raw)


@pytest.fixture
def load_calls(monkeypatch):
    """Record every decode (ImageFile.load) call."""
    calls = []
    original = ImageFile.ImageFile.load

    def spy(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


# ----------------------------------------------------------------- good files
def test_good_png_reads_and_is_detached(load_calls):
    source = noise_image()
    img = read_image(encode(source))
    assert type(img) is Image.Image and img.mode == "RGB" and img.size == (64, 64)
    np.testing.assert_array_equal(np.asarray(img), np.asarray(source))
    assert (64, 64) in load_calls  # the spy sees decodes, so the bomb tests can trust it


def test_good_jpeg_reads():
    source = Image.new("L", (50, 40), 200)
    img = read_image(encode(source, "JPEG", quality=95))
    assert img.mode == "L" and img.size == (50, 40)
    assert abs(float(np.asarray(img).mean()) - 200) < 2


def test_uploaded_drawing_preprocesses():
    photo = Image.new("RGB", (300, 400), "white")
    ImageDraw.Draw(photo).line([(150, 60), (140, 340)], fill="black", width=25)
    out = to_mnist(read_image(encode(photo, "JPEG")))
    assert out is not None and out.shape == (28, 28)


# ----------------------------------------------------------------- refused inputs
def test_empty_file():
    with pytest.raises(ImageInputError, match="empty"):
        read_image(b"")


def test_file_over_the_byte_limit():
    with pytest.raises(ImageInputError, match=r"the file is 10\.1 MB; the limit is 10 MB"):
        read_image(b"\0" * (10 * 2**20 + 1))
    with pytest.raises(ImageInputError, match="limit is 0.5 MB"):
        read_image(encode(noise_image((600, 600))), max_bytes=2**19)


@pytest.mark.parametrize("junk", [b"hello, world" * 10, b"%PDF-1.4 not a picture", b"\x89PNG\r\n\x1a\n"])
def test_not_an_image(junk):
    with pytest.raises(ImageInputError, match="not an image Pillow can read"):
        read_image(junk)


def test_not_bytes_is_a_type_error():
    with pytest.raises(TypeError):
        read_image("picture.png")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file(fmt):
    data = encode(noise_image((128, 128)), fmt)
    with pytest.raises(ImageInputError, match="truncated or corrupt"):
        read_image(data[: len(data) // 2])


def test_corrupt_png_data():
    data = bytearray(encode(noise_image()))
    start = data.index(b"IDAT") + 20
    data[start: start + 40] = bytes(40)  # damage the compressed pixels; the CRC no longer fits
    with pytest.raises(ImageInputError, match="truncated or corrupt"):
        read_image(bytes(data))


@pytest.mark.parametrize("claim", [(100_000, 100_000), (6_000, 6_000)])
def test_decompression_bomb_header_is_refused_before_decoding(load_calls, claim):
    with pytest.raises(ImageInputError, match="pixels"):
        read_image(png_claiming(*claim))
    assert load_calls == []


def test_real_one_bit_bomb_is_refused_before_decoding(load_calls):
    data = encode(Image.new("1", (6000, 5000)))  # 30 megapixels in a few kilobytes
    assert len(data) < 100_000
    with pytest.raises(ImageInputError, match=r"6000x5000 pixels \(30\.0 megapixels\); the limit is 25 megapixels"):
        read_image(data)
    assert load_calls == []


def test_pixel_limit_is_configurable():
    data = encode(Image.new("L", (100, 100)))
    assert read_image(data, max_pixels=10_000).size == (100, 100)
    with pytest.raises(ImageInputError, match="megapixels"):
        read_image(data, max_pixels=9_999)


# ----------------------------------------------------------------- modes and frames
def test_animated_gif_gives_first_frame():
    frames = [Image.new("L", (20, 20), v) for v in (30, 220, 120)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    img = read_image(data)
    assert img.mode in ("L", "RGB") and img.size == (20, 20)
    assert np.asarray(img.convert("L")).mean() == pytest.approx(30, abs=2)


def test_cmyk_jpeg_becomes_rgb():
    img = read_image(encode(Image.new("CMYK", (30, 30), (0, 0, 0, 255)), "JPEG"))
    assert img.mode == "RGB"
    assert np.asarray(img).mean() < 30  # full black ink stays dark


def test_sixteen_bit_png_is_scaled_to_eight_bits():
    ramp = np.array([[0, 16384, 32768, 65535]], dtype=np.uint16)
    img = read_image(encode(Image.fromarray(ramp)))
    assert img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), [[0, 64, 128, 255]])


def test_palette_with_transparency_becomes_rgba():
    pal = Image.new("P", (10, 10), 0)
    pal.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    pal.putpixel((5, 5), 1)
    img = read_image(encode(pal, transparency=0))
    assert img.mode == "RGBA"
    assert img.getpixel((0, 0))[3] == 0 and img.getpixel((5, 5)) == (255, 255, 255, 255)


@pytest.mark.parametrize("mode, expected", [("LA", "LA"), ("1", "L"), ("RGBA", "RGBA"), ("L", "L")])
def test_other_modes(mode, expected):
    assert read_image(encode(Image.new(mode, (8, 8)))).mode == expected


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    img = read_image(encode(Image.new("RGB", (40, 20), "white"), "JPEG", exif=exif.tobytes()))
    assert img.size == (20, 40)


def test_data_url_from_the_drawing_pad_reads():
    im = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(im).line([(140, 40), (140, 240)], fill=(255, 255, 255, 255), width=18)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    got = read_data_url("data:image/png;base64," + base64.b64encode(buf.getvalue()).decode())
    assert got.size == (280, 280)
    assert to_mnist(got) is not None


@pytest.mark.parametrize("url", [None, 7, "", "hello", "data:text/plain;base64,aGk=", "data:image/png,raw",
                                 "data:image/png;base64,***", "data:image/png;base64,aGVsbG8="])
def test_bad_data_urls_are_refused(url):
    with pytest.raises(ImageInputError):
        read_data_url(url)


def test_data_url_over_the_byte_limit_is_refused_before_decoding():
    with pytest.raises(ImageInputError, match="larger than"):
        read_data_url("data:image/png;base64," + "A" * 2000, max_bytes=1000)

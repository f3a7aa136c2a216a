"""Read uploaded image bytes safely into a Pillow image."""

from __future__ import annotations

import base64
import binascii
import io
import math
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 2**20
MAX_PIXELS = 25_000_000
OUTPUT_MODES = ("L", "LA", "RGB", "RGBA")


class ImageInputError(ValueError):
    """An uploaded file cannot be used as an image; the message is meant for the user."""


def _mb(n: float) -> str:
    """Format a byte count in megabytes (rounded up to 0.1 MB)."""
    return f"{math.ceil(n / 2**20 * 10) / 10:g} MB"


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open image bytes (header only) and refuse images with too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageInputError("the image has far too many pixels (a possible decompression bomb)") from exc
    except UnidentifiedImageError as exc:
        raise ImageInputError("the file is not an image Pillow can read") from exc
    except Exception as exc:  # malformed headers surface as assorted errors
        raise ImageInputError(f"the file is not an image Pillow can read ({type(exc).__name__})") from exc
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageInputError("the image has no pixels")
    if width * height > max_pixels:
        raise ImageInputError(
            f"the image is {width}x{height} pixels ({width * height / 1e6:.1f} megapixels); "
            f"the limit is {max_pixels / 1e6:g} megapixels"
        )
    return img


def _load_first_frame(img: Image.Image) -> Image.Image:
    """Decode the first frame, turning decoder failures into ImageInputError."""
    try:
        img.load()  # the first frame of an animation: Image.open leaves it current
    except Image.DecompressionBombError as exc:
        raise ImageInputError("the image has far too many pixels (a possible decompression bomb)") from exc
    except Exception as exc:  # OSError for truncation; SyntaxError, ValueError, zlib errors for damage
        raise ImageInputError("the image file is truncated or corrupt") from exc
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception:  # a damaged EXIF block is no reason to refuse the pixels
        return img


def _sixteen_bit_to_l(img: Image.Image) -> Image.Image:
    """Scale a 16/32-bit integer or float grayscale image to 8-bit "L"."""
    pixels = np.asarray(img).astype(np.float64)
    top = float(pixels.max()) if pixels.size else 0.0
    if img.mode.startswith("I;16") or (img.mode == "I" and top > 255):
        full = 65535.0 if top <= 65535 else top
    elif img.mode == "F" and top <= 1.0:
        full = 1.0
    else:
        full = 255.0 if top <= 255 else top
    scaled = np.clip(np.rint(pixels / full * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled)


def _normalise_mode(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to one of L, LA, RGB or RGBA."""
    mode = img.mode
    if mode in OUTPUT_MODES:
        return img
    if mode.startswith("I") or mode == "F":
        return _sixteen_bit_to_l(img)
    if mode in ("P", "PA"):
        return img.convert("RGBA" if mode == "PA" or "transparency" in img.info else "RGB")
    if mode == "1":
        return img.convert("L")
    if mode == "La":
        return img.convert("LA")
    if mode == "RGBa":
        return img.convert("RGBA")
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...


def read_image(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode uploaded image bytes into a loaded, detached L/LA/RGB/RGBA Pillow image."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ImageInputError("the file is empty")
    if len(data) > max_bytes:
        raise ImageInputError(f"the file is {_mb(len(data))}; the limit is {_mb(max_bytes)}")
    img = _open(data, max_pixels)
    try:
        frame = _load_first_frame(img)
        try:
            result = _normalise_mode(frame)
        except Exception as exc:
            raise ImageInputError(f"the image's colour mode {frame.mode} is not supported") from exc
        return result.copy() if result is img else result  # never hand back the file-backed image
    finally:
        img.close()


def read_data_url(url: str, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode a base64 `data:image/...` URL (as a browser canvas sends it) like read_image."""
    if not isinstance(url, str) or not url.startswith("data:image/") or ";base64," not in url:
        raise ImageInputError("the drawing did not arrive as an image")
    payload = url.split(";base64,", 1)[1]
    if len(payload) > max_bytes * 4 // 3 + 4:
        raise ImageInputError(f"the drawing is larger than {_mb(max_bytes)}")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageInputError("the drawing's data is damaged") from exc
    return read_image(data, max_bytes=max_bytes, max_pixels=max_pixels)

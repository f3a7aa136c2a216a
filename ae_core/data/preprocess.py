"""Turn any drawing or photo into an MNIST-style 28x28 image, the way MNIST was made."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

FIELD = 28            # side of the output field, in pixels
BOX = 20              # the ink's longer side is scaled to this, as in MNIST
MAX_SIDE = 1024       # larger inputs are shrunk (area average) before any other work
MIN_CONTRAST = 0.05   # ink must differ from the background by this much (on [0, 1])
INK_FLOOR = 0.1       # ink fainter than this share of the ink range counts as background
NOISY = 0.01          # above this noise level (MAD on [0, 1]) a 3x3 median filter is applied

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as Pillow's "L"


# ----------------------------------------------------------------- input -> float gray
def _pil_pixels(img: Image.Image) -> tuple[np.ndarray, float]:
    """Return a PIL image's pixels (H, W[, C]) and the value meaning full intensity."""
    mode = img.mode
    if mode.startswith("I;16"):
        return np.asarray(img), 65535.0
    if mode in ("I", "F"):
        pixels = np.asarray(img)
        return pixels, _full_scale(pixels)
    if mode in ("P", "PA"):
        img = img.convert("RGBA" if mode == "PA" or "transparency" in img.info else "RGB")
    elif mode in ("RGBa", "La"):
        img = img.convert("RGBA" if mode == "RGBa" else "LA")
    elif mode == "1":
        img = img.convert("L")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...
    return np.asarray(img), 255.0


def _full_scale(pixels: np.ndarray) -> float:
    """Guess the full-intensity value of an array from its dtype and range."""
    if pixels.dtype == np.bool_:
        return 1.0
    if pixels.dtype == np.uint8:
        return 255.0
    if pixels.dtype == np.uint16:
        return 65535.0
    top = float(np.nanmax(pixels)) if pixels.size else 0.0
    if np.issubdtype(pixels.dtype, np.floating):
        return 1.0 if top <= 1.0 else (255.0 if top <= 255.0 else top)
    return 255.0 if top <= 255 else (65535.0 if top <= 65535 else top)


def _shrink(pixels: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """Area-average an (H, W, C) array so its longer side is at most about max_side."""
    h, w = pixels.shape[:2]
    k = math.ceil(max(h, w) / max_side)
    if k <= 1:
        return pixels.astype(np.float32, copy=False)
    ky, kx = min(k, h), min(k, w)
    pad = ((0, -h % ky), (0, -w % kx), (0, 0))
    if any(p[1] for p in pad):
        pixels = np.pad(pixels, pad, mode="edge")
    hh, ww, c = pixels.shape
    blocks = pixels.reshape(hh // ky, ky, ww // kx, kx, c)
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def _composite(gray: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Flatten gray+alpha so transparent areas become background, whatever the ink colour."""
    total = float(alpha.sum())
    if total <= 0.0:
        return np.zeros_like(gray)  # fully transparent: nothing drawn
    ink_level = float((gray * alpha).sum()) / total
    background = 1.0 if ink_level < 0.5 else 0.0  # dark ink -> light backdrop, and vice versa
    return gray * alpha + background * (1.0 - alpha)


def to_gray(image: np.ndarray | Image.Image) -> np.ndarray:
    """Return an image as float32 (H, W) gray in [0, 1], transparency flattened."""
    if isinstance(image, Image.Image):
        pixels, full = _pil_pixels(image)
    else:
        pixels = np.asarray(image)
        if pixels.dtype == object or not (
            np.issubdtype(pixels.dtype, np.number) or pixels.dtype == np.bool_
        ):
            raise ValueError(f"expected a numeric image array, got dtype {pixels.dtype}")
        full = _full_scale(pixels)
    if pixels.ndim == 2:
        pixels = pixels[..., np.newaxis]
    if pixels.ndim != 3 or pixels.shape[2] not in (1, 2, 3, 4) or 0 in pixels.shape[:2]:
        raise ValueError(f"expected an image of shape (H, W) or (H, W, 1|2|3|4), got {pixels.shape}")
    values = _shrink(pixels) / np.float32(full)
    values = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0)
    channels = values.shape[2]
    gray = values[..., :3] @ _LUMA if channels >= 3 else values[..., 0]
    if channels in (2, 4):
        gray = _composite(gray, values[..., -1])
    return gray.astype(np.float32, copy=False)


# ----------------------------------------------------------------- gray -> ink
def _border(gray: np.ndarray) -> np.ndarray:
    """Return the pixels of the image's outer ring (about 5% of the shorter side)."""
    h, w = gray.shape
    width = max(1, min(h, w) // 20)
    mask = np.ones_like(gray, dtype=bool)
    mask[width: h - width, width: w - width] = False
    return gray[mask]


def _block_view(image: np.ndarray, size: int) -> np.ndarray:
    """Split an image (edge-padded) into a (rows, cols, size*size) grid of blocks."""
    h, w = image.shape
    padded = np.pad(image, ((0, -h % size), (0, -w % size)), mode="edge")
    gh, gw = padded.shape[0] // size, padded.shape[1] // size
    return padded.reshape(gh, size, gw, size).transpose(0, 2, 1, 3).reshape(gh, gw, size * size)


def _neighbourhood(grid: np.ndarray, reduce: str) -> np.ndarray:
    """Return the 3x3-neighbourhood min or median of each element of a 2-D array."""
    h, w = grid.shape
    padded = np.pad(grid, 1, mode="edge")
    stack = np.stack([padded[dy: dy + h, dx: dx + w] for dy in range(3) for dx in range(3)])
    return stack.min(axis=0) if reduce == "min" else np.partition(stack, 4, axis=0)[4]


def _background(gray: np.ndarray) -> np.ndarray:
    """Estimate the (possibly uneven) background of bright-ink-on-dark gray as a smooth map."""
    h, w = gray.shape
    size = max(8, math.ceil(max(h, w) / 8))
    levels = np.percentile(_block_view(gray, size), 10, axis=-1).astype(np.float32)
    levels = _neighbourhood(levels, "min")  # blocks full of ink borrow a neighbour's level
    if levels.size == 1:
        return np.full_like(gray, levels.item())
    resized = Image.fromarray(levels).resize((w, h), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32)


def _noise_level(image: np.ndarray) -> float:
    """Estimate pixel noise as the scaled median absolute deviation."""
    return 1.4826 * float(np.median(np.abs(image - np.median(image))))


def to_ink(gray: np.ndarray) -> np.ndarray | None:
    """Return ink in [0, 1] on a zero background (polarity fixed), or None if blank."""
    if float(np.median(_border(gray))) > float(gray.mean()):  # dark ink on a light ground
        gray = 1.0 - gray
    flat = np.clip(gray - _background(gray), 0.0, 1.0)
    if _noise_level(flat) > NOISY:
        flat = _neighbourhood(flat, "median")
    base, noise = float(np.median(flat)), _noise_level(flat)
    contrast = float(flat.max()) - base
    if contrast < max(MIN_CONTRAST, 6.0 * noise):
        return None
    floor = max(INK_FLOOR, 3.0 * noise / contrast)
    level = np.clip((flat - base) / contrast, 0.0, 1.0)
    return np.where(level >= floor, level, 0.0).astype(np.float32)


# ----------------------------------------------------------------- ink -> 28x28
def _crop_to_ink(ink: np.ndarray) -> np.ndarray | None:
    """Crop to the bounding box of the non-zero pixels, or None if there are none."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]


def _fit_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale so the longer side is `box` pixels, keeping the aspect ratio (Lanczos)."""
    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, min(box, round(w * scale))), max(1, min(box, round(h * scale))))
    resized = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32)).resize(
        size, Image.Resampling.LANCZOS
    )
    glyph = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    peak = float(glyph.max())
    return glyph / peak if peak > 0 else glyph


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Return the (row, column) intensity-weighted centre of a 2-D image, in pixel indices."""
    total = float(image.sum())
    if total <= 0:
        h, w = image.shape
        return (h - 1) / 2, (w - 1) / 2
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum()) / total, float((cols * image).sum()) / total


def _paste_centered(glyph: np.ndarray, field: int = FIELD) -> np.ndarray:
    """Place a glyph in a field x field image with its centre of mass at (field/2, field/2)."""
    h, w = glyph.shape
    cy, cx = center_of_mass(glyph)
    top = min(max(int(round(field / 2 - cy)), 0), field - h)
    left = min(max(int(round(field / 2 - cx)), 0), field - w)
    out = np.zeros((field, field), dtype=np.float32)
    out[top: top + h, left: left + w] = glyph
    return out


# ----------------------------------------------------------------- public API
def to_mnist(image: np.ndarray | Image.Image) -> np.ndarray | None:
    """Return an MNIST-like float32 (28, 28) image, white ink on black, or None if blank."""
    ink = to_ink(to_gray(image))
    if ink is None:
        return None
    crop = _crop_to_ink(ink)
    if crop is None:
        return None
    out = _paste_centered(_fit_box(crop))
    return out if float(out.max()) > 0 else None


def ink_fraction(image28: np.ndarray, threshold: float = 0.5) -> float:
    """Return the fraction of pixels brighter than `threshold` in a [0, 1] image."""
    image28 = np.asarray(image28)
    if image28.size == 0:
        return 0.0
    return float(np.count_nonzero(image28 > threshold)) / image28.size

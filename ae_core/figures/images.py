"""Images as the pages show them: uint8 conversion, error heat maps, tiles, strips and inline PNG figures."""

from __future__ import annotations

import base64
import io
import re
from html import escape, unescape

import numpy as np
from PIL import Image

from ae_core.figures.style import ERROR_CMAP_ANCHORS


def tile_images(images: np.ndarray, n: int) -> np.ndarray:
    """Tile n*n images (n*n,H,W[,1] or n*n,H*W square) into one (n*H, n*W) array; image i*n+j goes to row i, column j."""
    imgs = np.asarray(images)
    if imgs.ndim == 2:
        side = int(round(np.sqrt(imgs.shape[1])))
        if side * side != imgs.shape[1]:
            raise ValueError(f"cannot reshape rows of length {imgs.shape[1]} into square images")
        imgs = imgs.reshape(-1, side, side)
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    if imgs.ndim != 3 or imgs.shape[0] != n * n:
        raise ValueError(f"expected {n * n} images, got array of shape {np.shape(images)}")
    _, h, w = imgs.shape
    return imgs.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Image as uint8: floats are read as [0, 1] (clipped, NaN -> 0), bools as 0/255, other ints clipped to 0..255."""
    a = np.asarray(img)
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.bool_:
        return a.astype(np.uint8) * 255
    if np.issubdtype(a.dtype, np.integer):
        return np.clip(a, 0, 255).astype(np.uint8)
    a = np.nan_to_num(a.astype(np.float64), nan=0.0)
    return np.rint(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def as_unit_float(img: np.ndarray) -> np.ndarray:
    """Image as float64 in [0, 1] (uint8 is divided by 255), trailing channel of 1 dropped."""
    a = np.asarray(img)
    a = a / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)
    return a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a


def error_heatmap(original: np.ndarray, reconstruction: np.ndarray, vmax: float = 0.5) -> np.ndarray:
    """RGB uint8 image of |original - reconstruction| through ERROR_CMAP_ANCHORS: 0 -> black, >= vmax -> brightest."""
    if vmax <= 0:
        raise ValueError("vmax must be positive")
    o, r = as_unit_float(original), as_unit_float(reconstruction)
    if o.shape != r.shape or o.ndim != 2:
        raise ValueError(f"expected two equal 2-D images, got {o.shape} and {r.shape}")
    t = np.clip(np.abs(o - r) / vmax, 0.0, 1.0)
    pos = np.linspace(0.0, 1.0, len(ERROR_CMAP_ANCHORS))
    rgb = np.stack([np.interp(t, pos, ERROR_CMAP_ANCHORS[:, c]) for c in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)


def upscale(image: np.ndarray, factor: int = 6) -> np.ndarray:
    """Nearest-neighbour enlargement by an integer factor, as uint8 (gray (H,W) or RGB (H,W,3))."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    a = to_uint8(image)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    return np.repeat(np.repeat(a, factor, axis=0), factor, axis=1)


def png_data_url(image: np.ndarray) -> str:
    """A small image (gray or RGB, float in [0, 1] or uint8) as a `data:image/png;base64,...` URL."""
    a = to_uint8(image)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or a.size == 0:
        raise ValueError(f"expected a gray (H, W) or RGB (H, W, 3) image, got shape {np.shape(image)}")
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def alt_text(caption_html: str) -> str:
    """A caption written as HTML as plain text for an alt attribute: line breaks become ", ", tags go."""
    text = re.sub(r"<br\s*/?>", ", ", caption_html or "")
    return " ".join(unescape(re.sub(r"<[^>]*>", "", text)).split())


def figure_html(image: np.ndarray, caption: str = "", px: int = 140, alt: str | None = None) -> str:
    """An image shown `px` wide with crisp (pixelated) scaling and a caption below, as one HTML figure.

    The caption is HTML (line breaks as <br>); escape any user text in it first. `alt` is the image's text
    alternative (plain text, escaped here), e.g. "Dense AE's reconstruction of your drawing, MSE 0.0123";
    without one the caption's text stands in, so no image is left unnamed. Pass alt="" only for decoration.
    """
    cap = f'<figcaption class="ae-caption">{caption}</figcaption>' if caption else ""
    text = alt_text(caption) if alt is None else alt
    return (f'<figure class="ae-fig" style="max-width:{int(px)}px"><img src="{png_data_url(image)}" '
            f'width="{int(px)}" height="{int(px * np.shape(image)[0] / np.shape(image)[1])}" '
            f'alt="{escape(text, quote=True)}">{cap}</figure>')


def interpolation_strip(frames: np.ndarray, gap: int = 2, gap_value: int = 255) -> np.ndarray:
    """Frames (k,H,W[,C]) side by side with `gap` pixels of gap_value between them, as uint8."""
    f = to_uint8(frames)
    if f.ndim == 4 and f.shape[-1] == 1:
        f = f[..., 0]
    if f.ndim not in (3, 4) or f.shape[0] == 0:
        raise ValueError(f"expected (k, H, W[, C]) frames with k >= 1, got {np.shape(frames)}")
    k, h, w = f.shape[:3]
    out = np.full((h, k * w + (k - 1) * gap) + f.shape[3:], gap_value, dtype=np.uint8)
    for i in range(k):
        x0 = i * (w + gap)
        out[:, x0 : x0 + w] = f[i]
    return out

"""Drawn-like digits, made on demand: font digits and pen strokes on the pad's canvas, then the app's preprocessing.

The app meets a digit as a 280x280 white-on-black canvas, sent as a 128x128 PNG and turned into MNIST's
format by `to_mnist`. These sets go the same way, so they measure what a user's drawing meets: font digits
from the installed Debian font packages at random size, position, tilt and weight, and polyline strokes with
the pad's round pen (a handful of ways to write each digit, each randomly tilted, sheared and wobbled).
Nothing is stored: the same seed gives the same digits.
"""
from __future__ import annotations

import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ae_core.data.image_files import ImageInputError, read_image
from ae_core.data.preprocess import to_mnist
from ae_core.paths import user_data_dir

CANVAS = 280          # the drawing pad's default size in CSS pixels
SENT = 128            # the pad sends its drawing at this size (assets/web/js/pad.js SENT_PX)
PEN = CANVAS // 16    # the pad's pen width on a 280-pixel canvas
SUPERSAMPLE = 4       # strokes are drawn this much larger, then area-averaged (anti-aliasing as a canvas does)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
#: Font families whose digits do not look like handwriting or are not digits at all.
SKIPPED_FONTS = ("symbol", "dingbat", "d050000l", "standard symbols", "math", "mono")


class NoFontsError(RuntimeError):
    """No usable font was found for the font digits; the message says which packages to install."""


@dataclass(frozen=True)
class DrawnSet:
    """Drawn-like digits as MNIST-style float32 (N,28,28,1) images, their labels and where each came from."""

    x: np.ndarray
    y: np.ndarray
    source: np.ndarray  # "font", "stroke" or "pad" per digit
    fonts: tuple[str, ...]

    def part(self, source: str) -> DrawnSet:
        """Only the digits of one source."""
        keep = self.source == source
        return DrawnSet(self.x[keep], self.y[keep], self.source[keep], self.fonts)


# ----------------------------------------------------------------- fonts
def _listed_font_files() -> list[Path]:
    """Font files fontconfig knows about (empty when fc-list is missing)."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.splitlines() if line.strip()]


def _usable(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in (".ttf", ".otf") and not any(s.replace(" ", "") in name for s in SKIPPED_FONTS)


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, ...]:
    """Installed TrueType/OpenType fonts whose digits can pass for written ones, sorted (so seeds reproduce)."""
    files = set(_listed_font_files())
    for folder in FONT_DIRS:
        if folder.is_dir():
            files.update(folder.rglob("*.[to]tf"))
    usable = sorted({p for p in files if p.is_file() and _usable(p)}, key=lambda p: p.name)
    return tuple(p for p in usable if _renders_digits(p))


def _renders_digits(path: Path) -> bool:
    """Whether a font file opens and draws distinct glyphs for 1 and 8 (some fonts map digits to boxes)."""
    try:
        font = ImageFont.truetype(str(path), 40)
        boxes = [font.getmask(d).getbbox() for d in "18"]
    except OSError:
        return False
    return all(boxes) and boxes[0] != boxes[1]


def _font_glyph(path: Path, digit: int, rng: np.random.Generator) -> Image.Image:
    """One digit in one font at a random weight and tilt, white on black, cropped to its ink."""
    size = 160
    font = ImageFont.truetype(str(path), size)
    weight = int(rng.integers(0, 12))  # pen growth in pixels at this size: regular to very bold
    img = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(img).text((size, size), str(digit), fill=255, font=font, anchor="mm", stroke_width=weight,
                             stroke_fill=255)
    if rng.random() < 0.25:  # thin strokes: erode the glyph
        img = img.filter(ImageFilter.MinFilter(int(rng.choice([3, 5]))))
    angle = float(rng.uniform(-18, 18))
    shear = float(rng.uniform(-0.25, 0.25))
    img = img.transform(img.size, Image.Transform.AFFINE, (1, shear, -shear * size, 0, 1, 0),
                        resample=Image.Resampling.BICUBIC)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC)
    box = img.getbbox()
    return img.crop(box) if box else img


def _on_canvas(glyph: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Paste a glyph at a random size and place on the pad's black canvas."""
    height = float(rng.uniform(0.3, 0.9)) * CANVAS  # small to filling the pad
    scale = min(height / glyph.height, 0.95 * CANVAS / glyph.width)
    w, h = max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))
    glyph = glyph.resize((w, h), Image.Resampling.LANCZOS)
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    canvas.paste(glyph, (int(rng.integers(0, CANVAS - w + 1)), int(rng.integers(0, CANVAS - h + 1))))
    return canvas


# ----------------------------------------------------------------- strokes
def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, n: int = 24) -> list:
    """Points of an elliptic arc in canvas fractions (angles in degrees, clockwise on screen)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, stop, n)]


#: Ways of writing each digit with a pen, as strokes of (x, y) canvas fractions. These are coordinates a hand
#: would move through, not images.
STROKES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.2, 0.32, -90, 275, 40)],
        [_arc(0.5, 0.5, 0.26, 0.3, -100, 265, 40)],
        [_arc(0.5, 0.5, 0.16, 0.34, -80, 290, 40)]],
    1: [[[(0.5, 0.15), (0.5, 0.85)]],
        [[(0.38, 0.28), (0.54, 0.15), (0.54, 0.85)]],
        [[(0.4, 0.27), (0.55, 0.15), (0.52, 0.85)], [(0.38, 0.85), (0.66, 0.85)]],
        [[(0.56, 0.15), (0.46, 0.85)]]],
    2: [[_arc(0.5, 0.35, 0.2, 0.18, 180, 400, 24) + [(0.3, 0.82), (0.74, 0.82)]],
        [_arc(0.48, 0.33, 0.2, 0.17, 190, 380, 24) + [(0.28, 0.8), (0.4, 0.76), (0.76, 0.82)]],
        [_arc(0.5, 0.32, 0.18, 0.16, 200, 390, 24) + [(0.3, 0.8), (0.72, 0.8)]]],
    3: [[_arc(0.48, 0.33, 0.2, 0.16, 200, 450, 24) + _arc(0.48, 0.65, 0.23, 0.18, -90, 160, 24)],
        [[(0.3, 0.18), (0.68, 0.18), (0.46, 0.44)] + _arc(0.48, 0.64, 0.22, 0.2, -80, 160, 24)],
        [_arc(0.5, 0.32, 0.17, 0.15, 180, 440, 20) + _arc(0.5, 0.66, 0.2, 0.19, -100, 150, 24)]],
    4: [[[(0.62, 0.85), (0.62, 0.15), (0.25, 0.62), (0.78, 0.62)]],
        [[(0.35, 0.15), (0.3, 0.55), (0.72, 0.55)], [(0.64, 0.3), (0.64, 0.85)]],
        [[(0.4, 0.15), (0.28, 0.58), (0.75, 0.58)], [(0.62, 0.15), (0.6, 0.85)]]],
    5: [[[(0.72, 0.17), (0.35, 0.17), (0.32, 0.45)] + _arc(0.5, 0.62, 0.22, 0.2, 230, 490, 24)],
        [[(0.35, 0.17), (0.32, 0.45)] + _arc(0.5, 0.62, 0.21, 0.2, 230, 490, 24), [(0.35, 0.17), (0.72, 0.16)]],
        [[(0.7, 0.15), (0.36, 0.16), (0.34, 0.42)] + _arc(0.48, 0.62, 0.2, 0.22, 240, 480, 24)]],
    6: [[[(0.65, 0.15), (0.38, 0.45)] + _arc(0.5, 0.64, 0.2, 0.2, 200, 560, 36)],
        [_arc(0.62, 0.55, 0.3, 0.42, 250, 180, 12) + _arc(0.5, 0.66, 0.18, 0.18, 180, 540, 30)],
        [[(0.62, 0.15), (0.42, 0.36), (0.34, 0.6)] + _arc(0.5, 0.66, 0.17, 0.17, 180, 530, 30)]],
    7: [[[(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]],
        [[(0.25, 0.2), (0.75, 0.2), (0.48, 0.85)], [(0.38, 0.52), (0.68, 0.52)]],
        [[(0.28, 0.26), (0.3, 0.18), (0.74, 0.18), (0.5, 0.85)]]],
    8: [[_arc(0.5, 0.32, 0.17, 0.16, 90, 450, 32) + _arc(0.5, 0.66, 0.21, 0.19, -90, 270, 32)],
        [_arc(0.5, 0.3, 0.15, 0.15, 90, 450, 30) + _arc(0.5, 0.65, 0.19, 0.2, -90, 270, 30)],
        [_arc(0.5, 0.3, 0.16, 0.15, 90, -270, 30) + _arc(0.5, 0.66, 0.2, 0.19, -90, 270, 30)]],
    9: [[_arc(0.5, 0.35, 0.19, 0.18, 0, 360, 32) + [(0.69, 0.35), (0.62, 0.85)]],
        [_arc(0.48, 0.32, 0.18, 0.16, 0, 360, 32) + [(0.66, 0.32), (0.66, 0.85)]],
        [_arc(0.5, 0.33, 0.18, 0.17, 10, 370, 32) + [(0.68, 0.4)] + _arc(0.48, 0.6, 0.2, 0.26, 0, 120, 12)]],
}


def moved_strokes(strokes: Sequence[Sequence[tuple[float, float]]], rng: np.random.Generator) -> list[np.ndarray]:
    """Strokes tilted, sheared, scaled, shifted and wobbled the way a hand varies them."""
    angle = math.radians(rng.uniform(-15, 15))
    shear = rng.uniform(-0.2, 0.2)
    scale = rng.uniform(0.35, 1.1)
    aspect = rng.uniform(0.8, 1.2)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    m = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([scale * aspect, scale])
    out = [(np.asarray(s, dtype=np.float64) - 0.5) @ m.T for s in strokes]
    pts = np.concatenate(out)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    room = np.maximum(0.0, 0.96 - (hi - lo))  # keep the digit on the canvas
    shift = 0.02 - lo + rng.uniform(0, 1, 2) * room
    wobble = rng.uniform(0.0, 0.005)
    return [s + shift + rng.normal(0.0, wobble, s.shape) for s in out]


def draw_strokes(strokes: Sequence[np.ndarray], width: float) -> Image.Image:
    """Strokes drawn with a round pen of `width` pixels on the pad's black canvas (anti-aliased)."""
    big = CANVAS * SUPERSAMPLE
    img = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(img)
    w = width * SUPERSAMPLE
    for s in strokes:
        pts = [(float(x) * big, float(y) * big) for x, y in s]
        draw.line(pts, fill=255, width=max(1, round(w)), joint="curve")
        for x, y in (pts[0], pts[-1]):  # round caps
            draw.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=255)
    return img.reduce(SUPERSAMPLE)


# ----------------------------------------------------------------- sets
def as_received(canvas: Image.Image) -> np.ndarray | None:
    """A 280x280 canvas as the app receives it (the pad's 128x128 PNG) through the app's preprocessing."""
    sent = canvas.resize((SENT, SENT), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return to_mnist(sent.convert("RGBA"))


def font_digits(per_class: int = 50, seed: int = 0, fonts: Sequence[Path] | None = None
                ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Font digits (per_class of each class, fonts taken in turn) as (x (N,28,28,1), y, font names)."""
    fonts = tuple(fonts) if fonts is not None else font_files()
    if not fonts:
        raise NoFontsError("no TrueType/OpenType fonts found; install fonts-dejavu-core and fonts-liberation (scripts/setup.sh --dev)")
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    order = rng.permutation(len(fonts))
    for i in range(per_class):
        for digit in range(10):
            font = fonts[order[(i * 10 + digit) % len(fonts)]]
            image = as_received(_on_canvas(_font_glyph(font, digit, rng), rng))
            if image is not None:
                xs.append(image)
                ys.append(digit)
    return np.stack(xs)[..., None], np.asarray(ys, dtype=np.int64), tuple(p.stem for p in fonts)


def stroke_digits(per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pen-stroke digits (per_class of each class, the ways of writing it taken in turn) as (x, y)."""
    rng = np.random.default_rng(seed + 1)
    xs, ys = [], []
    for i in range(per_class):
        for digit in range(10):
            ways = STROKES[digit]
            strokes = moved_strokes(ways[i % len(ways)], rng)
            width = PEN * rng.uniform(0.5, 1.6)  # a finger, a mouse or a fine pen (presenter pads are larger)
            image = as_received(draw_strokes(strokes, width))
            if image is not None:
                xs.append(image)
                ys.append(digit)
    return np.stack(xs)[..., None], np.asarray(ys, dtype=np.int64)


def pad_cache_dir() -> Path:
    """Where scripts/capture_pad_digits.py keeps the drawings it made through the app's pad in chromium."""
    return user_data_dir() / "cache" / "pad-digits"


def pad_digits(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The pad's captured PNGs (named <digit>_<n>.png) through the app's preprocessing; empty if none."""
    folder = Path(folder) if folder is not None else pad_cache_dir()
    xs, ys = [], []
    for file in sorted(folder.glob("[0-9]_*.png")) if folder.is_dir() else []:
        try:
            image = to_mnist(read_image(file.read_bytes()))
        except (OSError, ImageInputError):
            continue  # a damaged cache file is skipped; the script rebuilds the cache
        if image is not None:
            xs.append(image)
            ys.append(int(file.name[0]))
    if not xs:
        return _no_digits()
    return np.stack(xs)[..., None], np.asarray(ys, dtype=np.int64)


def _no_digits() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((0, 28, 28, 1), np.float32), np.zeros(0, np.int64)


def drawn_digits(font_per_class: int = 50, stroke_per_class: int = 20, seed: int = 0, *, pad: bool = True,
                 pad_folder: Path | None = None) -> DrawnSet:
    """The drawn-like set: font digits, pen-stroke digits and (with `pad`, where captured) the pad's own drawings."""
    xf, yf, fonts = font_digits(font_per_class, seed)
    xs, ys = stroke_digits(stroke_per_class, seed)
    xp, yp = pad_digits(pad_folder) if pad else _no_digits()
    source = np.array(["font"] * len(yf) + ["stroke"] * len(ys) + ["pad"] * len(yp))
    return DrawnSet(np.concatenate([xf, xs, xp]).astype(np.float32), np.concatenate([yf, ys, yp]), source, fonts)

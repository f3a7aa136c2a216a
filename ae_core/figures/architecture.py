"""The architecture diagram: an autoencoder's layers as bars, in plain SVG (no Plotly on the first page)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from ae_core.figures.style import ACCENT, AE_COLOR, FONT_SIZE, INK, PCA_COLOR


ENCODER_COLOR = AE_COLOR
DECODER_COLOR = PCA_COLOR
IO_COLOR = "#6b7280"  # input and output layers (grey)


def architecture_svg(
    widths: Sequence[int],
    code_index: int | None = None,
    *,
    names: Sequence[str] | None = None,
    height: int = 290,
) -> str:
    """Encoder -> code -> decoder as an SVG: bars (height ~ sqrt(layer width)) joined by a funnel.

    widths are the numbers of values per layer, input first (e.g. 784, 64, 32, 16, 32, 64, 784);
    code_index (default: the narrowest layer) is the bottleneck, drawn in ACCENT. Plain SVG rather than
    Plotly, so the Home page it opens needs none of Plotly's 4.7 MB of browser code. Each bar has an
    id "layer-<i>" and a tooltip "<name>: <width> numbers"; text gives each layer's size and name and
    brackets the encoder and decoder.
    """
    w = np.asarray(widths, dtype=np.float64)
    if w.ndim != 1 or w.size < 3 or np.any(w <= 0):
        raise ValueError("need at least three positive layer widths (input, code, output)")
    n = w.size
    c = int(np.argmin(w)) if code_index is None else int(code_index)
    if not 0 < c < n - 1:
        raise ValueError("the code must lie strictly between the input and the output")
    if names is None:
        names = ["input" if i == 0 else "output" if i == n - 1 else "code" if i == c else "hidden" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"{len(names)} names for {n} layers")
    half = 0.5 * np.sqrt(w / w.max())  # bar half-heights: the widest layer spans -0.5..0.5
    bar_w, ux, uy = 0.28, 100.0, 200.0  # bar width (layer units); pixels per layer step / per unit height
    x_lo, y_hi, width = -0.6, 0.78, (n - 0.4 + 0.6) * ux
    sx = lambda x: (x - x_lo) * ux  # noqa: E731
    sy = lambda y: (y_hi - y) * uy  # noqa: E731
    colors = [IO_COLOR if i in (0, n - 1) else ACCENT if i == c else ENCODER_COLOR if i < c else DECODER_COLOR
              for i in range(n)]
    parts = []
    for i in range(n - 1):  # funnel between neighbouring bars
        x0, x1 = i + bar_w / 2, i + 1 - bar_w / 2
        pts = [(x0, half[i]), (x1, half[i + 1]), (x1, -half[i + 1]), (x0, -half[i])]
        parts.append(f'<polygon class="funnel" points="{" ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)}" '
                     f'fill="{ENCODER_COLOR if i < c else DECODER_COLOR}" fill-opacity="0.13"/>')
    for i in range(n):
        label = f"{names[i]}: {int(w[i])}"
        parts.append(f'<rect id="layer-{i}" x="{sx(i - bar_w / 2):.1f}" y="{sy(half[i]):.1f}" '
                     f'width="{bar_w * ux:.1f}" height="{2 * half[i] * uy:.1f}" fill="{colors[i]}">'
                     f'<title>{escape(label)} numbers</title></rect>')
        parts.append(f'<text x="{sx(i):.1f}" y="{sy(-0.56) + FONT_SIZE:.1f}" text-anchor="middle">'
                     f'<tspan font-weight="bold">{int(w[i])}</tspan>'
                     f'<tspan x="{sx(i):.1f}" dy="1.25em">{escape(names[i])}</tspan></text>')
    for label, a, b, color in (("encoder", 0, c, ENCODER_COLOR), ("decoder", c, n - 1, DECODER_COLOR)):
        parts.append(f'<line x1="{sx(a):.1f}" x2="{sx(b):.1f}" y1="{sy(0.62):.1f}" y2="{sy(0.62):.1f}" '
                     f'stroke="{color}" stroke-width="3"/>')
        parts.append(f'<text x="{sx((a + b) / 2):.1f}" y="{sy(0.65):.1f}" text-anchor="middle" fill="{color}" '
                     f'font-weight="bold" font-size="{FONT_SIZE + 1}">{label}</text>')
    view_h = (y_hi + 0.84) * uy
    title, desc = escape(ARCHITECTURE_TITLE), escape(architecture_description(w.astype(int).tolist(), c))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {view_h:.0f}" '
            f'width="{width * height / view_h:.0f}" height="{height}" preserveAspectRatio="xMidYMid meet" role="img" '
            f'aria-labelledby="arch-title arch-desc" aria-label="{title}: {desc}" '
            f'font-family="sans-serif" font-size="{FONT_SIZE}" fill="{INK}">'
            f'<title id="arch-title">{title}</title><desc id="arch-desc">{desc}</desc>{"".join(parts)}</svg>')


ARCHITECTURE_TITLE = "Autoencoder architecture diagram"


def architecture_description(widths: Sequence[int], code_index: int | None = None) -> str:
    """The diagram in words, as its text alternative: the encoder's layer sizes down to the code, then the
    decoder's back up, e.g. "The encoder narrows 784 input numbers through 64 and 32 to a code of 16 numbers;
    the decoder widens it through 32 and 64 back to 784 output numbers.\""""
    w = [int(v) for v in widths]
    c = int(np.argmin(w)) if code_index is None else int(code_index)

    def through(ws: list[int]) -> str:
        if not ws:
            return ""
        joined = ws[0] if len(ws) == 1 else ", ".join(map(str, ws[:-1])) + f" and {ws[-1]}"
        return f" through {joined}"

    return (f"The encoder narrows {w[0]} input numbers{through(w[1:c])} to a code of {w[c]} numbers; "
            f"the decoder widens it{through(w[c + 1:-1])} back to {w[-1]} output numbers.")

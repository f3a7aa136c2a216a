"""The look every chart shares: colours, fonts and sizes that read on a projector, and small helpers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go



# Digit colours (d3 category10): digit d is always DIGIT_COLORS[d % 10].
DIGIT_COLORS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
INK = "#222222"  # text, reference lines, highlight star
CHANCE_GREY = "#9e9e9e"  # chance diagonal, faint grid
AE_COLOR = "#1f77b4"  # autoencoder (blue)
PCA_COLOR = "#ff7f0e"  # PCA baseline (orange)
ACCENT = "#d62728"  # "current" / predicted / operating point
MUTED = "#b8c4ce"  # non-highlighted bars
USER_COLOR = "#2ca02c"  # the user's own drawing
NORMAL_COLOR = AE_COLOR  # normal digits in anomaly histograms
SERIES_COLORS: tuple[str, ...] = (AE_COLOR, PCA_COLOR, "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
ANOMALY_COLORS: tuple[str, ...] = ("#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
# Confusion-matrix scale with stretched low end so 1-5 % confusions stay visible.
CM_COLORSCALE = [[0.0, "#f7fbff"], [0.01, "#deebf7"], [0.05, "#9ecae1"], [0.2, "#4292c6"], [1.0, "#08306b"]]
GRAY_COLORSCALE = [[0.0, "#000000"], [1.0, "#ffffff"]]
# Inferno-like anchors for error_heatmap; position 0 is pure black (= no error).
ERROR_CMAP_ANCHORS = np.array(
    [[0, 0, 0], [40, 11, 84], [101, 21, 110], [159, 42, 99],
     [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164]],
    dtype=np.float64,
)

TEMPLATE = "plotly_white"
FONT_SIZE = 16
TITLE_SIZE = 20
LINE_WIDTH = 3
MARKER_SIZE = 8
HEIGHT = 420
SQUARE_HEIGHT = 600


def rgba(hex_color: str, alpha: float) -> str:
    """'#rrggbb' -> 'rgba(r,g,b,alpha)'."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def apply_style(
    fig: go.Figure,
    title: str,
    x_title: str,
    y_title: str,
    *,
    height: int = HEIGHT,
    legend_top: bool = True,
    subtitle: str | None = None,
) -> go.Figure:
    """Apply the shared projector-friendly layout to fig (in place) and return it.

    Plotly never wraps a title: keep it short (a phone's chart is ~360 px wide, and the tool bar sits at its top
    right) and put the rest in `subtitle`.
    """
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=TITLE_SIZE),
                   **({"subtitle": dict(text=subtitle)} if subtitle else {})),
        font=dict(size=FONT_SIZE, color=INK),
        height=height,
        margin=dict(l=70, r=30, t=70, b=110 if legend_top else 65),
        hoverlabel=dict(font_size=FONT_SIZE),
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
    )
    if legend_top:  # a row under the axis title: on a narrow screen it wraps downwards, not into the title
        fig.update_layout(legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.01, xanchor="left", x=0))
    ink_text(fig)
    return fig


PROJECTOR_SCALE = 1.35  # charts grow with presenter mode's page text (21 px against 16)


def for_projector(fig: go.Figure, scale: float = PROJECTOR_SCALE) -> go.Figure:
    """Scale a styled chart's text, legend symbols and lines up for a projector (in place) and return it.

    A legend inside the plot would cover more of the data at this size: it moves under the axis title.
    """
    lay = fig.layout
    base = lay.font.size or FONT_SIZE
    text = round(base * scale)
    margin = {k: int((getattr(lay.margin, k) or 0) * scale) for k in ("l", "r", "t", "b")}
    height = round(lay.height * (1 + (scale - 1) / 2)) if lay.height else None
    legend = dict(font_size=round((lay.legend.font.size or base) * scale), itemwidth=max(30, round(30 * scale)))
    entries = sum(1 for t in fig.data if t.showlegend is not False and t.name)
    if lay.legend.y is not None and 0 <= lay.legend.y <= 1 and lay.legend.orientation != "h" and entries:
        below = round(entries * text * 1.6)
        legend.update(orientation="v", yref="container", yanchor="bottom", y=0, xanchor="left", x=0, bgcolor=None)
        margin["b"] += below
        height = (height or HEIGHT) + below
    fig.update_layout(font_size=text, title_font_size=round((lay.title.font.size or TITLE_SIZE) * scale),
                      legend=legend, hoverlabel_font_size=text, margin=margin, height=height)
    fig.update_xaxes(tickfont_size=text, title_font_size=text)
    fig.update_yaxes(tickfont_size=text, title_font_size=text)
    for trace in fig.data:
        line = getattr(trace, "line", None)
        if line is not None and getattr(line, "width", None):
            trace.line.width = line.width * scale
    return fig


def ink_text(fig: go.Figure) -> go.Figure:
    """Every chart text in INK (in place): title, axis titles and ticks, legend and its title, colour bars.

    Streamlit's Plotly theme sets its own grey (rgb(128,132,149), 3.7:1 on white, under WCAG's 4.5:1) on
    ticks, axis titles and the legend title; a template only supplies defaults, so these are set on the
    figure itself, where they win over any theme.
    """
    fig.update_layout(title_font_color=INK, legend_font_color=INK, legend_title_font_color=INK)
    fig.update_xaxes(tickfont_color=INK, title_font_color=INK)
    fig.update_yaxes(tickfont_color=INK, title_font_color=INK)
    fig.update_coloraxes(colorbar_tickfont_color=INK, colorbar_title_font_color=INK)
    for trace in fig.data:
        if "colorbar" in trace:
            trace.update(colorbar=dict(tickfont=dict(color=INK), title=dict(font=dict(color=INK))))
    return fig


def finite_or_none(values: Sequence[float] | np.ndarray) -> list[float | None]:
    """Replace NaN/inf by None so Plotly leaves a gap instead of failing to draw."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64).ravel()]


def series_label(key: str) -> str:
    """Display name of a Keras history key."""
    return {"loss": "training", "val_loss": "validation"}.get(key, key.replace("_", " "))


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 tick values inside [lo, hi] for a log axis."""
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    ticks = [m * 10.0**d for d in decades for m in (1, 2, 5)]
    return [float(f"{t:.3g}") for t in ticks if lo <= t <= hi]

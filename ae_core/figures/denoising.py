"""Charts of the denoising page: reconstruction error against the amount of noise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ae_core.analysis.denoising import NOISY_INPUT
from ae_core.figures.style import CHANCE_GREY, INK, LINE_WIDTH, MARKER_SIZE, SERIES_COLORS, apply_style, finite_or_none


def error_vs_noise(
    levels: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    metric: str = "MSE",
    current: float | None = None,
    *,
    x_title: str = "noise level",
    title: str | None = None,
) -> go.Figure:
    """Error metric against input noise level, one line per model, dashed line at the current level."""
    levels = np.asarray(levels, dtype=np.float64)
    fig = go.Figure()
    for i, (name, values) in enumerate(curves.items()):
        if len(values) != len(levels):
            raise ValueError(f"curve {name!r} has {len(values)} values for {len(levels)} levels")
        fig.add_trace(
            go.Scatter(
                x=levels, y=finite_or_none(values), name=name, mode="lines+markers",
                line=dict(color=SERIES_COLORS[i % len(SERIES_COLORS)], width=LINE_WIDTH),
                marker=dict(size=MARKER_SIZE),
                hovertemplate=f"{x_title} %{{x:.3g}}<br>{metric} %{{y:.4g}}",
            )
        )
    apply_style(fig, title or f"{metric} vs {x_title}", x_title, metric)
    if current is not None:
        fig.add_vline(
            x=float(current), line_dash="dash", line_color=INK, line_width=2,
            annotation_text=f"current {current:g}", annotation_position="top right",
        )
    return fig


def error_curve_figure(
    levels: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    current: float | None = None,
    *,
    noise_label: str = "noise",
    n_images: int | None = None,
):
    """error_vs_noise with the NOISY_INPUT baseline (if present) drawn as a grey dotted line."""
    what = f"{n_images} test digits" if n_images else "test digits"
    fig = error_vs_noise(levels, curves, "MSE", current, x_title="noise amount", title="Error vs the clean digit")
    fig.update_layout(title_subtitle=dict(text=f"{noise_label}, mean over {what}"))
    fig.update_traces(selector=dict(name=NOISY_INPUT), line=dict(color=CHANCE_GREY, dash="dot"),
                      marker=dict(color=CHANCE_GREY))
    fig.update_yaxes(rangemode="tozero")
    return fig

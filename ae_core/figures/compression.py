"""Charts of the compression page: test error against code size, autoencoder next to PCA."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ae_core.shapes import N_PIXELS
from ae_core.figures.style import ACCENT, AE_COLOR, LINE_WIDTH, MARKER_SIZE, PCA_COLOR, apply_style, finite_or_none


def _powers_of_two(lo: float, hi: float) -> list[int]:
    """Powers of two covering [lo, hi]."""
    a = int(np.floor(np.log2(lo)))
    b = int(np.ceil(np.log2(hi)))
    return [2**p for p in range(a, b + 1)]


def compression_curve(
    sizes: Sequence[int],
    ae_mse: Sequence[float],
    pca_mse: Sequence[float],
    current: int | None = None,
    *,
    input_dim: int = N_PIXELS,
    title: str = "Smaller code, bigger error",
) -> go.Figure:
    """Test MSE against code size (log2 axis) for the autoencoder and PCA; hover shows input_dim/size.

    current (if inside the size range) is marked on both curves, interpolated in log2(size).
    """
    sizes_a = np.asarray(sizes, dtype=np.float64)
    if np.any(sizes_a <= 0):
        raise ValueError("code sizes must be positive")
    order = np.argsort(sizes_a)
    sizes_a = sizes_a[order]
    ratio = input_dim / sizes_a
    fig = go.Figure()
    series = (("autoencoder", ae_mse, AE_COLOR), ("PCA", pca_mse, PCA_COLOR))
    for name, values, color in series:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != sizes_a.shape:
            raise ValueError(f"{name}: {values.shape[0]} values for {sizes_a.shape[0]} sizes")
        fig.add_trace(
            go.Scatter(
                x=sizes_a, y=finite_or_none(values[order]), name=name, customdata=ratio,
                mode="lines+markers", line=dict(color=color, width=LINE_WIDTH), marker=dict(size=MARKER_SIZE),
                hovertemplate="code size %{x}<br>compression %{customdata:.3g}×<br>test MSE %{y:.4g}",
            )
        )
    if current is not None and sizes_a.size and sizes_a[0] <= current <= sizes_a[-1]:
        lx = np.log2(sizes_a)
        ys = [float(np.interp(np.log2(current), lx, np.asarray(v, dtype=np.float64)[order])) for _, v, _ in series]
        fig.add_trace(
            go.Scatter(
                x=[current, current], y=ys, mode="markers",
                name=f"current: {current} numbers ({input_dim / current:.3g}× smaller)",
                marker=dict(symbol="circle-open", size=22, color=ACCENT, line=dict(width=3)),
                hovertemplate="current code size %{x}<br>test MSE %{y:.4g}",
            )
        )
    apply_style(fig, title, "code size (numbers per image)", "test MSE", legend_top=False)
    # inside the plot, top right (the curves fall to the right): a top legend wraps under the title when narrow
    fig.update_layout(legend=dict(yanchor="top", y=0.99, xanchor="right", x=0.99, bgcolor="rgba(255,255,255,0.85)"))
    ticks = _powers_of_two(sizes_a[0], sizes_a[-1]) if sizes_a.size else []
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])
    fig.update_yaxes(rangemode="tozero")
    return fig

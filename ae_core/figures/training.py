"""Charts of a training run: the loss per epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from ae_core.figures.style import CHANCE_GREY, LINE_WIDTH, MARKER_SIZE, SERIES_COLORS, TITLE_SIZE, apply_style, finite_or_none, series_label


def loss_curve(history: Mapping[str, Sequence[float]], title: str = "Training loss") -> go.Figure:
    """Loss per epoch, one line per history key ('loss' -> 'training', 'val_loss' -> 'validation')."""
    fig = go.Figure()
    n_epochs = max((len(v) for v in history.values()), default=0)
    for i, (key, values) in enumerate(history.items() if n_epochs else ()):
        color = {"loss": SERIES_COLORS[0], "val_loss": SERIES_COLORS[1]}.get(key, SERIES_COLORS[i % len(SERIES_COLORS)])
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=finite_or_none(values),
                name=series_label(key),
                mode="lines+markers",
                line=dict(color=color, width=LINE_WIDTH),
                marker=dict(size=MARKER_SIZE),
                hovertemplate="epoch %{x}<br>loss %{y:.4g}",
            )
        )
    apply_style(fig, title, "epoch", "loss")
    if n_epochs == 0:
        fig.add_annotation(
            text="no epochs yet", x=0.5, y=0.5, xref="paper", yref="paper",
            showarrow=False, font=dict(size=TITLE_SIZE, color=CHANCE_GREY),
        )
        fig.update_xaxes(showticklabels=False, showgrid=False, range=[0, 1])
        fig.update_yaxes(showticklabels=False, showgrid=False, range=[0, 1])
    elif n_epochs <= 20:
        fig.update_xaxes(dtick=1)
    return fig

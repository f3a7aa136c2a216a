"""Charts of a 2-d latent space: the scatter of codes, the clickable map and the manifold of decoded digits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ae_core.analysis.latent import grid_codes
from ae_core.figures.images import png_data_url, upscale
from ae_core.figures.style import ACCENT, CHANCE_GREY, DIGIT_COLORS, GRAY_COLORSCALE, INK, LINE_WIDTH, SQUARE_HEIGHT, apply_style


def latent_scatter(
    z: np.ndarray,
    labels: np.ndarray,
    *,
    class_names: Sequence[str] | None = None,
    highlight: Mapping[str, object] | None = None,
    path: np.ndarray | None = None,
    grid: int = 0,
    extent: float = 3.0,
    customdata_ids: bool = True,
    render_mode: str = "webgl",
    marker_size: float = 5.0,
    legend_title: str = "digit",
    title: str = "Latent space",
) -> go.Figure:
    """2-D latent codes coloured by label, with optional clickable grid, interpolation path and highlight star.

    Trace order: [grid] + one trace per class (sorted labels) + [path] + [highlight].
    customdata is the row index into z for class traces and -1 on grid/path/highlight
    points, so a selection maps back as: id >= 0 -> row of z, id < 0 -> decode (x, y).
    """
    scatter = _scatter_type(render_mode)
    z = np.asarray(z, dtype=np.float64)
    labels = np.asarray(labels).ravel()
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z must have shape (N, 2), got {z.shape}")
    if labels.shape[0] != z.shape[0]:
        raise ValueError(f"{labels.shape[0]} labels for {z.shape[0]} points")
    fig = go.Figure()
    if grid > 0:
        fig.add_trace(_overlay(scatter, grid_codes(grid, extent), "grid", dict(size=14, color=CHANCE_GREY, opacity=0.05),
                               hovertemplate="decode z=(%{x:.2f}, %{y:.2f})<extra></extra>", showlegend=False))
    fig.add_traces(_class_traces(scatter, z, labels, class_names, customdata_ids, marker_size, legend_title))
    if path is not None:
        fig.add_trace(_overlay(scatter, path, "interpolation", dict(size=10, color=INK, line=dict(color="white", width=1)),
                               mode="lines+markers", line=dict(color=INK, width=LINE_WIDTH),
                               hovertemplate="z=(%{x:.2f}, %{y:.2f})<extra>interpolation</extra>"))
    if highlight is not None:
        label = str(highlight.get("label", "your drawing"))
        fig.add_trace(_overlay(scatter, highlight["z"], label,
                               dict(symbol="star", size=26, color=INK, line=dict(color="white", width=2)),
                               hovertemplate=f"{label}<br>z=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    apply_style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False)
    fig.update_layout(legend=dict(title=dict(text=legend_title), itemsizing="constant"))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def _scatter_type(render_mode: str) -> type:
    """Plotly's WebGL or SVG scatter trace class."""
    if render_mode not in ("webgl", "svg"):
        raise ValueError("render_mode must be 'webgl' or 'svg'")
    return go.Scattergl if render_mode == "webgl" else go.Scatter


def _overlay(scatter: type, points, name: str, marker: dict, mode: str = "markers", **kw) -> go.Scatter:
    """A trace of points drawn over the codes (grid, path, star, ring, cross); customdata -1 = not a code."""
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return scatter(x=xy[:, 0], y=xy[:, 1], name=name, mode=mode, customdata=np.full(len(xy), -1), marker=marker, **kw)


def _class_traces(scatter: type, z: np.ndarray, labels: np.ndarray, class_names: Sequence[str] | None,
                  customdata_ids: bool, marker_size: float, legend_title: str) -> list:
    """One trace of codes per class (sorted labels), coloured by class, customdata = row of z."""
    ids = np.arange(z.shape[0])
    is_int = np.issubdtype(labels.dtype, np.integer)
    idx_line = "<br>index %{customdata}" if customdata_ids else ""
    traces = []
    for k, lab in enumerate(np.unique(labels)):
        mask = labels == lab
        name = class_names[int(lab)] if (class_names is not None and is_int) else str(lab)
        color = DIGIT_COLORS[int(lab) % 10] if is_int else DIGIT_COLORS[k % 10]
        traces.append(scatter(
            x=z[mask, 0], y=z[mask, 1], name=name, mode="markers", customdata=ids[mask] if customdata_ids else None,
            marker=dict(size=marker_size, color=color, opacity=0.7),
            hovertemplate=f"{legend_title} {name}{idx_line}<br>z=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    return traces


def manifold_figure(
    canvas: np.ndarray, extent: float, *, tile: int = 28, title: str = "What the decoder draws across the latent space"
) -> go.Figure:
    """Grayscale view of an n x n tiled canvas (see tile_images, manifold_grid_z) with axes in z units.

    Tile centres sit exactly on the grid_codes(n, extent) points; z2 increases upward.
    """
    canvas = np.asarray(canvas, dtype=np.float64)
    if canvas.ndim != 2 or canvas.shape[0] != canvas.shape[1] or canvas.shape[1] % tile:
        raise ValueError(f"canvas must be square with a side divisible by {tile}, got {canvas.shape}")
    n = canvas.shape[1] // tile
    step = 2 * extent / (n - 1) if n > 1 else 2 * extent
    d = step / tile
    start = -extent - step / 2 + d / 2
    fig = go.Figure(
        go.Heatmap(
            z=canvas[::-1], x0=start, dx=d, y0=start, dy=d, colorscale=GRAY_COLORSCALE,
            zmin=0.0, zmax=1.0, showscale=False, hovertemplate="z=(%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    apply_style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False)
    lim = [-extent - step / 2, extent + step / 2]
    fig.update_xaxes(range=lim, constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=lim, constrain="domain", scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False)
    return fig


def latent_map(
    z: np.ndarray,
    labels: np.ndarray,
    *,
    current: Sequence[float] | np.ndarray | None = None,
    user: Sequence[float] | np.ndarray | None = None,
    path: np.ndarray | None = None,
    path_frame: int | None = None,
    grid: int = 0,
    extent: float = 3.0,
    render_mode: str = "webgl",
    marker_size: float = 5.0,
    view: float | None = None,
    height: int = 640,
    title: str = "Latent space",
    subtitle: str = "click a digit or anywhere on the plane",
    class_names: Sequence[str] | None = None,
    legend_title: str = "digit",
) -> go.Figure:
    """latent_scatter plus a cross at the code being decoded and a ring on the current interpolation frame.

    user is drawn as latent_scatter's star ("your drawing"). Trace order: latent_scatter's traces, then
    [frame ring "this frame"], then [cross "decoded here"]; the added markers carry customdata -1 like
    the grid but skip hover, so they never catch a click meant for the points under them. Selected and
    unselected points keep their normal look, so a click never fades the map. uirevision lets a host that
    updates the figure in place keep the user's zoom (Streamlit redraws the chart on a new spec, so there
    the view resets on each rerun). view fixes both axes to [-view, view] (a square plot that shrinks to fit
    rather than stretching one axis); None leaves Plotly's autorange. The legend (digits only; the
    overlays are for the page to explain) sits in rows under the plot, so the square plot gets the full
    width and, in a narrow column, its wrapped rows grow away from the title instead of over it. The
    title is short with the instruction as a subtitle, so neither is cut in a narrow column.
    """
    highlight = {"z": np.asarray(user, dtype=np.float64).ravel(), "label": "your drawing"} if user is not None else None
    fig = latent_scatter(z, labels, highlight=highlight, path=path, grid=grid, extent=extent,
                         render_mode=render_mode, marker_size=marker_size, title=title, class_names=class_names,
                         legend_title=legend_title)
    scatter = _scatter_type(render_mode)
    if path is not None and path_frame is not None:
        p = np.asarray(path, dtype=np.float64).reshape(-1, 2)
        if not 0 <= int(path_frame) < len(p):
            raise ValueError(f"path_frame {path_frame} outside 0..{len(p) - 1}")
        fig.add_trace(_overlay(scatter, p[int(path_frame)], "this frame",
                               dict(symbol="circle-open", size=24, color=ACCENT, line=dict(width=4)), hoverinfo="skip"))
    if current is not None:
        fig.add_trace(_overlay(scatter, current, "decoded here",
                               dict(symbol="x", size=20, color=ACCENT, line=dict(color="white", width=2)),
                               hoverinfo="skip"))
    for trace in fig.data:
        if trace.name in ("interpolation", "your drawing", "this frame", "decoded here"):
            trace.showlegend = False  # explained next to the map; keeps the legend to one row of digits
        opacity = trace.marker.opacity if trace.marker.opacity is not None else 1.0
        trace.selected = dict(marker=dict(opacity=opacity))
        trace.unselected = dict(marker=dict(opacity=opacity))
    fig.update_layout(
        uirevision="latent-map", height=height, margin=dict(t=80, r=20, b=60),
        title=dict(subtitle=dict(text=subtitle, font=dict(size=14)), y=0.985, yref="container", yanchor="top"),
        # under the x axis title: Plotly grows the bottom margin for as many rows as the width needs
        legend=dict(orientation="h", yanchor="top", y=-0.13, yref="paper", xanchor="left", x=0,
                    itemclick="toggle", itemdoubleclick="toggleothers", title=dict(text=legend_title, side="left"),
                    entrywidthmode="pixels", entrywidth=0, itemwidth=30, font=dict(size=15)),
    )
    if view is not None:
        lim = [-float(view), float(view)]
        fig.update_xaxes(range=lim, constrain="domain", zeroline=False)
        fig.update_yaxes(range=lim, constrain="domain", zeroline=False)
    return fig


def manifold_image_figure(
    canvas: np.ndarray,
    extent: float,
    *,
    tile: int = 28,
    scale: int = 2,
    title: str = "What the decoder draws",
    subtitle: str | None = "across the latent space",
) -> go.Figure:
    """Light-weight twin of manifold_figure: the tiled canvas as one PNG layout image on z-unit axes.

    Same geometry (tile centres on the grid_codes(n, extent) points, z2 up) but the figure carries
    a ~50 kB PNG instead of a (n*28)^2 heatmap, so reruns stay fast. scale enlarges the PNG (nearest
    neighbour) so the browser does not blur the digits. No hover: the image is not a trace.
    """
    canvas = np.asarray(canvas)
    if canvas.ndim != 2 or canvas.shape[0] != canvas.shape[1] or canvas.shape[1] % tile:
        raise ValueError(f"canvas must be square with a side divisible by {tile}, got {canvas.shape}")
    n = canvas.shape[1] // tile
    step = 2 * extent / (n - 1) if n > 1 else 2 * extent
    lo, hi = -extent - step / 2, extent + step / 2
    fig = go.Figure()
    fig.add_layout_image(
        source=png_data_url(upscale(canvas, scale)), xref="x", yref="y", x=lo, y=hi, sizex=hi - lo, sizey=hi - lo,
        xanchor="left", yanchor="top", sizing="stretch", layer="below",
    )
    apply_style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False, subtitle=subtitle)
    fig.update_xaxes(range=[lo, hi], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[lo, hi], constrain="domain", scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False)
    return fig

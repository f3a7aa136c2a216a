"""Pure builders for every chart and image the app shows (Plotly figures and uint8 images)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go
from PIL import Image

# ---------------------------------------------------------------- palette & style
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
DEFAULT_INPUT_DIM = 784


def _rgba(hex_color: str, alpha: float) -> str:
    """'#rrggbb' -> 'rgba(r,g,b,alpha)'."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _style(
    fig: go.Figure,
    title: str,
    x_title: str,
    y_title: str,
    *,
    height: int = HEIGHT,
    legend_top: bool = True,
) -> go.Figure:
    """Apply the shared projector-friendly layout to fig (in place) and return it."""
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=TITLE_SIZE)),
        font=dict(size=FONT_SIZE, color=INK),
        height=height,
        margin=dict(l=70, r=30, t=100 if legend_top else 70, b=65),
        hoverlabel=dict(font_size=FONT_SIZE),
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
    )
    if legend_top:
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0))
    return fig


def _finite_or_none(values: Sequence[float] | np.ndarray) -> list[float | None]:
    """Replace NaN/inf by None so Plotly leaves a gap instead of failing to draw."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64).ravel()]


def _pretty(key: str) -> str:
    """Display name of a Keras history key."""
    return {"loss": "training", "val_loss": "validation"}.get(key, key.replace("_", " "))


# ---------------------------------------------------------------- line charts
def loss_curve(history: Mapping[str, Sequence[float]], title: str = "Training loss") -> go.Figure:
    """Loss per epoch, one line per history key ('loss' -> 'training', 'val_loss' -> 'validation')."""
    fig = go.Figure()
    n_epochs = max((len(v) for v in history.values()), default=0)
    for i, (key, values) in enumerate(history.items() if n_epochs else ()):
        color = {"loss": SERIES_COLORS[0], "val_loss": SERIES_COLORS[1]}.get(key, SERIES_COLORS[i % len(SERIES_COLORS)])
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=_finite_or_none(values),
                name=_pretty(key),
                mode="lines+markers",
                line=dict(color=color, width=LINE_WIDTH),
                marker=dict(size=MARKER_SIZE),
                hovertemplate="epoch %{x}<br>loss %{y:.4g}",
            )
        )
    _style(fig, title, "epoch", "loss")
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
                x=levels, y=_finite_or_none(values), name=name, mode="lines+markers",
                line=dict(color=SERIES_COLORS[i % len(SERIES_COLORS)], width=LINE_WIDTH),
                marker=dict(size=MARKER_SIZE),
                hovertemplate=f"{x_title} %{{x:.3g}}<br>{metric} %{{y:.4g}}",
            )
        )
    _style(fig, title or f"{metric} vs {x_title}", x_title, metric)
    if current is not None:
        fig.add_vline(
            x=float(current), line_dash="dash", line_color=INK, line_width=2,
            annotation_text=f"current {current:g}", annotation_position="top right",
        )
    return fig


def _log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 tick values inside [lo, hi] for a log axis."""
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    ticks = [m * 10.0**d for d in decades for m in (1, 2, 5)]
    return [float(f"{t:.3g}") for t in ticks if lo <= t <= hi]


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
    input_dim: int = DEFAULT_INPUT_DIM,
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
                x=sizes_a, y=_finite_or_none(values[order]), name=name, customdata=ratio,
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
    _style(fig, title, "code size (numbers per image)", "test MSE", legend_top=False)
    # inside the plot, top right (the curves fall to the right): a top legend wraps under the title when narrow
    fig.update_layout(legend=dict(yanchor="top", y=0.99, xanchor="right", x=0.99, bgcolor="rgba(255,255,255,0.85)"))
    ticks = _powers_of_two(sizes_a[0], sizes_a[-1]) if sizes_a.size else []
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])
    fig.update_yaxes(rangemode="tozero")
    return fig


# ---------------------------------------------------------------- latent space
def manifold_grid_z(n: int, extent: float) -> np.ndarray:
    """(n*n, 2) latent points, row-major from the top-left: row 0 has the highest z2, column 0 the lowest z1."""
    z1 = np.linspace(-extent, extent, n)
    z2 = np.linspace(extent, -extent, n)
    zz1, zz2 = np.meshgrid(z1, z2)
    return np.column_stack([zz1.ravel(), zz2.ravel()])


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
    if render_mode not in ("webgl", "svg"):
        raise ValueError("render_mode must be 'webgl' or 'svg'")
    scatter = go.Scattergl if render_mode == "webgl" else go.Scatter
    z = np.asarray(z, dtype=np.float64)
    labels = np.asarray(labels).ravel()
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z must have shape (N, 2), got {z.shape}")
    if labels.shape[0] != z.shape[0]:
        raise ValueError(f"{labels.shape[0]} labels for {z.shape[0]} points")
    ids = np.arange(z.shape[0])
    fig = go.Figure()

    if grid > 0:
        g = manifold_grid_z(grid, extent)
        fig.add_trace(
            scatter(
                x=g[:, 0], y=g[:, 1], name="grid", mode="markers", showlegend=False,
                customdata=np.full(g.shape[0], -1), marker=dict(size=14, color=CHANCE_GREY, opacity=0.05),
                hovertemplate="decode z=(%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )

    is_int = np.issubdtype(labels.dtype, np.integer)
    for k, lab in enumerate(np.unique(labels)):
        mask = labels == lab
        name = class_names[int(lab)] if (class_names is not None and is_int) else str(lab)
        color = DIGIT_COLORS[int(lab) % 10] if is_int else DIGIT_COLORS[k % 10]
        idx_line = "<br>index %{customdata}" if customdata_ids else ""
        fig.add_trace(
            scatter(
                x=z[mask, 0], y=z[mask, 1], name=name, mode="markers",
                customdata=ids[mask] if customdata_ids else None,
                marker=dict(size=marker_size, color=color, opacity=0.7),
                hovertemplate=f"{legend_title} {name}{idx_line}<br>z=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )

    if path is not None:
        p = np.asarray(path, dtype=np.float64).reshape(-1, 2)
        fig.add_trace(
            scatter(
                x=p[:, 0], y=p[:, 1], name="interpolation", mode="lines+markers",
                customdata=np.full(p.shape[0], -1), line=dict(color=INK, width=LINE_WIDTH),
                marker=dict(size=10, color=INK, line=dict(color="white", width=1)),
                hovertemplate="z=(%{x:.2f}, %{y:.2f})<extra>interpolation</extra>",
            )
        )

    if highlight is not None:
        hz = np.asarray(highlight["z"], dtype=np.float64).ravel()
        label = str(highlight.get("label", "your drawing"))
        fig.add_trace(
            scatter(
                x=[hz[0]], y=[hz[1]], name=label, mode="markers", customdata=[-1],
                marker=dict(symbol="star", size=26, color=INK, line=dict(color="white", width=2)),
                hovertemplate=f"{label}<br>z=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )

    _style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False)
    fig.update_layout(legend=dict(title=dict(text=legend_title), itemsizing="constant"))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


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


def manifold_figure(
    canvas: np.ndarray, extent: float, *, tile: int = 28, title: str = "What the decoder draws across the latent space"
) -> go.Figure:
    """Grayscale view of an n x n tiled canvas (see tile_images, manifold_grid_z) with axes in z units.

    Tile centres sit exactly on the manifold_grid_z(n, extent) points; z2 increases upward.
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
    _style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False)
    lim = [-extent - step / 2, extent + step / 2]
    fig.update_xaxes(range=lim, constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=lim, constrain="domain", scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False)
    return fig


# ---------------------------------------------------------------- anomaly detection
def _common_edges(groups: list[np.ndarray], extra: list[float], n_bins: int, log_x: bool) -> np.ndarray:
    """Shared bin edges spanning every group and the extra marker positions."""
    vals = np.concatenate([*groups, np.asarray(extra, dtype=np.float64)])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        vals = np.array([1.0])
    lo, hi = float(vals.min()), float(vals.max())
    if log_x:
        if lo == hi:
            lo, hi = lo / 1.5, hi * 1.5
        edges = np.logspace(np.log10(lo), np.log10(hi), n_bins + 1)
        edges[[0, -1]] = lo, hi  # exact ends, so the extreme values are not lost to rounding
        return edges
    if lo == hi:
        lo, hi = lo - 0.5 * max(abs(lo), 1e-3), hi + 0.5 * max(abs(hi), 1e-3)
    return np.linspace(lo, hi, n_bins + 1)


def histogram_density(values: np.ndarray, edges: np.ndarray, log_x: bool = False) -> np.ndarray:
    """Probability density per bin; per unit of log10(value) when log_x (so each histogram integrates to 1)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    counts, _ = np.histogram(values, bins=edges)
    widths = np.diff(np.log10(edges)) if log_x else np.diff(edges)
    total = counts.sum()
    return counts / (total * widths) if total else np.zeros_like(widths)


def error_histogram(
    normal: np.ndarray,
    anomalies: Mapping[str, np.ndarray],
    threshold: float,
    user_score: float | None = None,
    *,
    log_x: bool = True,
    n_bins: int = 40,
    normal_label: str = "normal",
    title: str = "Reconstruction error: normal vs anomalies",
) -> go.Figure:
    """Overlaid density histograms of reconstruction error with threshold and user-score lines.

    All groups share one set of bins (log-spaced when log_x, where the density is per decade),
    drawn as filled step outlines (Plotly's own histograms cannot bin on log axes). On a log
    axis, non-positive scores are clipped to half the smallest positive value. Empty groups
    are skipped. Trace order: normal, each anomaly group, threshold, [user].
    """
    groups = {normal_label: normal, **dict(anomalies)}
    arrays = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in groups.items()}
    arrays = {k: v[np.isfinite(v)] for k, v in arrays.items()}
    markers = [float(threshold)] + ([float(user_score)] if user_score is not None else [])
    if log_x:
        positives = np.concatenate([v[v > 0] for v in arrays.values()] + [np.array([m for m in markers if m > 0])])
        floor = positives.min() / 2 if positives.size else 1e-6
        arrays = {k: np.maximum(v, floor) for k, v in arrays.items()}
        markers = [max(m, floor) for m in markers]
    edges = _common_edges([v for v in arrays.values() if v.size], markers, n_bins, log_x)

    fig = go.Figure()
    y_max = 0.0
    for i, (name, vals) in enumerate(arrays.items()):
        if vals.size == 0:
            continue
        dens = histogram_density(vals, edges, log_x)
        y_max = max(y_max, float(dens.max()))
        color = NORMAL_COLOR if i == 0 else ANOMALY_COLORS[(i - 1) % len(ANOMALY_COLORS)]
        xs = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
        ys = np.concatenate([[0.0], np.repeat(dens, 2), [0.0]])
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, name=f"{name} (n={vals.size})", mode="lines", fill="tozeroy", opacity=0.6,
                line=dict(color=color, width=2), fillcolor=_rgba(color, 0.45),
                hovertemplate="error %{x:.3g}<br>density %{y:.3g}",
            )
        )
    top = 1.05 * y_max if y_max > 0 else 1.0
    t = markers[0]
    fig.add_trace(
        go.Scatter(
            x=[t, t], y=[0.0, top], name="threshold", mode="lines+text", text=["", f"threshold {threshold:.3g}"],
            textposition="top center", line=dict(color=INK, width=LINE_WIDTH, dash="dash"),
            hovertemplate=f"threshold {threshold:.4g}<extra></extra>",
        )
    )
    if user_score is not None:
        u = markers[1]
        fig.add_trace(
            go.Scatter(
                x=[u, u], y=[0.0, top], name="your drawing", mode="lines+markers",
                line=dict(color=USER_COLOR, width=LINE_WIDTH),
                marker=dict(symbol="star", size=[0, 22], color=USER_COLOR, line=dict(color="white", width=1)),
                hovertemplate=f"your drawing {user_score:.4g}<extra></extra>",
            )
        )
    _style(fig, title, "reconstruction error (MSE)", "density per decade" if log_x else "density")
    fig.update_yaxes(range=[0.0, top * 1.12])
    if log_x:
        ticks = _log_ticks(edges[0], edges[-1])
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return fig


def roc_figure(
    fpr: np.ndarray,
    tpr: np.ndarray,
    auc: float,
    point: tuple[float, float] | None = None,
    *,
    title: str | None = None,
) -> go.Figure:
    """ROC curve with chance diagonal and the current threshold's (fpr, tpr) operating point."""
    fpr = np.asarray(fpr, dtype=np.float64)
    tpr = np.asarray(tpr, dtype=np.float64)
    if fpr.shape != tpr.shape:
        raise ValueError("fpr and tpr must have the same shape")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], name="chance", mode="lines",
                   line=dict(color=CHANCE_GREY, width=2, dash="dash"), hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            x=fpr, y=tpr, name="ROC", mode="lines", fill="tozeroy", fillcolor=_rgba(AE_COLOR, 0.12),
            line=dict(color=AE_COLOR, width=LINE_WIDTH),
            hovertemplate="false alarms %{x:.1%}<br>anomalies caught %{y:.1%}<extra></extra>",
        )
    )
    if point is not None:
        fig.add_trace(
            go.Scatter(
                x=[float(point[0])], y=[float(point[1])], name="current threshold", mode="markers",
                marker=dict(size=16, color=ACCENT, line=dict(color="white", width=2)),
                hovertemplate="false alarms %{x:.1%}<br>anomalies caught %{y:.1%}<extra></extra>",
            )
        )
    _style(fig, title or f"ROC curve (AUC = {auc:.3f})", "false positive rate", "true positive rate",
           height=500)
    fig.update_xaxes(range=[-0.01, 1.01], constrain="domain")
    fig.update_yaxes(range=[-0.01, 1.01], scaleanchor="x", scaleratio=1, constrain="domain")
    return fig


# ---------------------------------------------------------------- classification
def _names(n: int, class_names: Sequence[str] | None) -> list[str]:
    """Class display names, defaulting to '0'..'n-1'."""
    if class_names is None:
        return [str(i) for i in range(n)]
    if len(class_names) != n:
        raise ValueError(f"{len(class_names)} class names for {n} classes")
    return [str(c) for c in class_names]


def confusion_figure(
    cm: np.ndarray, class_names: Sequence[str] | None = None, *, title: str | None = None
) -> go.Figure:
    """Confusion-matrix heatmap: counts printed in cells, colour = share of the true row; x predicted, y true (class 0 on top)."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be square, got {cm.shape}")
    names = _names(cm.shape[0], class_names)
    total = cm.sum()
    acc = np.trace(cm) / total if total else float("nan")
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros(cm.shape, dtype=np.float64), where=rows > 0)
    fig = go.Figure(
        go.Heatmap(
            z=frac, x=names, y=names, text=cm, texttemplate="%{text}", colorscale=CM_COLORSCALE,
            zmin=0.0, zmax=1.0, showscale=False, xgap=1, ygap=1,
            hovertemplate="true %{y} → predicted %{x}<br>%{text} images (%{z:.1%} of row)<extra></extra>",
        )
    )
    acc_text = f"accuracy {acc:.1%}" if np.isfinite(acc) else "accuracy n/a"
    _style(fig, title or f"Confusion matrix ({acc_text})", "predicted", "true", height=SQUARE_HEIGHT,
           legend_top=False)
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, scaleanchor="x", scaleratio=1)
    return fig


def class_error_bars(
    errors: np.ndarray,
    class_names: Sequence[str] | None = None,
    predicted: int | None = None,
    *,
    title: str | None = None,
) -> go.Figure:
    """Reconstruction MSE per class; the predicted class (default: lowest error) is highlighted."""
    errors = np.asarray(errors, dtype=np.float64).ravel()
    names = _names(errors.size, class_names)
    pred = int(np.nanargmin(errors)) if predicted is None else int(predicted)
    colors = [ACCENT if i == pred else MUTED for i in range(errors.size)]
    fig = go.Figure(
        go.Bar(
            x=names, y=_finite_or_none(errors), marker_color=colors, name="reconstruction MSE",
            text=[f"{e:.3g}" for e in errors], textposition="outside", cliponaxis=False,
            hovertemplate="class %{x}<br>MSE %{y:.4g}<extra></extra>",
        )
    )
    _style(fig, title or f"Prediction: {names[pred]} (lowest reconstruction error)", "class",
           "reconstruction MSE", legend_top=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return fig


# ---------------------------------------------------------------- images (uint8 for st.image)
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


def _as_unit_float(img: np.ndarray) -> np.ndarray:
    """Image as float64 in [0, 1] (uint8 is divided by 255), trailing channel of 1 dropped."""
    a = np.asarray(img)
    a = a / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)
    return a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a


def error_heatmap(original: np.ndarray, reconstruction: np.ndarray, vmax: float = 0.5) -> np.ndarray:
    """RGB uint8 image of |original - reconstruction| through ERROR_CMAP_ANCHORS: 0 -> black, >= vmax -> brightest."""
    if vmax <= 0:
        raise ValueError("vmax must be positive")
    o, r = _as_unit_float(original), _as_unit_float(reconstruction)
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


def figure_html(image: np.ndarray, caption: str = "", px: int = 140) -> str:
    """An image shown `px` wide with crisp (pixelated) scaling and a caption below, as one HTML figure.

    The caption is HTML (line breaks as <br>); escape any user text in it first.
    """
    cap = f'<figcaption class="ae-caption">{caption}</figcaption>' if caption else ""
    return (f'<figure class="ae-fig" style="max-width:{int(px)}px"><img src="{png_data_url(image)}" '
            f'width="{int(px)}" height="{int(px * np.shape(image)[0] / np.shape(image)[1])}" alt="">{cap}</figure>')


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


# ---------------------------------------------------------------- architecture diagram
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
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {view_h:.0f}" '
            f'width="{width * height / view_h:.0f}" height="{height}" preserveAspectRatio="xMidYMid meet" role="img" '
            f'aria-label="autoencoder layer sizes {" ".join(str(int(v)) for v in w)}" '
            f'font-family="sans-serif" font-size="{FONT_SIZE}" fill="{INK}">{"".join(parts)}</svg>')


# ---------------------------------------------------------------- interactive latent map
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
    title: str = "Latent space: click a digit or anywhere on the plane",
) -> go.Figure:
    """latent_scatter plus a cross at the code being decoded and a ring on the current interpolation frame.

    user is drawn as latent_scatter's star ("your drawing"). Trace order: latent_scatter's traces, then
    [frame ring "this frame"], then [cross "decoded here"]; the added markers carry customdata -1 like
    the grid but skip hover, so they never catch a click meant for the points under them. Selected and
    unselected points keep their normal look, so a click never fades the map. uirevision lets a host that
    updates the figure in place keep the user's zoom (Streamlit redraws the chart on a new spec, so there
    the view resets on each rerun). view fixes both axes to [-view, view] (a square plot that shrinks to fit
    rather than stretching one axis); None leaves Plotly's autorange. The legend (digits only; the
    overlays are for the page to explain) sits in a row above the plot, so the square plot gets the
    full width.
    """
    highlight = {"z": np.asarray(user, dtype=np.float64).ravel(), "label": "your drawing"} if user is not None else None
    fig = latent_scatter(z, labels, highlight=highlight, path=path, grid=grid, extent=extent,
                         render_mode=render_mode, marker_size=marker_size, title=title)
    scatter = go.Scattergl if render_mode == "webgl" else go.Scatter
    if path is not None and path_frame is not None:
        p = np.asarray(path, dtype=np.float64).reshape(-1, 2)
        if not 0 <= int(path_frame) < len(p):
            raise ValueError(f"path_frame {path_frame} outside 0..{len(p) - 1}")
        f = p[int(path_frame)]
        fig.add_trace(
            scatter(
                x=[f[0]], y=[f[1]], name="this frame", mode="markers", customdata=[-1],
                marker=dict(symbol="circle-open", size=24, color=ACCENT, line=dict(width=4)), hoverinfo="skip",
            )
        )
    if current is not None:
        c = np.asarray(current, dtype=np.float64).ravel()
        fig.add_trace(
            scatter(
                x=[c[0]], y=[c[1]], name="decoded here", mode="markers", customdata=[-1],
                marker=dict(symbol="x", size=20, color=ACCENT, line=dict(color="white", width=2)), hoverinfo="skip",
            )
        )
    for trace in fig.data:
        if trace.name in ("interpolation", "your drawing", "this frame", "decoded here"):
            trace.showlegend = False  # explained next to the map; keeps the legend to one row of digits
        opacity = trace.marker.opacity if trace.marker.opacity is not None else 1.0
        trace.selected = dict(marker=dict(opacity=opacity))
        trace.unselected = dict(marker=dict(opacity=opacity))
    fig.update_layout(
        uirevision="latent-map", height=height, margin=dict(t=95, r=20),
        title=dict(y=0.99, yref="container", yanchor="top"),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0, itemclick="toggle",
                    itemdoubleclick="toggleothers", title=dict(text="digit", side="left"),
                    entrywidthmode="pixels", entrywidth=0, itemwidth=30, font=dict(size=15)),
    )
    if view is not None:
        lim = [-float(view), float(view)]
        fig.update_xaxes(range=lim, constrain="domain", zeroline=False)
        fig.update_yaxes(range=lim, constrain="domain", zeroline=False)
    return fig


def png_data_uri(image: np.ndarray) -> str:
    """A 2-D gray or RGB image (float in [0, 1] or uint8) as a base64 PNG data URI."""
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def manifold_image_figure(
    canvas: np.ndarray,
    extent: float,
    *,
    tile: int = 28,
    scale: int = 2,
    title: str = "What the decoder draws across the latent space",
) -> go.Figure:
    """Light-weight twin of manifold_figure: the tiled canvas as one PNG layout image on z-unit axes.

    Same geometry (tile centres on the manifold_grid_z(n, extent) points, z2 up) but the figure carries
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
        source=png_data_uri(upscale(canvas, scale)), xref="x", yref="y", x=lo, y=hi, sizex=hi - lo, sizey=hi - lo,
        xanchor="left", yanchor="top", sizing="stretch", layer="below",
    )
    _style(fig, title, "z1", "z2", height=SQUARE_HEIGHT, legend_top=False)
    fig.update_xaxes(range=[lo, hi], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[lo, hi], constrain="domain", scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False)
    return fig

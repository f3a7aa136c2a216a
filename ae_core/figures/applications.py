"""Charts of the applications page: anomaly-score histograms, ROC curves, confusion matrix, per-class errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ae_core.figures.style import log_ticks, ACCENT, AE_COLOR, ANOMALY_COLORS, CHANCE_GREY, CM_COLORSCALE, INK, LINE_WIDTH, MUTED, NORMAL_COLOR, SQUARE_HEIGHT, USER_COLOR, apply_style, finite_or_none, rgba


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
    title: str = "Normal vs anomalies",
    subtitle: str = "reconstruction error of each image",
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

    fig = go.Figure(_density_steps(arrays, edges, log_x))
    y_max = max((float(np.max(t.y)) for t in fig.data), default=0.0)
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
    apply_style(fig, title, "reconstruction error (MSE)", "density per decade" if log_x else "density", subtitle=subtitle)
    fig.update_yaxes(range=[0.0, top * 1.12])
    if log_x:
        ticks = log_ticks(edges[0], edges[-1])
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return fig


def _density_steps(arrays: Mapping[str, np.ndarray], edges: np.ndarray, log_x: bool) -> list[go.Scatter]:
    """One filled step outline of density per non-empty group; the first group is the normal one."""
    xs = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
    traces = []
    for i, (name, vals) in enumerate(arrays.items()):
        if vals.size == 0:
            continue
        dens = histogram_density(vals, edges, log_x)
        color = NORMAL_COLOR if i == 0 else ANOMALY_COLORS[(i - 1) % len(ANOMALY_COLORS)]
        traces.append(go.Scatter(
            x=xs, y=np.concatenate([[0.0], np.repeat(dens, 2), [0.0]]), name=f"{name} (n={vals.size})", mode="lines",
            fill="tozeroy", opacity=0.6, line=dict(color=color, width=2), fillcolor=rgba(color, 0.45),
            hovertemplate="error %{x:.3g}<br>density %{y:.3g}"))
    return traces


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
            x=fpr, y=tpr, name="ROC", mode="lines", fill="tozeroy", fillcolor=rgba(AE_COLOR, 0.12),
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
    apply_style(fig, title or "ROC curve", "false positive rate", "true positive rate", height=500,
                subtitle=f"area under the curve (AUC) {auc:.3f}")
    fig.update_xaxes(range=[-0.01, 1.01], constrain="domain")
    fig.update_yaxes(range=[-0.01, 1.01], scaleanchor="x", scaleratio=1, constrain="domain")
    return fig


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
    apply_style(fig, title or f"Confusion matrix ({acc_text})", "predicted", "true", height=SQUARE_HEIGHT,
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
    value_label: str = "reconstruction MSE",
) -> go.Figure:
    """Reconstruction MSE (or `value_label`) per class; the predicted class (default: lowest error) is highlighted."""
    errors = np.asarray(errors, dtype=np.float64).ravel()
    names = _names(errors.size, class_names)
    pred = int(np.nanargmin(errors)) if predicted is None else int(predicted)
    colors = [ACCENT if i == pred else MUTED for i in range(errors.size)]
    fig = go.Figure(
        go.Bar(
            x=names, y=finite_or_none(errors), marker_color=colors, name=value_label,
            text=[f"{e:.3g}" for e in errors], textposition="outside", cliponaxis=False,
            hovertemplate=f"class %{{x}}<br>{value_label} %{{y:.4g}}<extra></extra>",
        )
    )
    apply_style(fig, title or f"Prediction: {names[pred]} (lowest reconstruction error)", "class",
           value_label, legend_top=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return fig

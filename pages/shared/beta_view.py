"""The Latent page's beta switch and its comparison strip: the beta-VAE series' reconstructions, loss terms, kNN."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from ae_core.analysis.elbo import image_terms
from ae_core.serving.runners import ServedModel
from pages.shared.resources import samples
from pages.shared.widgets import current_digit, image_row, presenter_mode

BETA_KEY = "latent-beta"  # the switch; its value is the beta of the model every view of the page shows
STAND_IN = 0  # the shipped test digit the strip rebuilds until the user has a digit of their own
LESSON = ("β weighs the KL term of the VAE's loss, reconstruction + β · KL. A larger β pulls every code "
          "towards N(0, I): a rounder, gap-free map that samples well, with blurrier digits. A smaller β lets "
          "the codes spread out, with gaps between the clusters; with only two numbers per digit the average "
          "reconstruction barely gains below β = 1 (the table): the code's size is the bottleneck.")


def beta_models(series: Mapping[float, ServedModel]) -> dict[str, ServedModel]:
    """The series by model name (what the live map opens up front)."""
    return {model.name: model for model in series.values()}


def beta_label(beta: float) -> str:
    """How a beta value is named on the page."""
    return f"β = {beta:g}"


def title_suffix(series: Mapping[float, ServedModel], name: str) -> str:
    """What a map's title adds for a model of the series (", β = 4"), so a screenshot says which; else ""."""
    return next((f", {beta_label(b)}" for b, m in series.items() if m.name == name), "")


def beta_switch(series: Mapping[float, ServedModel]) -> float:
    """The segmented control choosing whose code plane the page shows; returns the chosen beta."""
    betas = list(series)
    st.session_state.setdefault(BETA_KEY, 1.0 if 1.0 in betas else betas[0])
    beta = st.segmented_control("β, the weight of the KL term (the 2-d VAE the page shows)", betas, required=True,
                                format_func=beta_label, key=BETA_KEY)
    return float(beta)


def model_figures(model: ServedModel) -> dict[str, float | None]:
    """The sidecar's test-set figures of one beta model: reconstruction and KL terms (nats), kNN accuracy."""
    metrics = model.info.get("test_metrics") or {}
    return {key: (float(metrics[key]) if isinstance(metrics.get(key), (int, float)) else None)
            for key in ("reconstruction_nll", "kl", "knn5_accuracy")}


def _number(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def figures_table(series: Mapping[float, ServedModel], beta: float) -> str:
    """A markdown table of the series' test figures, the chosen beta's row in bold."""
    rows = ["| β | reconstruction | KL | 5-NN accuracy |", "| --- | ---: | ---: | ---: |"]
    for b, model in series.items():
        f = model_figures(model)
        cells = [f"{b:g}", _number(f["reconstruction_nll"], ".1f"), _number(f["kl"], ".2f"),
                 "-" if f["knn5_accuracy"] is None else f"{100 * f['knn5_accuracy']:.1f}%"]
        rows.append("| " + " | ".join(f"**{c}**" if b == beta else c for c in cells) + " |")
    return "\n".join(rows)


def beta_panel(series: Mapping[float, ServedModel], beta: float, digit: np.ndarray, what: str) -> None:
    """The switch's comparison: `digit` rebuilt under every beta with its two loss terms, and the test figures."""
    left, right = st.columns([3, 2], gap="medium")
    with left:
        items = [(digit, what, f"{what}, the digit the models below rebuild")]
        for b, model in series.items():
            rec, kl = image_terms(model, digit)
            image = model.decode(model.encode(digit))[0]
            head = f"<b>{beta_label(b)} · map</b>" if b == beta else beta_label(b)
            items.append((image, f"{head}<br>rec {rec:.1f}<br>KL {kl:.1f}",
                          f"{what} rebuilt by the VAE trained with {beta_label(b)}: reconstruction term "
                          f"{rec:.1f} nats, KL {kl:.1f} nats" + (", the model on the map" if b == beta else "")))
        image_row(items, 120 if presenter_mode() else 96)
        st.caption("rec: the reconstruction term −log p(x | z) of this digit in nats; KL: how far its code's "
                   "distribution sits from N(0, I), in nats. " + LESSON)
    with right:
        st.markdown(figures_table(series, beta))
        st.caption("Averages on the 10,000 MNIST test digits (nats). 5-NN accuracy: how often a test digit's 5 "
                   "nearest codes among 20,000 training digits have its own label, i.e. how cleanly the map "
                   "separates the classes; β reshapes the map more than it separates the classes.")


def beta_strip(series: Mapping[float, ServedModel], default: str) -> str:
    """The switch and its comparison in one bordered box; returns the chosen model's name (`default` without a series)."""
    if not series:
        return default
    with st.container(border=True, key="latent-beta-panel"):
        beta = beta_switch(series)
        digit = current_digit()
        if digit is None:
            beta_panel(series, beta, samples("mnist")[0][STAND_IN], f"test digit #{STAND_IN}")
        else:
            beta_panel(series, beta, digit, "your digit")
    return series[beta].name

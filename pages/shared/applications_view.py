"""Generic view pieces of the Applications page: percentages and a row of metrics."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st


class Metric(NamedTuple):
    """One st.metric: its label, the shown value and the hover help."""

    label: str
    value: str
    help: str | None = None


def percent(v: float | None) -> str:
    """A share as a percentage with one decimal, or "n/a" when it is unknown or not finite."""
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.1%}"


def metric_row(metrics: list[Metric]) -> None:
    """Metrics side by side, one column each."""
    for col, m in zip(st.columns(len(metrics)), metrics):
        col.metric(m.label, m.value, help=m.help)

"""The Denoise page's live view: noise controls, the noisy digit and both models' outputs, all in the browser.

The component (assets/web/js/live-denoise.js) corrupts the digit with assets/web/js/noise.js (the kinds of
ae_core.data.noise, the same distributions but not numpy's values) and runs the models on onnxruntime-web
while the amount slider moves; Python hears the settings only when they settle.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ae_core.data.noise import NOISE_KINDS, NOISE_LABELS
from ae_core.serving.browser import browser_manifest
from ae_core.serving.runners import ServedModel
from pages.shared.live_views import LIVE_CSS, BrowserRuntime, browser_runtime, component_script, mount_view

DENOISE_CSS = """
/* a row that wraps at the view's own width (a column beside the pad is narrower than the window says) */
.ae-controls { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: flex-end; margin-bottom: 0.9rem; }
.ae-controls > div:first-child { flex: 1.2 1 10rem; }
.ae-controls > .ae-amount { flex: 1.6 1 12rem; }
.ae-controls > button { flex: 0 0 auto; }
.ae-controls label { display: block; font-size: 0.875rem; margin-bottom: 0.3rem; }
.ae-controls select, .ae-controls button { font: inherit; padding: 0.35rem 0.6rem; border-radius: 0.5rem;
    border: 1px solid #d0d5dd; background: #fff; color: inherit; }
.ae-controls select { width: 100%; }
.ae-controls button { cursor: pointer; white-space: nowrap; }
.ae-controls button:hover, .ae-controls button:focus-visible { border-color: var(--st-primary-color, #1f77b4); }
.ae-controls input[type=range] { width: 100%; accent-color: var(--st-primary-color, #1f77b4); }
.ae-controls output { font-variant-numeric: tabular-nums; font-weight: 600; }
.ae-help { flex: 1 1 100%; font-size: 0.8rem; color: #4b5563; margin-top: -0.2rem; }
.ae-denoise[hidden] { display: none; }
"""
_live_denoise = st.components.v2.component("ae_lab.live_denoise", js=component_script("live-denoise.js"),
                                           css=LIVE_CSS + DENOISE_CSS)


@dataclass(frozen=True)
class NoiseSettings:
    """Noise type, amount (0..1) and seed, as the live view last reported them (or as given)."""

    kind: str
    amount: float
    seed: int


def _valid(value: object) -> NoiseSettings | None:
    """The settings a browser reported, or None if they are not well-formed."""
    if not isinstance(value, Mapping):
        return None
    kind, amount, seed = value.get("kind"), value.get("amount"), value.get("seed")
    if kind not in NOISE_KINDS or isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    if not math.isfinite(amount) or not 0.0 <= amount <= 1.0:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        return None
    return NoiseSettings(str(kind), round(float(amount), 2), int(seed))


def live_denoise(key: str, models: Mapping[str, ServedModel], digit: np.ndarray, source: str, kind: str,
                 amount: float, seed: int, px: int, *, labels: Mapping[str, str] | None = None,
                 help_text: Mapping[str, str] | None = None) -> tuple[NoiseSettings, BrowserRuntime]:
    """Mount the live view (shown only once the browser runtime works); returns (settings, runtime state).

    `labels` name the models as the page does (default: each model's own label).
    """
    served = browser_manifest(models)
    shown = [{"name": n, "label": (labels or {}).get(n, m.label)} for n, m in models.items() if n in served["models"]]
    state = browser_runtime()
    data = {"manifest": served, "models": shown, "px": int(px), "source": source,
            "digit": np.asarray(digit, dtype=np.float32).ravel().round(6).tolist(),
            "settings": {"kind": kind, "amount": round(float(amount), 2), "seed": int(seed)},
            "kinds": [{"value": k, "label": NOISE_LABELS[k], "help": (help_text or {}).get(k, "")} for k in NOISE_KINDS],
            "known": state.ok, "live": state.ok is True}
    result = mount_view(_live_denoise, key, data, default={"settings": None}, on_settings_change=lambda: None)
    reported = _valid(getattr(result, "settings", None)) if data["live"] else None
    return reported or NoiseSettings(kind, round(float(amount), 2), int(seed)), browser_runtime()

"""The latent page's browser views: the map that decodes under the mouse, and the interpolation scrubber.

Both are `st.components.v2` components running assets/web/js/live-latent.js and live-interpolate.js on the
in-browser runtime (see pages/shared/live_views.py); the page shows them only once the browser has said that
runtime works, and the server's Plotly map and frame slider otherwise.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import streamlit as st

from ae_core.figures.style import DIGIT_COLORS
from ae_core.serving.browser import browser_manifest
from ae_core.serving.runners import ServedModel
from pages.shared.live_views import LIVE_CSS, BrowserRuntime, browser_runtime, component_script, mount_view

LATENT_CSS = LIVE_CSS + """
.ae-latent-title { font-size: 1.05rem; font-weight: 600; margin: 0 0 0.35rem 0; }
.ae-legend { display: flex; flex-wrap: wrap; gap: 0.15rem 0.75rem; align-items: center; font-size: 0.9rem;
    margin-bottom: 0.4rem; }
.ae-legend-name { font-weight: 600; }
.ae-legend-item i { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 50%; margin-right: 0.25rem;
    opacity: 0.8; vertical-align: -0.05rem; }
.ae-latent-body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.ae-map { position: relative; max-width: 100%; }
.ae-map canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.ae-overlay { cursor: crosshair; touch-action: none; border-radius: 0.3rem; }
.ae-overlay:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.ae-decoded { margin: 0; max-width: 100%; }
.ae-hint { font-size: 0.85rem; color: #4b5563; margin: 0.4rem 0 0 0; }
.ae-scrub { display: flex; flex-direction: column; gap: 0.3rem; }
.ae-scrub input[type=range] { width: 100%; accent-color: #d62728; }
.ae-scrub label { font-size: 0.9rem; }
"""
_live_latent = st.components.v2.component("ae_lab.live_latent", js=component_script("live-latent.js"), css=LATENT_CSS)
_live_interpolate = st.components.v2.component("ae_lab.live_interpolate", js=component_script("live-interpolate.js"),
                                               css=LATENT_CSS)

MAP_TITLE = "Latent space{}: hover to decode, click to pin"  # {}: what the page adds, e.g. ", β = 4"


def _pair(value: object) -> np.ndarray | None:
    """A finite [z1, z2] from the browser, or None."""
    try:
        z = np.asarray(value, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return None
    return z if z.shape == (2,) and np.isfinite(z).all() else None


def _point(z: Sequence[float] | np.ndarray | None) -> list[float] | None:
    return None if z is None else [round(float(v), 3) for v in np.asarray(z, dtype=np.float64).ravel()[:2]]


def pinned_code(key: str) -> np.ndarray | None:
    """The code the live map `key` last pinned, or None."""
    return _pair((st.session_state.get(key) or {}).get("pinned"))


def live_latent_map(key: str, model: ServedModel, codes: np.ndarray, labels: np.ndarray, lim: float, *,
                    others: Mapping[str, ServedModel] | None = None, pad: str | None = None,
                    pinned: Sequence[float] | np.ndarray | None = None,
                    star: Sequence[float] | np.ndarray | None = None, path: np.ndarray | None = None,
                    frame: int | None = None, on_pin: Callable[[np.ndarray], None] | None = None,
                    px: int = 560, decoded_px: int = 168, dot_radius: float = 2.2,
                    step: float = 0.1, class_names: Sequence[str] | None = None,
                    item: str | None = None, title_suffix: str = "") -> tuple[np.ndarray | None, BrowserRuntime]:
    """The map drawn and decoded in the browser; returns (the last pinned code or None, the browser's runtime).

    Until the browser has reported its runtime the component only asks it (and draws nothing), so the page keeps
    the server's map meanwhile; `on_pin(z)` runs in the pin's callback, before the rerun draws the sliders.
    `others` are models the page may switch the map to: the browser opens them up front, so a switch is instant.
    """
    known = browser_runtime().ok
    data: dict = {"manifest": browser_manifest({**(others or {}), model.name: model}), "model": model.name,
                  "known": known, "probe": known is not True}
    if known is True:
        codes = np.asarray(codes, dtype=np.float64).round(3)
        data.update({
            "codes": {"x": codes[:, 0].tolist(), "y": codes[:, 1].tolist(),
                      "labels": np.asarray(labels).astype(int).ravel().tolist()},
            "lim": float(lim), "colors": list(DIGIT_COLORS), "pinned": _point(pinned), "star": _point(star),
            "path": None if path is None else np.asarray(path, dtype=np.float64).round(3).tolist(),
            "frame_z": None if path is None or frame is None else _point(np.asarray(path)[int(frame)]),
            "pad": pad, "px": int(px), "decoded_px": int(decoded_px), "dot_radius": float(dot_radius),
            "step": float(step), "title": MAP_TITLE.format(title_suffix),
        })
        if class_names is not None:  # named classes (clothing): the legend and the map's text use the names
            data.update({"class_names": list(class_names), "legend_title": "class", "item": item})

    def pinned_now() -> None:
        z = pinned_code(key)
        if z is not None and on_pin is not None:
            on_pin(z)

    mount_view(_live_latent, key, data, default={"pinned": None}, on_pinned_change=pinned_now)
    return pinned_code(key), browser_runtime()


def live_interpolation(key: str, model: ServedModel, start: Sequence[float] | np.ndarray,
                       end: Sequence[float] | np.ndarray, steps: int, *, px: int = 196) -> None:
    """A slider that scrubs the straight path from `start` to `end`, decoding each position in the browser."""
    data = {"manifest": browser_manifest({model.name: model}), "model": model.name, "known": browser_runtime().ok,
            "start": _point(start), "end": _point(end), "steps": int(steps), "px": int(px)}
    mount_view(_live_interpolate, key, data)

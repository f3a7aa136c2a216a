"""Views that answer in the browser: onnxruntime-web runs the shipped models there, at frame rate.

Each view is an `st.components.v2` component whose script imports the app's browser modules
(assets/web/js, served at /app/static/web/js). It reports once whether the in-browser runtime works; where it
does not (no WebAssembly or SIMD, or the runtime fails to load), the page shows the server's answers instead.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from ae_core.serving.browser import browser_manifest
from ae_core.serving.runners import ServedModel
from pages.shared.widgets import FIGURE_CSS

RUNTIME_STATE = "browser-runtime"  # session key: {"ok": bool, "reason": str} as the browser last reported it
_FALLBACK_RERUN = "browser-runtime-failed"  # session key: set when a view first reports that the runtime fails


def component_script(module: str) -> str:
    """A component script that runs the default export of one of the app's browser modules on `view_data`'s data."""
    return ("export default async function (component) {\n"
            f"  const m = await import(window.location.origin + '/app/static/web/js/{module}');\n"
            "  return m.default({ ...component, data: JSON.parse(component.data.json) });\n}\n")


def view_data(data: Mapping[str, Any]) -> dict[str, str]:
    """A live view's data as one JSON string, as `component_script` reads it.

    Streamlit checks each nested value of a component's data for a dataframe, and that check imports pandas
    (about half a second on a cold server's first page); a string is passed as it is.
    """
    return {"json": json.dumps(data)}


LIVE_CSS = FIGURE_CSS + """
.ae-live { font-family: var(--st-font, sans-serif); color: var(--st-text-color, #111827); }
.ae-input { max-width: var(--ae-px); }
.ae-status:empty, .ae-code:empty { display: none; }
.ae-status { font-size: 0.95rem; padding: 0.75rem 1rem; border-radius: 0.5rem; background: #e8f1fb; margin-bottom: 0.6rem; }
.ae-empty .ae-row, .ae-empty .ae-input { visibility: hidden; }
.ae-code { font-size: 0.9rem; color: #374151; }
.ae-pipeline { display: grid; grid-template-columns: minmax(0, var(--ae-px)) minmax(5rem, 0.62fr) minmax(0, var(--ae-px));
    gap: 1rem; align-items: center; }
.ae-middle { text-align: center; line-height: 1.5; }
.ae-middle b { font-size: 1.8em; }
"""
_live_results = st.components.v2.component("ae_lab.live_results", js=component_script("live-results.js"), css=LIVE_CSS)


@dataclass(frozen=True)
class BrowserRuntime:
    """What the browser said about its runtime: None while it has not said yet."""

    ok: bool | None
    reason: str = ""


def browser_runtime() -> BrowserRuntime:
    """The in-browser runtime's state in this session, as last reported by a live view."""
    state = st.session_state.get(RUNTIME_STATE) or {}
    return BrowserRuntime(state.get("ok"), state.get("reason", ""))


def remember_runtime(key: str) -> None:
    """Keep what a live view's component (state key `key`) reported about the browser runtime."""
    value = (st.session_state.get(key) or {}).get("runtime")
    if isinstance(value, dict) and "ok" in value:
        if not value["ok"] and (st.session_state.get(RUNTIME_STATE) or {}).get("ok") is not False:
            st.session_state[_FALLBACK_RERUN] = True
        st.session_state[RUNTIME_STATE] = {"ok": bool(value["ok"]), "reason": str(value.get("reason", ""))[:200]}


def mount_view(component: Any, key: str, data: Mapping[str, Any], *, default: Mapping[str, Any] | None = None,
               **callbacks: Any) -> Any:
    """Mount a live view's component with `data`, keeping its runtime report; returns the component's result.

    When a view first reports that the runtime fails, the whole page reruns: every view on it (each in a
    fragment of its own) then falls back to the server, not only the one whose report arrived first.
    """
    result = component(key=key, data=view_data(data), default={"runtime": None, **(default or {})},
                       on_runtime_change=lambda: remember_runtime(key), width="stretch", **callbacks)
    if st.session_state.pop(_FALLBACK_RERUN, False):
        st.rerun(scope="app")
    return result


def live_reconstructions(key: str, models: Mapping[str, ServedModel], *, px: int, pad: str | None = None,
                         digit: np.ndarray | None = None, source: str = "your drawing",
                         empty: str = "The reconstructions appear here as soon as there is a digit.",
                         layout: str = "grid", example: tuple[np.ndarray, str] | None = None) -> BrowserRuntime:
    """Every model's reconstruction of the pad's drawing (live while drawing) or of `digit`, computed in the browser.

    layout "grid": each model's copy and error map side by side (Draw); "pipeline": one model's input, code and
    copy (Home), showing `example` (digit, caption) while the pad is blank.
    """
    manifest = browser_manifest(models)
    shown = [{"name": n, "label": m.label, "is_vae": m.is_vae} for n, m in models.items() if n in manifest["models"]]
    data = {"manifest": manifest, "models": shown, "px": int(px), "pad": pad, "source": source, "empty": empty,
            "digit": None if digit is None else np.asarray(digit, dtype=np.float32).ravel().round(6).tolist(),
            "code_model": "vae2", "known": browser_runtime().ok, "layout": layout,
            "example": None if example is None else {"digit": np.asarray(example[0], dtype=np.float32).ravel().round(6).tolist(),
                                                     "caption": example[1]}}
    mount_view(_live_results, key, data)
    return browser_runtime()


_INSIDE_CSS = LIVE_CSS + """
.ae-inside { font-family: var(--st-font, sans-serif); color: var(--st-text-color, #111827); }
.ae-layer { margin: 0 0 0.9rem 0; }
.ae-layer h4 { margin: 0 0 0.15rem 0; font-size: 1rem; }
.ae-layer h4 span { font-weight: 400; color: #374151; margin-left: 0.4rem; }
.ae-layer h4 em { font-style: normal; background: #fde68a; border-radius: 0.3rem; padding: 0 0.35rem; margin-left: 0.3rem; }
.ae-layer p { margin: 0 0 0.3rem 0; font-size: 0.85rem; color: #374151; }
.ae-sheet { display: block; height: auto; image-rendering: pixelated; background: #fff; }
.ae-map { width: 44px; height: 44px; image-rendering: pixelated; border-radius: 2px; background: #000; }
.ae-code-layer .ae-sheet { outline: 2px solid #f59e0b; outline-offset: 2px; }
.ae-empty .ae-layer { display: none; }
"""
_look_inside = st.components.v2.component("ae_lab.look_inside", js=component_script("live-inside.js"), css=_INSIDE_CSS)


def look_inside(key: str, model: ServedModel, *, pad: str | None = None, digit: np.ndarray | None = None,
                code_layer: str = "enc_pool_2") -> BrowserRuntime:
    """A conv AE's activations layer by layer for the pad's drawing (live) or `digit`, computed in the browser."""
    manifest = browser_manifest({model.name: model})
    layers = (manifest["models"].get(model.name, {}).get("files", {}).get("activations") or {}).get("layers", [])
    data = {"manifest": manifest, "model": model.name, "layers": layers, "pad": pad, "code_layer": code_layer,
            "digit": None if digit is None else np.asarray(digit, dtype=np.float32).ravel().round(6).tolist(),
            "empty": "Draw a digit to see what each layer of the conv AE makes of it.", "known": browser_runtime().ok}
    mount_view(_look_inside, key, data)
    return browser_runtime()

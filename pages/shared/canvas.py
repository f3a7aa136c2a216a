"""The drawing pad: a small Streamlit component that sends each stroke the moment the pen lifts."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st

from ae_core.data.image_files import ImageInputError, read_data_url
from ae_core.data.preprocess import to_mnist

_JS = (Path(__file__).with_name("canvas.js")).read_text(encoding="utf-8")
_CSS = """
.ae-pad { display: flex; flex-direction: column; gap: 0.5rem; max-width: 100%; }
.ae-canvas { display: block; width: 100%; height: auto; aspect-ratio: 1 / 1; background: #000; border-radius: 0.5rem; cursor: crosshair; touch-action: none;
             box-shadow: 0 0 0 1px var(--st-border-color, #d0d3da); }
.ae-tools { display: flex; gap: 0.5rem; }
.ae-tools button { font: inherit; font-family: var(--st-font, sans-serif); font-size: 1rem;
    color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
    border: 1px solid var(--st-border-color, #d0d3da); border-radius: var(--st-button-radius, 0.5rem);
    padding: 0.25rem 0.9rem; min-height: 2.5rem; cursor: pointer; }
.ae-tools button:hover:not(:disabled) { border-color: var(--st-primary-color, #ff4b4b);
    color: var(--st-primary-color, #ff4b4b); }
.ae-tools button:disabled { opacity: 0.45; cursor: default; }
"""
_pad = st.components.v2.component("ae_lab.drawing_pad", js=_JS, css=_CSS)


def drawing_pad(key: str, size: int, label: str = "Drawing pad",
                on_clear: Callable[[], object] | None = None) -> np.ndarray | None:
    """Show the pad; return the MNIST-style 28x28 digit drawn on it, or None while it is blank.

    `on_clear` is called (before the rerun) when the user empties a pad that had a drawing.
    """
    def changed() -> None:
        value = st.session_state.get(key)
        if on_clear is not None and not (value or {}).get("image"):
            on_clear()

    result = _pad(key=key, data={"size": int(size), "label": label, "key": key}, default={"image": None},
                  on_image_change=changed, width="content")
    url = result.get("image") if result is not None else None
    if not url:
        return None
    try:
        return to_mnist(read_data_url(url))
    except ImageInputError:
        st.warning("The drawing could not be read; please draw it again.")
        return None

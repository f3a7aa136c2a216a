"""Pick a digit without touching the user's "current digit": a test digit by class, or a private canvas."""
from __future__ import annotations

import numpy as np
import streamlit as st

from pages.shared.resources import samples
from pages.shared.widgets import drawing_canvas, show_image


def pick_test_digit(key: str, default_class: int = 0) -> tuple[np.ndarray, str]:
    """A shipped test digit of a chosen class; "Another" steps through that class's examples."""
    x, y = samples("mnist")
    n_key = f"{key}-n"
    st.session_state.setdefault(n_key, 0)
    pick, nxt = st.columns([1, 1], vertical_alignment="bottom")
    with pick:
        digit_class = st.selectbox("Digit", list(range(10)), index=default_class, key=f"{key}-class")
    with nxt:
        if st.button("Another", key=f"{key}-next", width="stretch", help="Another test digit of this class"):
            st.session_state[n_key] += 1
    rows = np.flatnonzero(y == digit_class)
    row = int(rows[st.session_state[n_key] % len(rows)])
    return x[row], f"test digit #{row} (a {digit_class})"


def endpoint_picker(key: str, label: str, default_class: int = 0) -> tuple[np.ndarray | None, str]:
    """A labelled "Test digit / Draw" chooser for one end of an interpolation; returns (digit or None, caption)."""
    st.markdown(f"**{label}**")
    source = st.radio(label, ["Test digit", "Draw"], horizontal=True, key=f"{key}-source",
                      label_visibility="collapsed")
    if source == "Draw":
        digit = drawing_canvas(f"{key}-canvas", remember=False)
        if digit is None:
            st.caption("Draw a digit on the black square.")
        return digit, "your drawing"
    digit, caption = pick_test_digit(key, default_class)
    show_image(digit, caption)
    return digit, caption

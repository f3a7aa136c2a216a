"""Pick a digit without touching the user's "current digit": a test digit by class, or a private canvas."""
from __future__ import annotations

import numpy as np
import streamlit as st

from pages.shared.resources import dataset_info, samples
from pages.shared.widgets import drawing_canvas, show_image


def test_digit_row(key: str, default_class: int | None = None, *, random: bool = False) -> int:
    """Choose a shipped test digit from the keyboard: a class (0-9) and "Another" to step through its examples,
    optionally "Random"; returns its row. Without a default class, the first test digit's class (row 0 first)."""
    x, y = samples()
    spec = dataset_info()
    n_key, class_key = f"{key}-n", f"{key}-class"
    st.session_state.setdefault(n_key, 0)
    if default_class is None:
        default_class = int(y[0])

    def random_digit() -> None:
        row = int(np.random.default_rng().integers(len(x)))
        rows = np.flatnonzero(y == y[row])
        st.session_state[class_key] = int(y[row])
        st.session_state[n_key] = int(np.flatnonzero(rows == row)[0])

    cols = st.columns([1, 1, 1] if random else [1, 1], vertical_alignment="bottom")
    with cols[0]:
        digit_class = st.selectbox("Digit" if spec.key == "mnist" else "Class", list(range(10)), index=default_class,
                                   key=class_key, format_func=spec.class_name,
                                   help=f"Which class to take from the {spec.short} test set",
                                   on_change=lambda: st.session_state.__setitem__(n_key, 0))
    with cols[1]:
        if st.button("Another", key=f"{key}-next", width="stretch", help=f"Another test {spec.item} of this class"):
            st.session_state[n_key] += 1
    if random:
        with cols[2]:
            st.button("Random", key=f"{key}-random", width="stretch", on_click=random_digit,
                      help=f"A random test {spec.item} of any class")
    rows = np.flatnonzero(y == digit_class)
    return int(rows[st.session_state[n_key] % len(rows)])


def pick_test_digit(key: str, default_class: int = 0) -> tuple[np.ndarray, str]:
    """A shipped test digit of a chosen class; "Another" steps through that class's examples."""
    x, y = samples()
    row = test_digit_row(key, default_class)
    spec = dataset_info()
    return x[row], f"test {spec.item} #{row} ({spec.label_phrase(y[row])})"


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

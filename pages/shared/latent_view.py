"""The latent-space page's decoder position: shared by the map clicks, the z sliders and "Decode at the star"."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae_core.analysis.latent import clicked_code, clip_code

MAP_GEN = "latent-map-gen"  # the map's key is latent-map-<gen>; a new gen after each click gives a fresh chart
Z_KEYS = ("latent-z1", "latent-z2")  # the decoder sliders
ROW_KEY = "latent-row"  # row of the clicked test digit (None: the sliders or a point on the plane)
SHOWN_KEY = "latent-shown-model"  # the model whose plane the sliders were last set on
GRID_STEP = 0.16  # spacing of the clickable plane's faint points
MAX_GRID = 61  # points per side of the clickable plane, at most (keeps the chart light)


def plane_limits(codes: np.ndarray, extent: float) -> tuple[float, int]:
    """(half-width of the sliders, map and click plane; points per side of the clickable plane).

    The half-width covers every code, rounded up to 0.5, between the manifold's extent and twice that.
    """
    z_lim = float(min(2 * extent, max(extent, np.ceil(np.abs(codes).max() * 2) / 2)))
    return z_lim, int(min(MAX_GRID, round(2 * z_lim / GRID_STEP) + 1))


def map_key() -> str:
    """The widget key of this run's map."""
    return f"latent-map-{st.session_state[MAP_GEN]}"


def current_z() -> np.ndarray:
    """The code the decoder draws: the z sliders' values."""
    return np.array([st.session_state[Z_KEYS[0]], st.session_state[Z_KEYS[1]]], dtype="float32")


def set_z(z: np.ndarray, row: int | None, z_lim: float) -> None:
    """Move the sliders to a code (clipped to the plane); `row` names the test digit it belongs to, if any."""
    z = clip_code(z, z_lim)
    st.session_state[Z_KEYS[0]], st.session_state[Z_KEYS[1]] = round(float(z[0]), 3), round(float(z[1]), 3)
    st.session_state[ROW_KEY] = row


def slider_moved() -> None:
    """A slider moved by hand: the code no longer belongs to a test digit."""
    st.session_state[ROW_KEY] = None


def _selection_points(key: str) -> list:
    try:
        state = st.session_state.get(key)
        return list(state["selection"]["points"]) if state else []
    except (KeyError, TypeError, AttributeError):
        return []


def apply_map_click(codes: np.ndarray, z_lim: float) -> None:
    """Move the sliders to the map's last click, if any; call before the sliders are drawn.

    Each click is used once: the map then gets a new key, so it comes back with no selection and the same
    spot can be clicked again later (Plotly would otherwise read a second click on it as "deselect").
    """
    for key in Z_KEYS:
        st.session_state.setdefault(key, 0.0)
    st.session_state.setdefault(MAP_GEN, 0)
    points = _selection_points(map_key())
    if not points:
        return
    hit = clicked_code(points, codes)
    if hit is not None:
        set_z(*hit, z_lim)
    st.session_state[MAP_GEN] += 1


def apply_pin(z: np.ndarray, codes: np.ndarray, z_lim: float) -> None:
    """Move the sliders to a point pinned on the live map; a test digit's code (as the map got it) names its row.

    The live map receives the codes rounded to 3 decimals and pins a dot's code exactly, so a match is a click
    on that dot, as with the server map's customdata.
    """
    z = np.asarray(z, dtype=np.float64).ravel()[:2]
    hits = np.flatnonzero(np.all(np.abs(np.asarray(codes, dtype=np.float64).round(3) - z) < 5e-4, axis=1))
    if len(hits):
        set_z(np.asarray(codes[hits[0]], dtype=np.float64), int(hits[0]), z_lim)
    else:
        set_z(z, None, z_lim)


def follow_model(name: str, codes: np.ndarray, z_lim: float) -> None:
    """After a switch to another model: a clicked test digit's code moves to its code there; the sliders stay inside.

    Call after `apply_map_click` and before the sliders are drawn (a slider's value must lie in its range).
    """
    before = st.session_state.get(SHOWN_KEY)
    st.session_state[SHOWN_KEY] = name
    if before is None or before == name:
        return
    row = st.session_state.get(ROW_KEY)
    if row is not None and 0 <= row < len(codes):
        set_z(np.asarray(codes[row], dtype=np.float64), row, z_lim)
    else:
        set_z(current_z(), None, z_lim)

"""The app server's garbage-collector policy: many sessions' reruns without long full-collection pauses."""
from __future__ import annotations

import gc
import os
import threading

import streamlit as st

from ae_core.serving.registry import ModelRegistry

#: Young-generation thresholds: a rerun's short-lived reference cycles die in generation 0 or 1 instead of
#: being promoted, so the whole-heap (generation 2) collections that stop every session's rerun come rarely.
THRESHOLDS = (5000, 20, 10)
DEFAULTS_ENV = "AE_LAB_GC_DEFAULTS"  # "1": keep Python's own thresholds and freeze nothing (the benchmark's baseline)


def _freeze_when_open(reg: ModelRegistry) -> None:
    reg.wait_extras(timeout=None)
    gc.collect()
    gc.freeze()  # modules, Streamlit and the opened models: never scanned again by later collections


@st.cache_resource(show_spinner=False)
def heap_policy(_reg: ModelRegistry) -> bool:
    """Set the collector's thresholds and freeze the heap once `_reg` has every model open (once per process)."""
    if os.environ.get(DEFAULTS_ENV) == "1":
        return False
    gc.set_threshold(*THRESHOLDS)
    threading.Thread(target=_freeze_when_open, args=(_reg,), name="heap-freeze", daemon=True).start()
    return True

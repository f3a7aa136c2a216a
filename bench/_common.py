"""Helpers shared by the benchmarks: timing and the models to time."""
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def median_ms(fn: Callable[[], object], n: int = 200, warmup: int = 5) -> tuple[float, float]:
    """(median, p95) wall time of fn() in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def shipped_or_untrained():
    """The five core models: shipped where present, else untrained stand-ins of the same design."""
    from ae_core.inference import SHIPPED_MODELS, LoadedModel, load_models
    from ae_core.models import build_model
    loaded, errors = load_models()
    for name in SHIPPED_MODELS:
        if name not in loaded:
            kind = "vae" if name.startswith("vae") else name
            model = build_model(kind, latent_dim=int(name[3:]) if kind == "vae" else 2)
            loaded[name] = LoadedModel(name, model)
            print(f"  note: {name} not shipped yet; timing an untrained model of the same design")
    return {n: loaded[n] for n in SHIPPED_MODELS}

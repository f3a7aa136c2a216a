"""Process-wide store of loaded models: shipped ones load in a background thread, user ones on demand.

Even TensorFlow is imported by that thread (it takes seconds), so a page that needs no model yet renders
at once.
"""
from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.paths import SHIPPED_MODELS_DIR

if TYPE_CHECKING:
    from ae_core.serving.runners import LoadedModel, ModelRunner, PerClassClassifier, Reconstructor


def freeze_loaded_objects() -> None:
    """Exempt everything loaded so far (TensorFlow, Keras, the models' graphs) from Python's garbage collector.

    Those are millions of objects that live as long as the process; every full collection walked them all,
    which in the server took 350-480 ms, twice after each rerun of the Draw page, stalling whatever thread
    ran then (measured with gc.callbacks). Frozen, they are never scanned again.
    """
    gc.collect()
    gc.freeze()


#: GIL switch interval while loading (Python's default is 0.005 s).
LOADING_SWITCH_INTERVAL_S = 0.0005


class ModelRegistry:
    """Loads every shipped model once, warms the compiled paths, and hands them out thread-safely."""

    def __init__(self, folder: Path | None = None, *, before_loading: Callable[[], object] | None = None):
        self.before_loading = before_loading  # runs first in the loader thread (e.g. TensorFlow settings)
        self.folder = Path(folder or os.environ.get("AE_LAB_MODELS_DIR") or SHIPPED_MODELS_DIR)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._extras_ready = threading.Event()
        self._go = threading.Event()  # set: load now, whatever head start start() was given
        self.models: dict[str, LoadedModel] = {}
        self.errors: dict[str, str] = {}
        self.reconstructor: Reconstructor | None = None
        self.runners: dict[str, ModelRunner] = {}
        self.perclass: PerClassClassifier | None = None
        self.compression: dict[int, LoadedModel] = {}
        self.timings: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self._t0 = self._stage_t = time.perf_counter()

    def start(self, after_s: float = 0.0) -> ModelRegistry:
        """Begin loading in a daemon thread (idempotent), `after_s` seconds from now unless a page waits sooner."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load_all, args=(after_s,), name="model-loader",
                                                daemon=True)
                self._thread.start()
        return self

    def _load_all(self, after_s: float) -> None:
        self._go.wait(after_s)  # a head start for the browser's first requests; wait() cuts it short
        # Importing TensorFlow and building models is CPU-bound Python that holds the GIL; a short switch
        # interval lets the web server's thread in between (a convoy of 5 ms waits otherwise turns each file
        # it serves into a second or more while the models load).
        switch = sys.getswitchinterval()
        sys.setswitchinterval(LOADING_SWITCH_INTERVAL_S)
        try:
            self._load_models()
        finally:
            sys.setswitchinterval(switch)

    def _load_models(self) -> None:
        try:
            self._stage("start_s")
            if self.before_loading is not None:
                self.before_loading()
            from ae_core.serving.runners import ModelRunner, Reconstructor, load_models
            self._stage("import_s")
            models, errors = load_models(self.folder, tuple(SHIPPED_MODELS))
            self.models, self.errors = models, errors
            self._stage("core_read_s")
            self.reconstructor = Reconstructor(models) if models else None
            self.runners = {name: ModelRunner(lm.model) for name, lm in models.items()}
            freeze_loaded_objects()
            self._stage("core_warm_s")
            self.timings["core_models_s"] = time.perf_counter() - self._t0
            print(f"ae_core: core models loaded in {self.timings['core_models_s']:.2f} s ({self._stages()})",
                  file=sys.stderr, flush=True)
        except Exception as e:  # never let the loader thread die silently
            self.errors["*"] = f"{type(e).__name__}: {e}"
        finally:
            self._ready.set()
        try:
            from ae_core.serving.runners import PerClassClassifier, load_compression_models
            try:
                self.perclass = PerClassClassifier.load(self.folder / "perclass")
            except Exception as e:
                self.errors["perclass"] = str(e)
            self._stage("perclass_s")
            self.compression = load_compression_models(self.folder / "compression")
            freeze_loaded_objects()
            self._stage("compression_s")
            self.timings["all_models_s"] = time.perf_counter() - self._t0
            print(f"ae_core: all models loaded in {self.timings['all_models_s']:.2f} s ({self._stages()})",
                  file=sys.stderr, flush=True)
        finally:
            self._extras_ready.set()

    def _stage(self, name: str) -> None:
        """Record how long the loading stage that just ended took (start_s: from creation to loading)."""
        now = time.perf_counter()
        self.timings[name] = now - self._stage_t
        self._stage_t = now

    def _stages(self) -> str:
        """The recorded stage durations, for the log."""
        return ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in self.timings.items() if not k.endswith("models_s"))

    def wait(self, timeout: float | None = 60) -> bool:
        """Block until the five core models are ready; True if they are."""
        self._go.set()
        self.start()
        return self._ready.wait(timeout)

    def wait_extras(self, timeout: float | None = 120) -> bool:
        """Block until the per-class and compression models are loaded too."""
        self._go.set()
        self.start()
        return self._extras_ready.wait(timeout)

    @property
    def ready(self) -> bool:
        """Whether the core models are loaded."""
        return self._ready.is_set()

    def runner(self, name: str) -> ModelRunner:
        """Compiled encode/decode/reconstruct for one shipped model."""
        self.wait()
        if name not in self.runners:
            raise KeyError(self.errors.get(name, f"model {name!r} is not available"))
        return self.runners[name]

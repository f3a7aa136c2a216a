"""Process-wide store of the shipped models on ONNX Runtime, opened in a background thread at start-up."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from ae_core.data.catalog import dataset_spec
from ae_core.models.catalog import BETA_SERIES, SHIPPED_MODELS
from ae_core.models.errors import ModelFileError
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.classifier import PerClassClassifier
from ae_core.serving.runners import ServedModel, open_model, open_models


def models_folder(dataset: str = "mnist") -> Path:
    """Where a dataset's shipped models are: $AE_LAB_MODELS_DIR (MNIST's; Fashion's in its fashion/) or assets/models."""
    spec = dataset_spec(dataset)
    override = os.environ.get("AE_LAB_MODELS_DIR")
    if not override:
        return spec.models_dir
    return Path(override) / spec.models_dir.relative_to(SHIPPED_MODELS_DIR)


class ModelRegistry:
    """Opens every shipped model of one dataset once (the five core ones first) and hands them out to every session."""

    def __init__(self, folder: Path | None = None, dataset: str = "mnist"):
        self.dataset = dataset_spec(dataset).key
        self.folder = Path(folder) if folder else models_folder(self.dataset)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._extras_ready = threading.Event()
        self.models: dict[str, ServedModel] = {}
        self.errors: dict[str, str] = {}
        self.perclass: PerClassClassifier | None = None
        self.compression: dict[int, ServedModel] = {}
        self.unshipped: list[str] = []  # core models this dataset does not ship (yet): no file, not an error
        self.beta_series: dict[float, ServedModel] = {}
        self.timings: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self._t0 = time.perf_counter()

    def start(self) -> ModelRegistry:
        """Begin opening the models in a daemon thread (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load_all, name="model-loader", daemon=True)
                self._thread.start()
        return self

    def _load_all(self) -> None:
        try:
            self.models, self.errors = open_models(self.folder, tuple(SHIPPED_MODELS))
            for name in self.errors:
                if not (self.folder / f"{name}.keras").exists():
                    self.unshipped.append(name)
                    self.errors[name] = f"not shipped for {dataset_spec(self.dataset).short} yet"
            if self.dataset == "mnist":  # with the core models: the Latent page switches instantly from its first run
                self.beta_series = open_beta_series(self.folder, self.models, self.errors)
        except Exception as e:  # noqa: BLE001 - never let the loader thread die silently
            self.errors["*"] = f"{type(e).__name__}: {e}"
        finally:
            self.timings["core_models_s"] = time.perf_counter() - self._t0
            self._ready.set()
        try:
            try:
                self.perclass = PerClassClassifier.load(self.folder / "perclass")
            except ModelFileError as e:
                self.errors["perclass"] = (str(e) if (self.folder / "perclass").is_dir()
                                           else self.not_shipped("The ten per-class autoencoders"))
            self.compression = open_compression_series(self.folder / "compression")
            if not self.compression and not (self.folder / "compression").is_dir():
                self.errors["compression"] = self.not_shipped("The compression series")
        finally:
            self.timings["all_models_s"] = time.perf_counter() - self._t0
            self._extras_ready.set()
            print(f"ae_core: models opened in {self.timings['core_models_s']:.2f} s (core), "
                  f"{self.timings['all_models_s']:.2f} s (all)", file=sys.stderr, flush=True)

    def wait(self, timeout: float | None = 60) -> bool:
        """Block until the five core models are ready; True if they are."""
        self.start()
        return self._ready.wait(timeout)

    def wait_extras(self, timeout: float | None = 60) -> bool:
        """Block until the per-class and compression models are open too."""
        self.start()
        return self._extras_ready.wait(timeout)

    def not_shipped(self, what: str) -> str:
        """Plain words for a model this dataset does not ship (yet)."""
        return f"{what}: not shipped for {dataset_spec(self.dataset).short} yet"

    @property
    def ready(self) -> bool:
        """Whether the core models are open."""
        return self._ready.is_set()

    def runner(self, name: str) -> ServedModel:
        """One shipped model, once the core models are ready; KeyError saying why if it is unavailable."""
        self.wait()
        if name in self.models:
            return self.models[name]
        for model in self.beta_series.values():
            if model.name == name:
                return model
        raise KeyError(self.errors.get(name, f"model {name!r} is not available"))


def open_beta_series(folder: Path, opened: dict[str, ServedModel], errors: dict[str, str]) -> dict[float, ServedModel]:
    """{beta: model} of the beta-VAE series, reusing models already `opened`; a missing one goes to `errors`.

    Only a complete series is returned: a switch with a value missing would not show the trade-off.
    """
    out = {}
    for beta, name in BETA_SERIES.items():
        if name in opened:
            out[beta] = opened[name]
            continue
        try:
            out[beta] = open_model(folder / f"{name}.keras", roles=("encoder", "decoder"))
        except ModelFileError as e:
            errors[Path(name).name] = str(e)
    return out if len(out) == len(BETA_SERIES) else {}


def open_compression_series(folder: Path) -> dict[int, ServedModel]:
    """{code size: model} for the compression series (missing or unusable files are skipped)."""
    out = {}
    for path in sorted(folder.glob("code_*.keras")):
        try:
            out[int(path.stem.split("_")[1])] = open_model(path, roles=("model",))
        except (ValueError, ModelFileError):
            continue
    return dict(sorted(out.items()))

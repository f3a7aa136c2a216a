"""Classify a digit by which of ten per-class autoencoders rebuilds it best (ONNX Runtime)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ae_core.analysis.classification import error_scales, relative_errors
from ae_core.analysis.metrics import per_image_mse
from ae_core.models.sidecars import read_sidecar
from ae_core.serving.runners import ServedModel, open_model
from ae_core.shapes import as_batch

N_CLASSES = 10


class PerClassClassifier:
    """Ten autoencoders, one per class; the class whose model rebuilds a digit best (errors scaled per class) wins."""

    def __init__(self, models: list[ServedModel], info: dict | None = None):
        self.models = models
        self.info = info or {}
        self.scales = error_scales(self.info, len(models))

    @property
    def relative(self) -> bool:
        """Whether errors are scaled per class (summary.json has the scales)."""
        return self.scales is not None

    @property
    def error_label(self) -> str:
        """What `errors` measures, for a chart axis or a table header."""
        return "scaled reconstruction MSE" if self.relative else "reconstruction MSE"

    def raw_errors(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) reconstruction MSE of each image under each class's autoencoder."""
        x = as_batch(images)
        return np.stack([per_image_mse(m.reconstruct(x), x) for m in self.models], axis=1)

    def errors(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) errors the prediction compares: MSE over each class's error scale where known."""
        return relative_errors(self.raw_errors(images), self.scales)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Predicted class of each image (argmin of the errors)."""
        return self.errors(images).argmin(axis=1)

    def reconstructions(self, image: np.ndarray) -> np.ndarray:
        """(10, 28, 28): one image rebuilt by each class's autoencoder."""
        x = as_batch(image)[:1]
        return np.stack([m.reconstruct(x)[0] for m in self.models])

    @classmethod
    def load(cls, folder: Path) -> PerClassClassifier:
        """digit_0 ... digit_9 and summary.json from `folder`."""
        models = [open_model(folder / f"digit_{d}.keras", roles=("model",)) for d in range(N_CLASSES)]
        return cls(models, read_sidecar(folder / "summary.keras"))

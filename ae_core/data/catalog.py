"""The app's two datasets: their ids, titles, class names, nouns and where their shipped models live."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ae_core.paths import SHIPPED_MODELS_DIR


@dataclass(frozen=True)
class DatasetSpec:
    """What the app and the engine need to know about one dataset (no arrays)."""

    key: str  # the id in URLs, sidecars and the CLI: "mnist" or "fashion"
    loader_name: str  # the name ae_core.data.datasets knows it by (sample files, loaders)
    title: str  # the switch's label ("Fashion-MNIST clothing")
    short: str  # the name in a sentence ("Fashion-MNIST")
    set_name: str  # its images as a set beside others ("MNIST digits", "Fashion-MNIST")
    item: str  # one image, in words ("digit", "garment")
    items: str
    classes: tuple[str, ...]
    models_dir: Path
    vae_binarised: bool  # MNIST VAEs train and are scored on images thresholded at 0.5; Fashion's on gray levels
    likelihood: str  # the VAE's reconstruction term, in words

    def class_name(self, label: int) -> str:
        """Name of class `label` ("7", "Sneaker")."""
        return self.classes[int(label)]

    def label_phrase(self, label: int) -> str:
        """Class `label` in a sentence: "a 7" for a digit, "Sneaker" for clothing."""
        return f"a {self.class_name(label)}" if self.key == "mnist" else self.class_name(label)


FASHION_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec("mnist", "mnist", "MNIST digits", "MNIST", "MNIST digits", "digit", "digits",
                         tuple(str(d) for d in range(10)), SHIPPED_MODELS_DIR, True,
                         "Bernoulli log-likelihood of the digit thresholded at 0.5"),
    "fashion": DatasetSpec("fashion", "fashion_mnist", "Fashion-MNIST clothing", "Fashion-MNIST",
                           "Fashion-MNIST", "garment", "garments",
                           FASHION_CLASSES, SHIPPED_MODELS_DIR / "fashion", False,
                           "Bernoulli cross-entropy on the gray levels (not binarised)"),
}
DATASET_KEYS: tuple[str, ...] = tuple(DATASETS)
DEFAULT_DATASET = "mnist"

_ALIASES = {"fashion_mnist": "fashion", "fashionmnist": "fashion", "fmnist": "fashion", "digits": "mnist"}


def dataset_key(name: str | None) -> str:
    """Normalise a dataset name ("Fashion-MNIST", "fashion_mnist", "fashion") to its key; ValueError if unknown."""
    raw = str(name if name is not None else DEFAULT_DATASET).strip().lower().replace("-", "_")
    key = _ALIASES.get(raw, raw)
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_KEYS)}")
    return key


def dataset_spec(name: str | None = None) -> DatasetSpec:
    """The spec of a dataset by any of its names (default: MNIST)."""
    return DATASETS[dataset_key(name)]

"""Classify image files with the per-class autoencoders, through the same preprocessing as the app's uploads."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.data.datasets import class_names
from ae_core.data.image_files import MAX_BYTES, ImageInputError, read_image
from ae_core.data.preprocess import to_mnist
from ae_core.models.errors import ModelFileError
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.serving.classifier import PerClassClassifier

#: Where each dataset's ten per-class autoencoders are shipped.
PERCLASS_DIRS = {"mnist": SHIPPED_MODELS_DIR / "perclass", "fashion": SHIPPED_MODELS_DIR / "fashion" / "perclass"}
DATASET_NAMES = {"mnist": "mnist", "fashion": "fashion_mnist"}


class ClassifierMissingError(RuntimeError):
    """A dataset's per-class autoencoders are not there; the message says so in plain words."""


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: its predicted class and ten errors, or why it could not be classified."""

    name: str
    predicted: int | None = None
    label: str | None = None
    errors: np.ndarray | None = None
    problem: str | None = None

    def line(self) -> str:
        """One line for a terminal: name, predicted class, the ten errors (or the problem)."""
        if self.problem is not None:
            return f"{self.name}: {self.problem}"
        errors = " ".join(f"{e:.4f}" for e in self.errors)
        return f"{self.name}  {self.predicted}{f' ({self.label})' if self.label != str(self.predicted) else ''}  {errors}"


def open_classifier(dataset: str = "mnist", folder: Path | None = None) -> PerClassClassifier:
    """The dataset's shipped per-class classifier (or the one in `folder`)."""
    if dataset not in PERCLASS_DIRS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(PERCLASS_DIRS)}")
    folder = Path(folder) if folder is not None else PERCLASS_DIRS[dataset]
    if not (folder / "digit_0.keras").exists() and not (folder / "digit_0.onnx").exists():
        raise ClassifierMissingError(f"no per-class autoencoders for {dataset} yet (looked in {folder}); "
                                     "they are made by `python -m ae_core train --model perclass"
                                     f"{' --dataset fashion' if dataset == 'fashion' else ''}`")
    try:
        return PerClassClassifier.load(folder)
    except ModelFileError as e:
        raise ClassifierMissingError(f"the per-class autoencoders in {folder} cannot be opened: {e}") from None


def load_image_file(path: Path) -> np.ndarray:
    """A file's image as the app sees an upload: (28, 28) MNIST-style; ImageInputError says what is wrong."""
    path = Path(path)
    if path.is_dir():
        raise ImageInputError("is a folder, not an image file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImageInputError(f"the file is {size / 2**20:.1f} MB; the limit is {MAX_BYTES / 2**20:g} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageInputError("no such file") from None
    except OSError as e:
        raise ImageInputError(f"cannot be read ({e.strerror or type(e).__name__})") from None
    image = to_mnist(read_image(data))
    if image is None:
        raise ImageInputError("the image is blank (no drawing found)")
    return image


def classify_files(paths: Iterable[str | Path], clf: PerClassClassifier, dataset: str = "mnist"
                   ) -> Iterator[FileResult]:
    """Each file's predicted class and ten errors, in order; a file that is not a usable image gets a problem."""
    names = class_names(DATASET_NAMES[dataset])
    for p in paths:
        try:
            image = load_image_file(Path(p))
        except ImageInputError as e:
            yield FileResult(str(p), problem=str(e))
            continue
        errors = clf.errors(image)[0]
        pred = int(np.argmin(errors))
        yield FileResult(str(p), pred, names[pred], errors)

"""A model as the app uses it: reconstruct, encode, decode and look inside, on its ONNX files (no TensorFlow)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.models.errors import ModelFileError
from ae_core.models.sidecars import read_sidecar
from ae_core.serving.sessions import OnnxFunction
from ae_core.shapes import as_batch, as_images

#: What an ONNX file of a model does (see ae_core.models.onnx_export).
ROLES = ("model", "encoder", "decoder", "activations")


@dataclass
class ServedModel:
    """One autoencoder on ONNX Runtime, with its sidecar and where its files are."""

    name: str
    info: dict
    path: Path
    functions: dict[str, OnnxFunction] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Human-readable name."""
        return SHIPPED_MODELS.get(self.name, self.info.get("label", self.name))

    @property
    def is_vae(self) -> bool:
        """Whether this is a variational autoencoder."""
        arch = self.info.get("architecture") or {}
        return bool(arch.get("is_vae", self.info.get("kind") == "vae"))

    def can(self, role: str) -> bool:
        """Whether this model has an ONNX file for `role` (an uploaded model may have only the whole model)."""
        return role in self.functions

    def _fn(self, role: str) -> OnnxFunction:
        if role not in self.functions:
            raise ModelFileError(f"{self.label} has no {role} (its files provide only: {', '.join(self.functions)})")
        return self.functions[role]

    @property
    def code_shape(self) -> tuple[int, ...]:
        """Shape of one code, without the batch axis."""
        return tuple(int(d) for d in self._fn("decoder").input_shape[1:])

    @property
    def latent_dim(self) -> int:
        """Number of values in one code."""
        return int(np.prod(self.code_shape))

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        """Reconstructions (N,28,28) of images (a VAE decodes its posterior mean)."""
        if "model" not in self.functions and self.can("encoder") and self.can("decoder"):
            return self.decode(self.encode(images))
        return as_images(self._fn("model").batched(as_batch(images))[0])

    def encode(self, images: np.ndarray) -> np.ndarray:
        """Codes of images (for a VAE: the posterior means)."""
        return self._fn("encoder").batched(as_batch(images))[0]

    def encode_stats(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A VAE's posterior (mean, log-variance) for each image."""
        if not self.is_vae:
            raise ModelFileError(f"{self.label} is not a VAE: it has no posterior variance")
        mean, log_var = self._fn("encoder").batched(as_batch(images))[:2]
        return mean, log_var

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Images (N,28,28) decoded from codes."""
        z = np.asarray(codes, dtype=np.float32).reshape(-1, *self.code_shape)
        return as_images(self._fn("decoder").batched(z)[0])

    def decode_logits(self, codes: np.ndarray) -> np.ndarray:
        """A VAE decoder's logits (N,28,28,1), the layer before its sigmoid."""
        outputs = self._fn("decoder").batched(np.asarray(codes, dtype=np.float32))
        if len(outputs) < 2:
            raise ModelFileError(f"{self.label}'s decoder file has no logits output")
        return outputs[1]

    def activations(self, image: np.ndarray) -> list[tuple[dict, np.ndarray]]:
        """Each layer's activations for one image, with the layer's name, part, type and shape."""
        layers = (self.info.get("onnx", {}).get("activations") or {}).get("layers") or []
        outputs = self._fn("activations")(as_batch(image)[:1])
        return [(layer, out[0]) for layer, out in zip(layers, outputs)]


def open_model(path: str | Path, name: str | None = None, roles: Sequence[str] = ROLES) -> ServedModel:
    """The ONNX files listed in the sidecar of `path` (a .keras file), opened; ModelFileError if unusable."""
    path = Path(path)
    info = read_sidecar(path)
    entries = info.get("onnx") if isinstance(info.get("onnx"), Mapping) else {}
    if "model" not in entries and not {"encoder", "decoder"} <= set(entries):
        raise ModelFileError(f"{path.name} has no ONNX files beside it; `python -m ae_core export {path}` makes them")
    functions = {}
    for role in roles:
        entry = entries.get(role)
        if not isinstance(entry, Mapping) or not entry.get("file"):
            continue
        file = path.parent / Path(str(entry["file"])).name  # a name only: never leave the model's folder
        if not file.is_file():
            raise ModelFileError(f"{file.name} is missing (listed in {path.stem}'s sidecar)")
        functions[role] = OnnxFunction(file)
    return ServedModel(name or path.stem, info, path, functions)


def unopened_model(path: str | Path, name: str | None = None) -> ServedModel:
    """A model's sidecar and place without opening its ONNX files: enough to tell the browser where they are."""
    path = Path(path)
    return ServedModel(name or path.stem, read_sidecar(path), path)


def open_models(folder: Path, names: Sequence[str]) -> tuple[dict[str, ServedModel], dict[str, str]]:
    """Open the named models in `folder`; returns (opened, {name: why it failed})."""
    opened, errors = {}, {}
    for name in names:
        try:
            opened[name] = open_model(folder / f"{name}.keras", name)
        except ModelFileError as e:
            errors[name] = str(e)
    return opened, errors


def reconstruct_all(models: Mapping[str, ServedModel], image: np.ndarray
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """({model: 28x28 reconstruction}, {VAE model: its code}) of one image under every model."""
    x = as_batch(image)[:1]
    recons, codes = {}, {}
    for name, m in models.items():
        recons[name] = m.reconstruct(x)[0]
        if m.is_vae:
            codes[name] = m.encode(x)[0]
    return recons, codes

"""Fast inference for the app: every model's reconstruction of an image in one compiled, warmed-up call."""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ae_core.models.catalog import SHIPPED_MODELS
from ae_core.models.builders import decoder_of, encoder_of
from ae_core.paths import SHIPPED_MODELS_DIR
from ae_core.models.files import ModelFileError, load_model, read_sidecar
from ae_core.serving.tf_settings import parallel_workers
from ae_core.models.vae import VAE

IMAGE_SPEC = tf.TensorSpec((None, 28, 28, 1), tf.float32)


def as_batch(images: np.ndarray) -> np.ndarray:
    """(28,28), (N,28,28) or (N,28,28,1) float images -> float32 (N,28,28,1)."""
    x = np.asarray(images, dtype="float32")
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected 28x28 images, got shape {np.shape(images)}")
    return x


@dataclass
class LoadedModel:
    """A model with its sidecar and where it came from."""

    name: str
    model: keras.Model
    info: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def is_vae(self) -> bool:
        """Whether this is a variational autoencoder."""
        return isinstance(self.model, VAE)

    @property
    def label(self) -> str:
        """Human-readable name."""
        return SHIPPED_MODELS.get(self.name, self.info.get("label", self.name))


def load_models(folder: Path = SHIPPED_MODELS_DIR, names: tuple[str, ...] = tuple(SHIPPED_MODELS)
                ) -> tuple[dict[str, LoadedModel], dict[str, str]]:
    """Load the named models from `folder`; returns (loaded, {name: error message} for those that failed)."""
    loaded, errors = {}, {}
    for name in names:
        path = folder / f"{name}.keras"
        try:
            loaded[name] = LoadedModel(name, load_model(path), read_sidecar(path), path)
        except ModelFileError as e:
            errors[name] = str(e)
    return loaded, errors


def compiled(fn: Callable, spec: tf.TensorSpec = IMAGE_SPEC) -> Callable:
    """A tf.function with a fixed input signature (traced once, never retraced)."""
    return tf.function(fn, input_signature=[spec], reduce_retracing=True)


class Reconstructor:
    """All models' reconstructions (and VAE codes) of a batch in one compiled call, warmed up at creation."""

    def __init__(self, models: Mapping[str, LoadedModel]):
        self.models = dict(models)
        self._fn = compiled(self._all)
        self._fn(tf.zeros((1, 28, 28, 1)))  # warm-up: trace and build once

    def _all(self, x):
        out = {}
        for name, lm in self.models.items():
            if lm.is_vae:
                mean, _ = lm.model.encoder(x, training=False)
                out[name] = lm.model.decoder(mean, training=False)
                out[f"{name}/z"] = mean
            else:
                out[name] = lm.model(x, training=False)
        return out

    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """{model name: (N,28,28) reconstructions, 'vae2/z': (N,2) codes, ...}."""
        res = self._fn(tf.constant(as_batch(images)))
        return {k: (np.asarray(v)[..., 0] if v.shape.rank == 4 else np.asarray(v)) for k, v in res.items()}

    def one(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """Reconstructions of a single 28x28 image (batch axis removed)."""
        return {k: v[0] for k, v in self(image).items()}


class ModelRunner:
    """Compiled encode / decode / reconstruct of one model, for batches."""

    def __init__(self, model: keras.Model):
        self.model = model
        enc, dec = encoder_of(model), decoder_of(model)
        self.is_vae = isinstance(model, VAE)
        code_spec = tf.TensorSpec((None, *dec.input_shape[1:]), tf.float32)
        self._encode = compiled(lambda x: enc(x, training=False)[0] if self.is_vae else enc(x, training=False))
        self._decode = compiled(lambda z: dec(z, training=False), code_spec)
        self._reconstruct = compiled(lambda x: model(x, training=False))

    def _batched(self, fn, x: np.ndarray, batch_size: int) -> np.ndarray:
        # Chunks run on parallel threads (TensorFlow releases the GIL), so a big batch still uses every core
        # when ops are single-threaded (ae_core.serving.tf_settings).
        step = max(1, min(batch_size, math.ceil(len(x) / parallel_workers())))
        chunks = [x[i:i + step] for i in range(0, len(x), step)]
        if len(chunks) <= 1:
            return np.asarray(fn(tf.constant(x))) if len(x) else np.zeros((0,))
        with ThreadPoolExecutor(min(len(chunks), parallel_workers())) as pool:
            parts = list(pool.map(lambda c: np.asarray(fn(tf.constant(c))), chunks))
        return np.concatenate(parts)

    def encode(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Codes (for a VAE: posterior means) of images."""
        return self._batched(self._encode, as_batch(images), batch_size)

    def decode(self, codes: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Images (N,28,28) decoded from codes."""
        return self._batched(self._decode, np.asarray(codes, dtype="float32"), batch_size)[..., 0]

    def reconstruct(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Reconstructions (N,28,28) of images."""
        return self._batched(self._reconstruct, as_batch(images), batch_size)[..., 0]


class PerClassClassifier:
    """Classify digits by which of ten per-class autoencoders rebuilds them best."""

    def __init__(self, models: list[keras.Model], info: dict | None = None):
        self.models = models
        self.info = info or {}
        self._fn = compiled(self._errors)
        self._fn(tf.zeros((1, 28, 28, 1)))

    def _errors(self, x):
        flat = tf.reshape(x, (-1, 784))
        errs = [tf.reduce_mean(tf.square(tf.reshape(m(x, training=False), (-1, 784)) - flat), axis=1)
                for m in self.models]
        return tf.stack(errs, axis=1)

    def errors(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """(N, 10) reconstruction MSE under each class's autoencoder."""
        x = as_batch(images)
        return np.concatenate([np.asarray(self._fn(tf.constant(x[i:i + batch_size])))
                               for i in range(0, len(x), batch_size)])

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Predicted class of each image (argmin of the errors)."""
        return self.errors(images).argmin(axis=1)

    @classmethod
    def load(cls, folder: Path = SHIPPED_MODELS_DIR / "perclass") -> PerClassClassifier:
        """Load digit_0.keras ... digit_9.keras and summary.json from `folder`."""
        models = [load_model(folder / f"digit_{d}.keras") for d in range(10)]
        return cls(models, read_sidecar(folder / "summary.keras"))


def load_compression_models(folder: Path = SHIPPED_MODELS_DIR / "compression") -> dict[int, LoadedModel]:
    """{code size: model} for the shipped compression series (missing or bad files are skipped)."""
    out = {}
    for path in sorted(folder.glob("code_*.keras")):
        try:
            size = int(path.stem.split("_")[1])
            out[size] = LoadedModel(path.stem, load_model(path), read_sidecar(path), path)
        except (ValueError, ModelFileError):
            continue
    return dict(sorted(out.items()))

"""Keras builders for the autoencoder families (dense, conv, denoising, VAE)."""
from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ae_core.models.vae import VAE, build_vae
from ae_core.shapes import IMAGE_SHAPE, N_PIXELS
from ae_core.models.catalog import MODEL_KINDS



def _he() -> keras.initializers.Initializer:
    return keras.initializers.HeNormal()


def build_dense(code_size: int = 16, hidden: Sequence[int] = (64, 32), name: str = "dense") -> keras.Model:
    """Fully connected AE 784-hidden-code-reversed(hidden)-784 with a linear code and sigmoid output."""
    inp = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Flatten()(inp)
    for i, width in enumerate(hidden):
        h = layers.Dense(width, activation="relu", kernel_initializer=_he(), name=f"enc_dense_{i}")(h)
    code = layers.Dense(code_size, name="code")(h)  # linear code: no dead units in the bottleneck
    encoder = keras.Model(inp, code, name="encoder")

    z = keras.Input((code_size,), name="code_in")
    h = z
    for i, width in enumerate(reversed(tuple(hidden))):
        h = layers.Dense(width, activation="relu", kernel_initializer=_he(), name=f"dec_dense_{i}")(h)
    h = layers.Dense(N_PIXELS, activation="sigmoid", name="pixels")(h)
    out = layers.Reshape(IMAGE_SHAPE, name="image_out")(h)
    decoder = keras.Model(z, out, name="decoder")
    return _join(encoder, decoder, name)


def build_conv(filters: Sequence[int] = (32, 32, 8), name: str = "conv") -> keras.Model:
    """Conv AE: three 3x3 conv + max-pool stages down to a 4x4xfilters[-1] code, upsampling back."""
    f1, f2, f3 = (int(f) for f in filters)
    inp = keras.Input(IMAGE_SHAPE, name="image")
    h = inp
    for i, f in enumerate((f1, f2, f3)):
        h = layers.Conv2D(f, 3, activation="relu", padding="same", kernel_initializer=_he(), name=f"enc_conv_{i}")(h)
        h = layers.MaxPooling2D(2, padding="same", name=f"enc_pool_{i}")(h)  # 28 -> 14 -> 7 -> 4
    encoder = keras.Model(inp, h, name="encoder")

    z = keras.Input((4, 4, f3), name="code_in")
    h = layers.Conv2D(f3, 3, activation="relu", padding="same", kernel_initializer=_he(), name="dec_conv_0")(z)
    h = layers.UpSampling2D(2, name="dec_up_0")(h)  # 8
    h = layers.Conv2D(f2, 3, activation="relu", padding="same", kernel_initializer=_he(), name="dec_conv_1")(h)
    h = layers.UpSampling2D(2, name="dec_up_1")(h)  # 16
    h = layers.Conv2D(f1, 3, activation="relu", padding="valid", kernel_initializer=_he(), name="dec_conv_2")(h)  # 14
    h = layers.UpSampling2D(2, name="dec_up_2")(h)  # 28
    out = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="image_out")(h)
    decoder = keras.Model(z, out, name="decoder")
    return _join(encoder, decoder, name)


def _join(encoder: keras.Model, decoder: keras.Model, name: str) -> keras.Model:
    inp = keras.Input(IMAGE_SHAPE, name="image")
    return keras.Model(inp, decoder(encoder(inp)), name=name)


def build_model(kind: str, *, code_size: int = 16, hidden: Sequence[int] = (64, 32),
                filters: Sequence[int] = (32, 32, 8), latent_dim: int = 2, beta: float = 1.0,
                vae_layers: str = "conv") -> keras.Model:
    """Build an untrained model of one of MODEL_KINDS."""
    if kind == "dense":
        return build_dense(code_size, hidden)
    if kind == "conv":
        return build_conv(filters, name="conv")
    if kind == "denoising":
        return build_conv(filters, name="denoising")
    if kind == "vae":
        return build_vae(latent_dim, beta=beta, layers_kind=vae_layers)
    raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")


def encoder_of(model: keras.Model) -> keras.Model:
    """The encoder sub-model (for a VAE it returns (mean, log-variance))."""
    if isinstance(model, VAE):
        return model.encoder
    return model.get_layer("encoder")


def decoder_of(model: keras.Model) -> keras.Model:
    """The decoder sub-model (code -> 28x28x1 image in [0, 1])."""
    if isinstance(model, VAE):
        return model.decoder
    return model.get_layer("decoder")


def code_shape(model: keras.Model) -> tuple[int, ...]:
    """Shape of one code (without the batch axis)."""
    return tuple(int(d) for d in decoder_of(model).input_shape[1:])


def code_size(model: keras.Model) -> int:
    """Number of values in one code."""
    n = 1
    for d in code_shape(model):
        n *= d
    return n


def describe(model: keras.Model) -> list[dict]:
    """Layer table (name, type, output shape, parameters) of encoder then decoder."""
    rows = []
    for part, sub in (("encoder", encoder_of(model)), ("decoder", decoder_of(model))):
        for layer in sub.layers:
            out = layer.output
            shapes = [o.shape for o in out] if isinstance(out, (list, tuple)) else [out.shape]
            rows.append({
                "part": part,
                "layer": layer.name,
                "type": type(layer).__name__,
                "output": " + ".join("x".join(str(d) for d in s[1:]) for s in shapes),
                "params": int(layer.count_params()),
            })
    return rows

"""A correct variational autoencoder (convolutional, or dense for speed): separate mean/log-variance heads and a
proper ELBO.

The tutorial this project grew out of computed mu and log-variance as the same max-pool of the same
tensor (so they were always equal) and added a per-pixel *mean* MSE to a *summed* KL. Here the encoder
has two separate Dense heads, the reconstruction term is the Bernoulli log-likelihood summed over the
784 pixels, and the loss is the negative ELBO: sum-BCE + beta * KL(q(z|x) || N(0, I)).
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from ae_core.shapes import IMAGE_SHAPE


def build_vae_encoder(latent_dim: int) -> keras.Model:
    """Image -> (mean, log-variance) of q(z|x)."""
    inp = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu", name="enc_conv_0")(inp)  # 14
    h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name="enc_conv_1")(h)  # 7
    h = layers.Flatten()(h)
    h = layers.Dense(256, activation="relu", name="enc_dense")(h)
    mean = layers.Dense(latent_dim, name="z_mean")(h)
    log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    return keras.Model(inp, [mean, log_var], name="encoder")


def build_vae_decoder(latent_dim: int) -> keras.Model:
    """Code z -> Bernoulli means (pixel probabilities); the layer before the sigmoid gives logits."""
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(256, activation="relu", name="dec_dense_0")(z)
    h = layers.Dense(7 * 7 * 64, activation="relu", name="dec_dense_1")(h)
    h = layers.Reshape((7, 7, 64))(h)
    h = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu", name="dec_deconv_0")(h)  # 14
    h = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu", name="dec_deconv_1")(h)  # 28
    logits = layers.Conv2DTranspose(1, 3, padding="same", name="logits")(h)
    out = layers.Activation("sigmoid", name="image_out")(logits)
    return keras.Model(z, out, name="decoder")


#: Hidden widths of the dense VAE (encoder; the decoder mirrors them): small enough to train in seconds.
DENSE_VAE_HIDDEN = (256, 128)


def build_dense_vae_encoder(latent_dim: int, hidden=DENSE_VAE_HIDDEN) -> keras.Model:
    """Image -> (mean, log-variance) of q(z|x) through fully connected layers (fast to train)."""
    inp = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Flatten()(inp)
    for i, width in enumerate(hidden):
        h = layers.Dense(width, activation="relu", name=f"enc_dense_{i}")(h)
    mean = layers.Dense(latent_dim, name="z_mean")(h)
    log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    return keras.Model(inp, [mean, log_var], name="encoder")


def build_dense_vae_decoder(latent_dim: int, hidden=DENSE_VAE_HIDDEN) -> keras.Model:
    """Code z -> Bernoulli means through fully connected layers; the layer before the sigmoid gives logits."""
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, width in enumerate(reversed(tuple(hidden))):
        h = layers.Dense(width, activation="relu", name=f"dec_dense_{i}")(h)
    h = layers.Dense(IMAGE_SHAPE[0] * IMAGE_SHAPE[1], name="dec_pixels")(h)
    logits = layers.Reshape(IMAGE_SHAPE, name="logits")(h)
    out = layers.Activation("sigmoid", name="image_out")(logits)
    return keras.Model(z, out, name="decoder")


@keras.saving.register_keras_serializable(package="ae_lab")
class VAE(keras.Model):
    """Encoder + reparameterised sampling + decoder, trained on the negative ELBO."""

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.latent_dim = int(decoder.input_shape[-1])
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.rec_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    # --- the model ---------------------------------------------------------------------------
    def call(self, x, training: bool = False):
        """Reconstruction from the posterior mean (deterministic, for display)."""
        mean, _ = self.encoder(x, training=training)
        return self.decoder(mean, training=training)

    def sample_z(self, mean, log_var):
        """Reparameterisation trick: z = mu + sigma * eps, eps ~ N(0, I)."""
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def decode_logits(self, z, training: bool = False):
        """Decoder up to its final sigmoid (logits of the Bernoulli pixels)."""
        h = z
        for layer in self.decoder.layers[1:-1]:
            h = layer(h, training=training)
        return h

    def elbo_terms(self, x, training: bool = False, eps=None):
        """Per-image (reconstruction NLL in nats, KL in nats), single-sample estimate (eps: fixed noise)."""
        mean, log_var = self.encoder(x, training=training)
        z = self.sample_z(mean, log_var) if eps is None else mean + ops.exp(0.5 * log_var) * eps
        logits = self.decode_logits(z, training=training)
        bce = ops.maximum(logits, 0) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))  # stable sigmoid-BCE
        rec = ops.sum(ops.reshape(bce, (ops.shape(x)[0], -1)), axis=1)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=1)
        return rec, kl

    # --- training ----------------------------------------------------------------------------
    @property
    def metrics(self):
        return [self.loss_tracker, self.rec_tracker, self.kl_tracker]

    def _update(self, rec, kl, loss):
        self.loss_tracker.update_state(loss)
        self.rec_tracker.update_state(ops.mean(rec))
        self.kl_tracker.update_state(ops.mean(kl))
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            rec, kl = self.elbo_terms(x, training=True)
            loss = ops.mean(rec + self.beta * kl)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._update(rec, kl, loss)

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        rec, kl = self.elbo_terms(x)
        return self._update(rec, kl, ops.mean(rec + self.beta * kl))

    # --- saving ------------------------------------------------------------------------------
    def get_config(self):
        return {
            "name": self.name,
            "beta": self.beta,
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)


VAE_LAYERS = ("conv", "dense")  # the VAE's two bodies: convolutional (sharper) or fully connected (fast)


def build_vae(latent_dim: int = 2, beta: float = 1.0, seed: int | None = None, layers_kind: str = "conv") -> VAE:
    """A VAE with a `latent_dim`-dimensional Gaussian code and a conv (default) or dense body."""
    if layers_kind not in VAE_LAYERS:
        raise ValueError(f"VAE layers must be one of {', '.join(VAE_LAYERS)}, got {layers_kind!r}")
    enc, dec = ((build_vae_encoder, build_vae_decoder) if layers_kind == "conv"
                else (build_dense_vae_encoder, build_dense_vae_decoder))
    vae = VAE(enc(latent_dim), dec(latent_dim), beta=beta, seed=seed, name=f"vae{latent_dim}")
    vae(keras.ops.zeros((1, *IMAGE_SHAPE)))  # build
    return vae

"""Augmentation on the fly for training: how people draw (tilt, shift, size, stroke weight, a wobbly hand).

Every epoch sees new variants of each training digit; nothing is precomputed. Keras' own preprocessing layers
do the rotation, shift and zoom; stroke weight is a grayscale dilation or erosion (a 3x3 max-pool of the image
or of its negative), and the wobble a smooth random displacement field (elastic distortion, Simard et al. 2003).
"""
from __future__ import annotations

import keras
import tensorflow as tf

ROTATION_DEG = 15.0   # a drawing's tilt, either way
SHIFT = 0.08          # of the image side: about two pixels, what centring by mass leaves
ZOOM = 0.15           # digits a little smaller or larger than the 20-pixel box
P_BOLD, P_THIN = 0.3, 0.15  # share of digits drawn bolder (dilated) or thinner (eroded)
ELASTIC_PX = 0.7      # displacement of the elastic field in pixels (its standard deviation)
ELASTIC_GRID = 3      # the field is random on a coarse grid, smoothly interpolated


def _stroke_weight(x: tf.Tensor) -> tf.Tensor:
    """Dilate some digits (bolder strokes), erode some (thinner) and leave the rest."""
    bold = tf.nn.max_pool2d(x, 3, 1, "SAME")
    thin = -tf.nn.max_pool2d(-x, 2, 1, "SAME")  # 2x2: a 3x3 erosion wipes out MNIST's thinner strokes
    thin = thin / tf.maximum(tf.reduce_max(thin, axis=[1, 2, 3], keepdims=True), 1e-3)  # peak ink 1, as to_mnist
    u = tf.random.uniform([tf.shape(x)[0], 1, 1, 1])
    return tf.where(u < P_BOLD, bold, tf.where(u < P_BOLD + P_THIN, thin, x))


def _bilinear(image: tf.Tensor, rows: tf.Tensor, cols: tf.Tensor) -> tf.Tensor:
    """Sample (B, H, W) images at fractional (B, H, W) positions; outside the image is background (0)."""
    b, h, w = tf.shape(image)[0], tf.shape(image)[1], tf.shape(image)[2]
    r0, c0 = tf.floor(rows), tf.floor(cols)
    fr, fc = rows - r0, cols - c0
    batch = tf.broadcast_to(tf.range(b)[:, None, None], tf.shape(rows))

    def at(r: tf.Tensor, c: tf.Tensor) -> tf.Tensor:
        ri, ci = tf.cast(r, tf.int32), tf.cast(c, tf.int32)
        inside = (ri >= 0) & (ri < h) & (ci >= 0) & (ci < w)
        idx = tf.stack([batch, tf.clip_by_value(ri, 0, h - 1), tf.clip_by_value(ci, 0, w - 1)], axis=-1)
        return tf.where(inside, tf.gather_nd(image, idx), 0.0)

    return ((1 - fr) * (1 - fc) * at(r0, c0) + (1 - fr) * fc * at(r0, c0 + 1)
            + fr * (1 - fc) * at(r0 + 1, c0) + fr * fc * at(r0 + 1, c0 + 1))


def _elastic(x: tf.Tensor) -> tf.Tensor:
    """Move each pixel by a smooth random field of about ELASTIC_PX pixels."""
    b, h, w = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    coarse = tf.random.normal([b, ELASTIC_GRID, ELASTIC_GRID, 2], stddev=ELASTIC_PX)
    field = tf.image.resize(coarse, [h, w], method="bicubic")
    rows, cols = tf.meshgrid(tf.range(h, dtype=tf.float32), tf.range(w, dtype=tf.float32), indexing="ij")
    out = _bilinear(x[..., 0], rows[None] + field[..., 0], cols[None] + field[..., 1])
    return out[..., None]


class DrawnLike(keras.layers.Layer):
    """Random tilt, shift, zoom, stroke weight and elastic wobble of (B, 28, 28, 1) digits in [0, 1]."""

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.geometry = keras.Sequential([
            keras.layers.RandomRotation(ROTATION_DEG / 360.0, fill_mode="constant", seed=seed),
            keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed + 1),
            keras.layers.RandomZoom((-ZOOM, ZOOM), fill_mode="constant", seed=seed + 2),
        ])

    def call(self, x: tf.Tensor) -> tf.Tensor:
        x = _elastic(_stroke_weight(x))
        return tf.clip_by_value(self.geometry(x, training=True), 0.0, 1.0)


def augment_dataset(ds: tf.data.Dataset, seed: int = 0) -> tf.data.Dataset:
    """Batches of digits with a fresh drawn-like variant of each, every epoch."""
    layer = DrawnLike(seed)
    return ds.map(lambda b: layer(b), num_parallel_calls=tf.data.AUTOTUNE)

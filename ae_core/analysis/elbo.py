"""Negative ELBO of a VAE from plain arrays (e.g. ONNX Runtime outputs), without TensorFlow.

It reproduces `ae_core.training.evaluation.negative_elbo` step by step: digits binarised at 0.5, one
noise draw `default_rng(seed).standard_normal((N, latent_dim))` for the whole set, z = mean +
exp(log_var / 2) * eps, Bernoulli NLL from the logits summed over pixels, KL summed over the code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

Encode = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
DecodeLogits = Callable[[np.ndarray], np.ndarray]


class PosteriorModel(Protocol):
    """A VAE as analysis needs it: its posterior's statistics and its decoder's logits."""

    def encode_stats(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def decode_logits(self, codes: np.ndarray) -> np.ndarray: ...


def elbo_terms(mean: np.ndarray, log_var: np.ndarray, logits: np.ndarray,
               xb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-image (reconstruction NLL, KL) in nats for binarised images `xb` and the decoder's logits."""
    # max(l, 0) - l x + log(1 + e^-|l|) is -log p(x|l) without overflow for large |l|
    bce = np.maximum(logits, 0) - logits * xb + np.log1p(np.exp(-np.abs(logits)))
    rec = bce.reshape(len(xb), -1).sum(axis=1)
    kl = -0.5 * np.sum(1.0 + log_var - np.square(mean) - np.exp(log_var), axis=1)
    return rec, kl


def negative_elbo(encode: Encode, decode_logits: DecodeLogits, x: np.ndarray, seed: int = 0,
                  batch_size: int = 1000) -> dict[str, float]:
    """Average single-sample negative ELBO (beta = 1) of `x` (N,28,28,1) binarised at 0.5, with its terms."""
    xb = (np.asarray(x) > 0.5).astype(np.float32)
    if len(xb) == 0:
        raise ValueError("negative_elbo needs at least one image")
    starts = range(0, len(xb), batch_size)
    stats = [encode(xb[i:i + batch_size]) for i in starts]
    mean = np.concatenate([np.asarray(m, dtype=np.float32) for m, _ in stats])
    log_var = np.concatenate([np.asarray(v, dtype=np.float32) for _, v in stats])
    # one draw for the whole set (not per batch), as the Keras evaluation does, so the figures agree
    eps = np.random.default_rng(seed).standard_normal(mean.shape).astype(np.float32)
    z = mean + np.exp(0.5 * log_var) * eps
    rec, kl = [], []
    for i in starts:
        sl = slice(i, i + batch_size)
        logits = np.asarray(decode_logits(z[sl]), dtype=np.float32)
        r, k = elbo_terms(mean[sl], log_var[sl], logits, xb[sl])
        rec.append(r)
        kl.append(k)
    rec_a, kl_a = np.concatenate(rec), np.concatenate(kl)
    return {"neg_elbo": float(np.mean(rec_a + kl_a)), "reconstruction_nll": float(np.mean(rec_a)),
            "kl": float(np.mean(kl_a))}


def image_terms(model: PosteriorModel, image: np.ndarray) -> tuple[float, float]:
    """(reconstruction NLL, KL) in nats of one image, decoded from its posterior mean.

    The image is encoded as the app encodes it (gray levels) and scored against its pixels binarised at 0.5,
    the Bernoulli likelihood's targets; the mean, not a sample, so the figure belongs to the reconstruction
    shown beside it and is the same at every look.
    """
    x = np.asarray(image, dtype=np.float32).reshape(1, 28, 28, 1)
    mean, log_var = (np.asarray(a, dtype=np.float32) for a in model.encode_stats(x))
    logits = np.asarray(model.decode_logits(mean), dtype=np.float32)
    rec, kl = elbo_terms(mean, log_var, logits, (x > 0.5).astype(np.float32))
    return float(rec[0]), float(kl[0])

"""What analysis needs of a model: the few calls it makes, so it works with any runner (and with fakes in tests)."""
from __future__ import annotations

from typing import Protocol

import numpy as np


class Reconstructor(Protocol):
    """Anything that rebuilds images: (N,28,28[,1]) -> (N,28,28)."""

    def reconstruct(self, images: np.ndarray) -> np.ndarray: ...


class Decoder(Protocol):
    """Anything that decodes codes to images, and says whether it is a VAE and how long its codes are."""

    is_vae: bool
    latent_dim: int

    def decode(self, codes: np.ndarray) -> np.ndarray: ...


class Encoder(Decoder, Protocol):
    """A decoder that can also encode images to codes."""

    def encode(self, images: np.ndarray) -> np.ndarray: ...

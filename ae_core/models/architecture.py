"""What a model looks like: layer table, parameter counts, code size and compression ratio.

Measured from the Keras model when it is trained or exported (`model_card`), stored in its sidecar, and
read back from there by the app server (`card_from_sidecar`), which has no Keras.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ae_core.analysis.compression import compression_ratio
from ae_core.models.errors import ModelFileError
from ae_core.shapes import N_PIXELS

if TYPE_CHECKING:  # importing Keras means TensorFlow: seconds the Home page must not wait for
    import keras

#: Layer widths of the dense AE when its sidecar cannot be read (matches scripts/train_shipped.sh).
DEFAULT_DENSE_WIDTHS: tuple[int, ...] = (N_PIXELS, 64, 32, 16, 32, 64, N_PIXELS)


@dataclass
class ModelCard:
    """Summary of one autoencoder for display."""

    params: int
    encoder_params: int
    decoder_params: int
    code_shape: tuple[int, ...]
    code_size: int
    ratio: float
    layers: list[dict] = field(default_factory=list)

    @property
    def code_text(self) -> str:
        """'16' for a flat code, '4x4x8 = 128' for a shaped one."""
        if len(self.code_shape) == 1:
            return str(self.code_size)
        return "x".join(str(d) for d in self.code_shape) + f" = {self.code_size}"


def model_card(model: keras.Model) -> ModelCard:
    """Parameter counts, code size, compression ratio (784 / code size) and the layer table of a model."""
    from ae_core.models.builders import code_shape, code_size, decoder_of, describe, encoder_of
    enc, dec = encoder_of(model), decoder_of(model)
    size = code_size(model)
    return ModelCard(
        params=int(enc.count_params() + dec.count_params()),
        encoder_params=int(enc.count_params()),
        decoder_params=int(dec.count_params()),
        code_shape=code_shape(model),
        code_size=size,
        ratio=compression_ratio(size),
        layers=describe(model),
    )


def card_from_sidecar(info: Mapping) -> ModelCard:
    """The ModelCard stored in a sidecar's "architecture" record; ModelFileError if it has none."""
    arch = info.get("architecture") if isinstance(info, Mapping) else None
    try:
        return ModelCard(params=int(arch["params"]), encoder_params=int(arch["encoder_params"]),
                         decoder_params=int(arch["decoder_params"]),
                         code_shape=tuple(int(d) for d in arch["code_shape"]), code_size=int(arch["code_size"]),
                         ratio=float(arch["ratio"]), layers=[dict(row) for row in arch.get("layers", [])])
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("its sidecar has no architecture record; `python -m ae_core export` writes it") from None


def dense_widths(info: Mapping | None) -> tuple[int, ...]:
    """Layer widths input, hidden..., code, ...hidden, output of a dense AE from its sidecar's config."""
    try:
        cfg = info["config"]  # type: ignore[index]
        hidden = [int(h) for h in cfg["hidden"]]
        code = int(cfg["code_size"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_DENSE_WIDTHS
    if code <= 0 or any(h <= 0 for h in hidden):
        return DEFAULT_DENSE_WIDTHS
    return (N_PIXELS, *hidden, code, *reversed(hidden), N_PIXELS)

"""Why a model file can't be used or written, in words a user understands (no TensorFlow import)."""
from __future__ import annotations


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why."""


class ShippedModelError(PermissionError):
    """Refused: the write would replace a model shipped in assets/."""


#: Model files larger than this are refused before anything reads them.
MAX_MODEL_BYTES = 200 * 2**20

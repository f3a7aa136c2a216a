"""What a training run is: its settings, their allowed ranges and the checks a user's values go through (no TensorFlow)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ae_core.models.catalog import MODEL_KINDS
from ae_core.shapes import N_PIXELS

LIMITS = {
    "epochs": (1, 500),
    "batch_size": (1, 4096),
    "learning_rate": (1e-6, 1.0),
    "code_size": (1, N_PIXELS),
    "latent_dim": (1, 64),
    "noise_factor": (0.0, 2.0),
    "beta": (0.0, 100.0),
    "train_size": (16, 60000),
}


class ConfigError(ValueError):
    """A training configuration a user must fix; the message says what and how."""


@dataclass
class TrainConfig:
    """Everything needed to reproduce one training run."""

    kind: str = "dense"
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    code_size: int = 16
    hidden: tuple[int, ...] = (64, 32)
    filters: tuple[int, ...] = (32, 32, 8)
    latent_dim: int = 2
    beta: float = 1.0
    noise_factor: float = 0.5
    train_size: int | None = None
    seed: int = 0
    lr_schedule: str = "constant"
    dataset: str = "mnist"
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        d = asdict(self)
        d["hidden"], d["filters"] = list(self.hidden), list(self.filters)
        return d


def _number(name: str, value, integer: bool) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    if integer and v != int(v):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    lo, hi = LIMITS[name]
    if not lo <= v <= hi:
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return int(v) if integer else v


def validate_config(cfg: TrainConfig) -> TrainConfig:
    """Return a cleaned copy of `cfg`, or raise ConfigError naming the bad field and its allowed range."""
    if cfg.kind not in MODEL_KINDS:
        raise ConfigError(f"model type must be one of {', '.join(MODEL_KINDS)}, got {cfg.kind!r}")
    if cfg.lr_schedule not in ("constant", "cosine"):
        raise ConfigError(f"lr_schedule must be 'constant' or 'cosine', got {cfg.lr_schedule!r}")
    out = TrainConfig(**{**asdict(cfg)})
    out.epochs = _number("epochs", cfg.epochs, True)
    out.batch_size = _number("batch_size", cfg.batch_size, True)
    out.learning_rate = _number("learning_rate", cfg.learning_rate, False)
    out.code_size = _number("code_size", cfg.code_size, True)
    out.latent_dim = _number("latent_dim", cfg.latent_dim, True)
    out.beta = _number("beta", cfg.beta, False)
    out.noise_factor = _number("noise_factor", cfg.noise_factor, False)
    if cfg.train_size is not None:
        out.train_size = _number("train_size", cfg.train_size, True)
    try:
        out.seed = int(cfg.seed)
    except (TypeError, ValueError):
        raise ConfigError(f"seed must be a whole number, got {cfg.seed!r}") from None
    out.hidden = tuple(int(h) for h in cfg.hidden)
    out.filters = tuple(int(f) for f in cfg.filters)
    if not out.hidden or any(not 1 <= h <= 4096 for h in out.hidden):
        raise ConfigError(f"hidden layer widths must be 1..4096, got {cfg.hidden!r}")
    if len(out.filters) != 3 or any(not 1 <= f <= 512 for f in out.filters):
        raise ConfigError(f"filters must be three numbers 1..512, got {cfg.filters!r}")
    return out

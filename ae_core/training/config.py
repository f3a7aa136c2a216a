"""What a training run is: its settings, their allowed ranges and the checks a user's values go through (no TensorFlow)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ae_core.data.catalog import dataset_key
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
    """A training configuration a user must fix; the message says what and how, `problems` lists each one."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


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
    vae_layers: str = "conv"  # the VAE's body: "conv" or "dense" (fast, for a quick map)
    dataset: str = "mnist"  # "mnist" or "fashion" (ae_core.data.catalog)
    augment: bool = False  # drawn-like variants of the training digits, new each epoch (ae_core.training.augment)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        d = asdict(self)
        d["hidden"], d["filters"] = list(self.hidden), list(self.filters)
        return d


#: "Quick 2-d VAE for a talk": a dense VAE with a 2-d code whose manifold shows recognisable digits within
#: about a minute on two cores, start to finish (`python bench/bench_training.py --preset` measures it).
TALK_PRESET = TrainConfig(kind="vae", vae_layers="dense", latent_dim=2, beta=1.0, epochs=10, train_size=12000,
                          batch_size=64, learning_rate=0.002)


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


def _whole(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"seed must be a whole number, got {value!r}") from None


def _layers(cfg: TrainConfig) -> tuple[tuple[int, ...], tuple[int, ...]]:
    try:
        hidden = tuple(int(h) for h in cfg.hidden)
    except (TypeError, ValueError):
        raise ConfigError(f"hidden layer widths must be 1..4096, got {cfg.hidden!r}") from None
    if not hidden or any(not 1 <= h <= 4096 for h in hidden):
        raise ConfigError(f"hidden layer widths must be 1..4096, got {cfg.hidden!r}")
    try:
        filters = tuple(int(f) for f in cfg.filters)
    except (TypeError, ValueError):
        raise ConfigError(f"filters must be three numbers 1..512, got {cfg.filters!r}") from None
    if len(filters) != 3 or any(not 1 <= f <= 512 for f in filters):
        raise ConfigError(f"filters must be three numbers 1..512, got {cfg.filters!r}")
    return hidden, filters


NUMBERS = (("epochs", True), ("batch_size", True), ("learning_rate", False), ("code_size", True),
           ("latent_dim", True), ("beta", False), ("noise_factor", False))


def _check(cfg: TrainConfig) -> tuple[TrainConfig, list[str]]:
    """A cleaned copy of `cfg` and the message of every field that is wrong (the copy is only valid without them)."""
    problems: list[str] = []
    if cfg.kind not in MODEL_KINDS:
        problems.append(f"model type must be one of {', '.join(MODEL_KINDS)}, got {cfg.kind!r}")
    if cfg.lr_schedule not in ("constant", "cosine"):
        problems.append(f"lr_schedule must be 'constant' or 'cosine', got {cfg.lr_schedule!r}")
    if not isinstance(cfg.augment, bool):
        problems.append(f"augment must be true or false, got {cfg.augment!r}")
    if cfg.vae_layers not in ("conv", "dense"):
        problems.append(f"vae_layers must be 'conv' or 'dense', got {cfg.vae_layers!r}")
    out = TrainConfig(**{**asdict(cfg)})
    checks = [(name, lambda n=name, i=integer: _number(n, getattr(cfg, n), i)) for name, integer in NUMBERS]
    if cfg.train_size is not None:
        checks.append(("train_size", lambda: _number("train_size", cfg.train_size, True)))
    checks.append(("seed", lambda: _whole(cfg.seed)))
    for name, check in checks:
        try:
            setattr(out, name, check())
        except ConfigError as e:
            problems.append(str(e))
    try:
        out.dataset = dataset_key(cfg.dataset)
    except ValueError as e:
        problems.append(str(e))
    try:
        out.hidden, out.filters = _layers(cfg)
    except ConfigError as e:
        problems.append(str(e))
    return out, problems


def config_problems(cfg: TrainConfig) -> list[str]:
    """Every problem with `cfg`, one message per bad field (empty when it is valid)."""
    return _check(cfg)[1]


def validate_config(cfg: TrainConfig) -> TrainConfig:
    """Return a cleaned copy of `cfg`, or raise ConfigError naming every bad field and its allowed range."""
    out, problems = _check(cfg)
    if problems:
        raise ConfigError("; ".join(problems), problems)
    return out

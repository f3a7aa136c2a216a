"""Training settings: every bad field is reported at once."""
from __future__ import annotations

import pytest

from ae_core.training.config import ConfigError, TrainConfig, config_problems, validate_config


def test_all_bad_fields_are_reported_together():
    cfg = TrainConfig(kind="vae", beta=-1.0, latent_dim=1000, epochs=2.5)
    problems = config_problems(cfg)
    assert problems == ["epochs must be a whole number, got 2.5", "latent_dim must be between 1 and 64, got 1000",
                        "beta must be between 0 and 100, got -1.0"]
    with pytest.raises(ConfigError) as e:
        validate_config(cfg)
    assert e.value.problems == problems
    assert all(p in str(e.value) for p in problems)


def test_a_valid_config_has_no_problems():
    assert config_problems(TrainConfig()) == []
    assert validate_config(TrainConfig(epochs="3")).epochs == 3

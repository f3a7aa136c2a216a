"""Fixtures for the figure tests."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded random generator, so figures are reproducible."""
    return np.random.default_rng(7)

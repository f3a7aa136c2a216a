"""Tests for ae_core.analysis.elbo's per-image terms (no TensorFlow: a fake VAE)."""
import numpy as np
import pytest

from ae_core.analysis.elbo import image_terms


class FakeVae:
    """Posterior N(mean, exp(log_var)) given by the class; logits +-L on the pixels of the first image's ink."""

    def __init__(self, mean, log_var, logit=5.0):
        self.mean, self.log_var, self.logit, self.seen = np.float32(mean), np.float32(log_var), logit, []

    def encode_stats(self, images):
        self.seen.append(np.array(images))
        n = len(images)
        return np.full((n, 2), self.mean, np.float32), np.full((n, 2), self.log_var, np.float32)

    def decode_logits(self, codes):
        ink = self.seen[-1] > 0.5
        return np.where(ink, self.logit, -self.logit).astype(np.float32)


def test_image_terms_score_the_binarised_digit_from_the_mean():
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 0.9
    image[0, 0] = 0.4  # gray, below the threshold: a background pixel of the target
    fake = FakeVae(mean=0.0, log_var=0.0)
    rec, kl = image_terms(fake, image)
    assert kl == pytest.approx(0.0, abs=1e-6)  # posterior = prior
    assert rec == pytest.approx(784 * np.log1p(np.exp(-5.0)), rel=1e-5)  # every pixel right, with confidence 5
    assert fake.seen[0].max() == pytest.approx(0.9)  # encoded as the app encodes it: gray levels, not binarised
    _, kl = image_terms(FakeVae(mean=1.0, log_var=0.0), image)
    assert kl == pytest.approx(1.0)  # 0.5 * |mu|^2 over two dimensions

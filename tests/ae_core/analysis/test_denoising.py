"""Tests for ae_core.analysis.denoising: error-vs-noise curves and per-image scores."""
import numpy as np
import pytest

from ae_core.analysis import denoising as D
from ae_core.data.noise import add_noise


@pytest.fixture
def digits():
    rng = np.random.default_rng(3)
    x = np.zeros((6, 28, 28), dtype="float32")
    x[:, 8:20, 10:18] = rng.uniform(0.5, 1.0, (6, 12, 8))
    return x


def test_curves_have_one_value_per_level_and_baseline_first(digits):
    calls = []

    def identity(batch):
        calls.append(batch.shape)
        return batch

    levels = [0.0, 0.5, 1.0]
    curves = D.noise_error_curves({"copy": identity}, digits, "masking", levels, seed=1)
    assert list(curves) == [D.NOISY_INPUT, "copy"]
    assert all(len(v) == 3 for v in curves.values())
    assert calls == [(18, 28, 28)]  # one call on every level stacked together
    # an identity "model" has exactly the error of its noisy input
    np.testing.assert_allclose(curves["copy"], curves[D.NOISY_INPUT])
    assert curves[D.NOISY_INPUT][0] == 0.0
    assert curves[D.NOISY_INPUT][0] < curves[D.NOISY_INPUT][1] < curves[D.NOISY_INPUT][2]


def test_curves_match_a_direct_computation(digits):
    perfect = {"oracle": lambda b: np.tile(digits, (len(b) // len(digits), 1, 1))}
    curves = D.noise_error_curves(perfect, digits, "gaussian", [0.3], seed=7, baseline=True)
    assert curves["oracle"] == [0.0]
    noisy = add_noise(digits, "gaussian", 0.3, seed=7)
    expected = np.mean((noisy - digits) ** 2, axis=(1, 2)).mean()
    assert curves[D.NOISY_INPUT][0] == pytest.approx(expected, rel=1e-6)


def test_curves_are_reproducible_and_seed_dependent(digits):
    f = {"half": lambda b: b * 0.5}
    a = D.noise_error_curves(f, digits, "salt_pepper", [0.2, 0.4], seed=0)
    b = D.noise_error_curves(f, digits, "salt_pepper", [0.2, 0.4], seed=0)
    c = D.noise_error_curves(f, digits, "salt_pepper", [0.2, 0.4], seed=1)
    assert a == b
    assert a != c


def test_curves_accept_channel_axis_and_reject_bad_input(digits):
    out = D.noise_error_curves({}, digits[..., None], "masking", [0.1], baseline=True)
    assert list(out) == [D.NOISY_INPUT]
    with pytest.raises(ValueError):
        D.noise_error_curves({}, np.zeros((0, 28, 28)), "masking", [0.1])
    with pytest.raises(ValueError):
        D.noise_error_curves({}, digits, "masking", [])
    with pytest.raises(ValueError):
        D.noise_error_curves({}, digits, "blur", [0.1])


def test_image_scores_and_format(digits):
    clean = digits[0]
    scores = D.image_scores(clean, {"same": clean, "dark": np.zeros_like(clean)})
    assert scores["same"][0] == 0.0 and scores["same"][1] == float("inf")
    assert scores["dark"][0] == pytest.approx(float(np.mean(clean ** 2)))
    assert D.format_score(scores["same"]) == "MSE 0.0000 · PSNR perfect"
    assert D.format_score((0.01, 20.0)) == "MSE 0.0100 · PSNR 20.0 dB"
    assert D.format_score((0.01, 20.0), sep="<br>") == "MSE 0.0100<br>PSNR 20.0 dB"

"""Names and labels of the shipped models (no TensorFlow import, so a page can list them instantly)."""
from __future__ import annotations

#: The shipped single models, in the order the app shows them.
SHIPPED_MODELS = {
    "dense": "Dense AE (16-value code)",
    "conv": "Conv AE (4x4x8 code)",
    "denoising": "Denoising AE",
    "vae2": "VAE, 2-d code",
    "vae16": "VAE, 16-d code",
}

#: The beta-VAE series (issue 12): MNIST 2-d VAEs trained by one command that differs only in --beta, as
#: {beta: file under the shipped folder, without .keras}. Beta 1 is the shipped vae2 (beta's default there).
BETA_SERIES = {0.25: "beta/vae2_beta0_25", 1.0: "vae2", 4.0: "beta/vae2_beta4"}

#: Families a user can build and train; "denoising" is the conv AE trained on noisy inputs.
MODEL_KINDS = ("dense", "conv", "denoising", "vae")

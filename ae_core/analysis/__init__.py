"""Numbers computed from model outputs: metrics, PCA, anomaly scores, denoising curves, latent tools."""

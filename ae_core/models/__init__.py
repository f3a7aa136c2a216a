"""Model definitions (Keras builders, the VAE), model files, sidecars and the catalog of shipped models."""

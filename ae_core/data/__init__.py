"""Datasets, shipped samples, image files, MNIST-style preprocessing and noise (no TensorFlow)."""

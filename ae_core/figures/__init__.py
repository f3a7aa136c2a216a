"""Plotly charts, images and the architecture diagram the pages show (no TensorFlow)."""

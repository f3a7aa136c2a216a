"""Answering the app: ONNX Runtime sessions for every model, the registry, the classifier (no TensorFlow)."""

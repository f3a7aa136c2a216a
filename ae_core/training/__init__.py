"""Training, evaluation and export with Keras: configs, fit, test figures, series, background jobs."""

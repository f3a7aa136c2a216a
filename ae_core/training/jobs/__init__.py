"""Background trainings: job folders, the one-at-a-time lock, the manager and the worker process."""

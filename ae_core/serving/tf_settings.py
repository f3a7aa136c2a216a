"""TensorFlow settings for a process that serves single images: small ops on one thread, models side by side.

Measured on the 2-core machines here (bench/bench_inference.py, all five models in one compiled call):
oneDNN's kernels and TensorFlow's intra-op thread pool are built for big batches, and on one 28x28 image
their start-up costs more than the arithmetic. With oneDNN off and one thread per op (independent models
still run in parallel on the inter-op pool) the call takes about 2/3 of the time. Batches lose by it, so
`ModelRunner` spreads a big batch over threads, and the training worker keeps TensorFlow's defaults.
"""
from __future__ import annotations

import os
import sys

#: Environment settings that must be in place before TensorFlow is imported.
SERVING_ENV = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}
#: Keys of SERVING_ENV this process set itself (a child process such as the trainer drops them again).
_set_here: set[str] = set()


def prepare_serving_environment() -> bool:
    """Apply SERVING_ENV (keeping any value the user set); False if TensorFlow was already imported."""
    if "tensorflow" in sys.modules:
        return False
    for key, value in SERVING_ENV.items():
        if key not in os.environ:
            os.environ[key] = value
            _set_here.add(key)
    return True


def configure_serving_threads() -> bool:
    """One thread per op, one op per core at once; False if TensorFlow had already started (then unchanged)."""
    import tensorflow as tf
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(parallel_workers())
    except RuntimeError:  # the runtime is initialised: settings can no longer change
        return False
    return True


def parallel_workers() -> int:
    """How many single-threaded ops can usefully run at once (the cores this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` without the serving-only settings this process made, so a training child gets TF's defaults."""
    return {k: v for k, v in env.items() if not (k in _set_here and k != "TF_CPP_MIN_LOG_LEVEL")}


def keep_kernel_cache_across_reruns() -> bool:
    """Stop Streamlit's after-run `keras.backend.clear_session()` from wiping TensorFlow's caches.

    Streamlit (1.67, `script_runner._clean_problem_modules`) calls it after every script run. That clears
    TensorFlow's kernel cache, so the next call of each compiled model re-optimised its graph: about 300 ms
    instead of 5 ms, on every redraw. Only that automatic call is skipped; any other caller still clears.
    Returns False if it was already in place.
    """
    import keras
    original = keras.backend.clear_session
    if getattr(original, "ae_lab_guard", False):
        return False

    def clear_session(*args, **kwargs):
        if sys._getframe(1).f_code.co_name == STREAMLIT_CLEANUP:
            return None
        return original(*args, **kwargs)

    clear_session.ae_lab_guard = True
    clear_session.__doc__ = original.__doc__
    keras.backend.clear_session = clear_session
    return True


#: The Streamlit function that clears the Keras session after each script run.
STREAMLIT_CLEANUP = "_clean_problem_modules"

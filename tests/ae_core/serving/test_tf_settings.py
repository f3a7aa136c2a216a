"""The serving settings: environment applied before TensorFlow, and kept away from the training worker."""
from __future__ import annotations

import subprocess
import sys

from ae_core.serving import tf_settings as serving


def test_worker_environment_drops_only_what_this_process_set(monkeypatch):
    monkeypatch.setattr(serving, "_set_here", {"TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL"})
    env = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/bin"}
    assert serving.worker_environment(env) == {"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/bin"}
    monkeypatch.setattr(serving, "_set_here", set())  # the user set it: the worker keeps it
    assert serving.worker_environment(env) == env


def test_prepare_refuses_once_tensorflow_is_imported():
    import tensorflow  # noqa: F401  (the test process has it anyway)
    assert serving.prepare_serving_environment() is False


def test_fresh_process_gets_serving_settings():
    code = ("import os; from ae_core.serving import tf_settings as serving; assert serving.prepare_serving_environment(); "
            "assert os.environ['TF_ENABLE_ONEDNN_OPTS'] == '0'; assert serving.configure_serving_threads(); "
            "import tensorflow as tf; print(tf.config.threading.get_intra_op_parallelism_threads(), "
            "tf.config.threading.get_inter_op_parallelism_threads() == serving.parallel_workers())")
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                         cwd=serving.__file__.rsplit("/ae_core/", 1)[0])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["1", "True"]


def test_streamlit_cleanup_no_longer_clears_the_keras_session(monkeypatch):
    import keras
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append("cleared"))
    assert serving.keep_kernel_cache_across_reruns() is True
    assert serving.keep_kernel_cache_across_reruns() is False  # installed once

    def _clean_problem_modules():  # the name of Streamlit's after-run cleanup
        sys.modules["keras"].backend.clear_session()

    _clean_problem_modules()
    assert calls == []
    keras.backend.clear_session()  # anyone else still clears
    assert calls == ["cleared"]


def test_streamlit_still_clears_keras_after_each_run_by_that_name():
    """If Streamlit renames or drops its cleanup, the guard above must follow (or can go)."""
    import inspect

    from streamlit.runtime.scriptrunner import script_runner
    cleanup = getattr(script_runner, serving.STREAMLIT_CLEANUP)
    assert "clear_session()" in inspect.getsource(cleanup)


def test_the_server_config_turns_off_streamlits_full_collection_after_every_run():
    """bench_sessions: 31 vs 17 strokes/s at 50 sessions; fails if the option is dropped or Streamlit renames it."""
    import tomllib
    from pathlib import Path

    from streamlit import config
    repo = Path(serving.__file__).resolve().parents[1]
    settings = tomllib.loads((repo / ".streamlit" / "config.toml").read_text())
    assert settings["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template  # an option this Streamlit still reads

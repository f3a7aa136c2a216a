"""The first page must render before TensorFlow (5+ s to import here) has loaded: its imports stay TF-free."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIRST_PAGE_IMPORTS = [
    "ae_core.serving.tf_settings", "ae_core.models.catalog", "ae_core.models.sidecars", "ae_core.models.architecture", "ae_core.figures.charts",
    "ae_core.data.preprocess", "ae_core.data.image_files", "ae_core.serving.registry", "pages.shared.resources",
    "pages.shared.widgets",
]


def test_first_page_modules_do_not_import_tensorflow():
    code = ("import importlib, sys\n"
            f"for name in {FIRST_PAGE_IMPORTS!r}:\n"
            "    importlib.import_module(name)\n"
            "    heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
            "    assert not heavy, f'{name} imports {heavy}'\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_registry_imports_tensorflow_in_its_thread(tmp_path):
    """Creating and starting the registry returns at once; the models (and TF) arrive from the loader thread,
    which then exempts them from Python's garbage collector (full collections took 350-480 ms each)."""
    code = ("import sys, time\n"
            "from ae_core.serving.registry import ModelRegistry\n"
            "calls = []\n"
            "t0 = time.perf_counter()\n"
            "reg = ModelRegistry(before_loading=lambda: calls.append('tensorflow' in sys.modules)).start()\n"
            "started = time.perf_counter() - t0\n"
            "assert reg.wait(300) and 'dense' in reg.models, reg.errors\n"
            "import gc\n"
            "print(started < 1.0, calls == [False], 'tensorflow' in sys.modules, gc.get_freeze_count() > 100000)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-4:] == ["True", "True", "True", "True"]  # the loaded models are frozen for gc


def test_head_start_delays_loading_until_a_page_waits(tmp_path):
    """start(after_s) leaves the first page's requests alone for a moment; a page that waits cuts it short."""
    import time

    from ae_core.serving.registry import ModelRegistry

    calls = []

    def hook():
        calls.append(time.perf_counter())
        raise RuntimeError("stop before loading anything")

    reg = ModelRegistry(tmp_path, before_loading=hook).start(after_s=60)
    time.sleep(0.5)
    assert calls == [] and not reg.ready  # still in its head start
    asked = time.perf_counter()
    assert reg.wait(30)
    assert len(calls) == 1 and calls[0] - asked < 5
    assert "stop before loading anything" in reg.errors["*"]

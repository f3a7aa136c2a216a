"""The app server's garbage-collector policy (pages/shared/heap.py), each case in a fresh interpreter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import gc, json, threading
from pages.shared.heap import THRESHOLDS, heap_policy

class Registry:  # stands in for ModelRegistry: its models open when the test says so
    def __init__(self):
        self.open = threading.Event()
    def wait_extras(self, timeout=None):
        return self.open.wait(timeout)

reg = Registry()
before = gc.get_threshold()
applied = heap_policy(reg)
frozen_while_loading = gc.get_freeze_count()
reg.open.set()
for t in threading.enumerate():
    if t.name == "heap-freeze":
        t.join(10)
print(json.dumps({"applied": applied, "before": before, "after": gc.get_threshold(), "wanted": THRESHOLDS,
                  "frozen_while_loading": frozen_while_loading, "frozen": gc.get_freeze_count()}))
"""


def _run(env_extra: dict[str, str]) -> dict:
    import json
    import os
    env = {k: v for k, v in os.environ.items() if k != "AE_LAB_GC_DEFAULTS"} | env_extra
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=REPO, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_policy_sets_thresholds_and_freezes_once_every_model_is_open():
    r = _run({})
    assert r["applied"] is True
    assert tuple(r["after"]) == tuple(r["wanted"]) != tuple(r["before"])
    assert r["frozen_while_loading"] == 0  # nothing is frozen before the models are open
    assert r["frozen"] > 10_000  # then the modules, Streamlit and the models are


def test_the_benchmarks_baseline_keeps_pythons_defaults():
    r = _run({"AE_LAB_GC_DEFAULTS": "1"})
    assert r["applied"] is False
    assert tuple(r["after"]) == tuple(r["before"])
    assert r["frozen"] == 0

"""The user model folder shared by every app process: names are claimed, never shared by two models."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from ae_core.models.user_library import list_models, reserve_name, unclaimed_reservations
from ae_core.paths import REPO_ROOT


def test_reserve_name_skips_taken_names_and_claims_its_own(tmp_path):
    (tmp_path / "model.keras").write_bytes(b"x")
    (tmp_path / "model-2.json").write_text("{}")
    assert reserve_name("model", tmp_path) == "model-3"
    assert (tmp_path / "model-3.json").read_bytes() == b""  # the claim: an empty sidecar
    assert reserve_name("model", tmp_path) == "model-4"
    assert reserve_name("other", tmp_path) == "other"


def test_processes_saving_at_the_same_moment_get_different_names(tmp_path):
    code = ("import sys, time; from pathlib import Path; from ae_core.models.user_library import reserve_name\n"
            "t = float(sys.argv[1])\nwhile time.time() < t: pass\n"
            "print(reserve_name('model', Path(sys.argv[2])))")
    start = str(time.time() + 1.5)  # every process asks at once
    procs = [subprocess.Popen([sys.executable, "-c", code, start, str(tmp_path)], cwd=REPO_ROOT, text=True,
                              stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
             for _ in range(6)]
    names = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert sorted(names) == sorted(["model", *(f"model-{i}" for i in range(2, 7))]), names


def test_abandoned_claims_are_found_and_invisible(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_LAB_HOME", str(tmp_path))
    folder = tmp_path / "models"
    name = reserve_name("gone", folder)
    (folder / "kept.json").write_bytes(b"")  # a claim whose model arrived
    (folder / "kept.keras").write_bytes(b"x")
    assert unclaimed_reservations(folder, older_than_s=3600) == []
    old = time.time() - 7200
    for p in folder.iterdir():
        os.utime(p, (old, old))
    assert unclaimed_reservations(folder, older_than_s=3600) == [folder / f"{name}.json"]
    assert [m.name for m in list_models()] == ["kept"]

"""The split between training and serving holds: what answers users never imports TensorFlow or Keras."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TF_FREE_PACKAGES = ("serving", "analysis", "figures", "data")
HEAVY = ("tensorflow", "keras", "tf2onnx")


def _modules(package: str) -> list[str]:
    root = REPO / "ae_core" / package
    return sorted("ae_core." + ".".join(p.relative_to(REPO / "ae_core").with_suffix("").parts).replace(".__init__", "")
                  for p in root.rglob("*.py"))


def _heavy_after_importing(modules: list[str]) -> dict[str, list[str]]:
    """{module: heavy libraries in sys.modules after importing it}, each module in the same fresh process."""
    code = ("import importlib, json, sys\n"
            f"out = {{}}\nfor name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            f"    out[name] = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print(json.dumps(out))\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    import json
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_serving_analysis_figures_and_data_import_neither_tensorflow_nor_keras():
    modules = [m for p in TF_FREE_PACKAGES for m in _modules(p)]
    assert len(modules) > 20
    heavy = _heavy_after_importing(modules)
    assert not any(heavy.values()), {m: h for m, h in heavy.items() if h}


def test_what_the_app_server_imports_is_tensorflow_free():
    server_side = ["ae_core.models.catalog", "ae_core.models.sidecars", "ae_core.models.architecture",
                   "ae_core.models.errors", "ae_core.models.user_library", "ae_core.models.onnx_export",
                   "ae_core.training.config", "ae_core.training.data_source", "ae_core.training.jobs.manager",
                   "pages.shared.resources", "pages.shared.widgets", "pages.shared.canvas",
                   "pages.shared.session_models", "pages.shared.cached_results", "pages.shared.digit_sources"]
    heavy = _heavy_after_importing(server_side)
    assert not any(heavy.values()), {m: h for m, h in heavy.items() if h}


def test_the_tensorflow_side_really_is_detected():
    """The check above can fail: the training code does import TensorFlow."""
    assert "tensorflow" in _heavy_after_importing(["ae_core.training.fit"])["ae_core.training.fit"]


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_engine_never_imports_streamlit_or_the_pages():
    offenders = {}
    for path in (REPO / "ae_core").rglob("*.py"):
        bad = {n for n in _imported_names(path) if n.split(".")[0] in ("streamlit", "pages")}
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert not offenders, offenders


def test_the_image_shape_is_defined_once():
    """784 and 28x28x1 live in ae_core.shapes; other modules import them."""
    offenders = []
    for path in (REPO / "ae_core").rglob("*.py"):
        if path.name == "shapes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple) and [getattr(e, "value", None) for e in node.elts] == [28, 28, 1]:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if isinstance(node, ast.Constant) and node.value == 784:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, offenders

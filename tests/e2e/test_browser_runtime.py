"""onnxruntime-web in the page: served by the app itself, pinned, and equal to Python's ONNX Runtime."""
from __future__ import annotations

import hashlib
import urllib.request

import numpy as np
import pytest
from playwright.sync_api import Page

from ae_core.data.datasets import load_sample, to_float_images
from ae_core.paths import ASSETS_DIR, SHIPPED_MODELS_DIR
from ae_core.serving.browser import browser_manifest
from ae_core.serving.runners import open_models
from tests.e2e.conftest import open_page

ORT_DIR = ASSETS_DIR / "web" / "ort" / "1.30.0"
PINNED = {"ort.wasm.bundle.min.mjs": "11e64bd8ffe11bd1a2a2f0d6275fdfbbba7262f0b76b99b53d228a8a22ef3d90",
          "ort-wasm-simd-threaded.wasm": "3398c10d07d229bd91b364548e130e0e51a8e5704b88c7c083ebbeb78842dee2"}
CORE = ("dense", "conv", "denoising", "vae2", "vae16")
#: The largest difference allowed between onnxruntime-web and Python's ONNX Runtime on the same inputs.
TOLERANCE = 1e-4

RUN_IN_PAGE = """async ([manifest, cases]) => {
  const { runtime } = await import(window.location.origin + "/app/static/web/js/runtime.js");
  const rt = await runtime(manifest);
  if (!rt.ok) return { error: rt.reason };
  const out = {};
  for (const [key, name, role, flat, dims] of cases) {
    const r = await rt.run(name, role, Float32Array.from(flat), dims);
    out[key] = r.outputs.map((o) => Array.from(o.data));
  }
  return { out, version: rt.version };
}"""


def test_the_runtime_files_are_pinned_and_licensed():
    assert (ORT_DIR / "LICENSE").read_text().startswith("MIT License")
    for name, sha in PINNED.items():
        assert hashlib.sha256((ORT_DIR / name).read_bytes()).hexdigest() == sha, name


def test_the_app_serves_the_runtime_and_the_models(streamlit_server):
    wasm = urllib.request.urlopen(streamlit_server + "/app/static/web/ort/1.30.0/ort-wasm-simd-threaded.wasm")
    assert wasm.headers["Content-Type"] == "application/wasm"
    assert hashlib.sha256(wasm.read()).hexdigest() == PINNED["ort-wasm-simd-threaded.wasm"]
    body = urllib.request.urlopen(streamlit_server + "/app/static/models/dense.onnx").read()
    assert body == (SHIPPED_MODELS_DIR / "dense.onnx").read_bytes()


@pytest.fixture(scope="module")
def served():
    models, errors = open_models(SHIPPED_MODELS_DIR, CORE)
    assert not errors
    return models


def test_onnxruntime_web_equals_python_onnx_runtime(app_page: Page, served):
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    x = to_float_images(load_sample("mnist")[0][:4])
    cases, want = [], {}
    for name, m in served.items():
        for role in m.functions:
            inp = m.encode(x) if role == "decoder" else x
            key = f"{name}/{role}"
            cases.append([key, name, role, inp.ravel().tolist(), list(inp.shape)])
            want[key] = m.functions[role](inp)
    got = page.evaluate(RUN_IN_PAGE, [browser_manifest(served), cases])
    assert "error" not in got, got.get("error")
    assert got["version"] == "1.30.0"
    worst = {}
    for key, outputs in want.items():
        assert len(got["out"][key]) == len(outputs), key
        for i, w in enumerate(outputs):
            g = np.asarray(got["out"][key][i], dtype=np.float32).reshape(w.shape)
            scale = np.maximum(np.abs(w), 1.0) if key.endswith("/decoder") and i == 1 else 1.0  # VAE logits ~100
            worst[f"{key}[{i}]"] = float((np.abs(g - w) / scale).max())
    assert max(worst.values()) <= TOLERANCE, worst


CHAIN_IN_PAGE = """async ([manifest, steps, flat]) => {
  const { runtime } = await import(window.location.origin + "/app/static/web/js/runtime.js");
  const rt = await runtime(manifest);
  if (!rt.ok) return { error: rt.reason };
  const done = await rt.chain(steps, Float32Array.from(flat), [1, 28, 28, 1]);
  return done.map((d) => Array.from(d.outputs[0].data));
}"""


def test_a_chain_of_runs_in_one_message_equals_python(app_page: Page, served):
    """The live views send a frame's every model as one chain (an encoder's code goes on to its decoder in the
    worker): each step's output equals Python's ONNX Runtime on the same digit."""
    page = app_page
    open_page(page, "/draw", "Draw & reconstruct")
    x = to_float_images(load_sample("mnist")[0][7:8])
    steps, want = [], []
    for name, m in served.items():
        if "model" in m.functions:
            steps.append({"name": name, "role": "model"})
            want.append(m.functions["model"](x)[0])
        z = m.encode(x)
        steps += [{"name": name, "role": "encoder"}, {"name": name, "role": "decoder", "from": [len(steps), 0]}]
        want += [z, m.functions["decoder"](z)[0]]
    got = page.evaluate(CHAIN_IN_PAGE, [browser_manifest(served), steps, x.ravel().tolist()])
    assert isinstance(got, list), got
    assert len(got) == len(steps)
    worst = max(float(np.abs(np.asarray(g, dtype=np.float32).reshape(w.shape) - w).max()) for g, w in zip(got, want))
    assert worst <= TOLERANCE, worst

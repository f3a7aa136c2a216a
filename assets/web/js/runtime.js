// The browser side of "ONNX serves": one onnxruntime-web worker per tab, shared by every view on the page.
// `runtime(manifest)` resolves to {ok, reason, run(name, role, input, dims), chain(steps, input, dims),
// load(name, role)}; when WebAssembly (or its SIMD) is missing or the worker fails to start, ok is false and the
// views fall back to answers from the server.
const STATIC_PATH = "/app/static/";  // where the app serves assets/ (ae_core.serving.browser.STATIC_URL)
const BASE = window.location.origin + STATIC_PATH + "web/";

// A tiny module using SIMD instructions: it validates only where WebAssembly SIMD exists
// (the probe onnxruntime-web itself uses)
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 30, 1, 28, 0, 65, 0,
  253, 15, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 186, 1, 26, 11]);

function unsupported() {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return "WebAssembly is not available";
  try { if (!WebAssembly.validate(SIMD_PROBE)) return "WebAssembly SIMD is not available"; } catch (e) { return "WebAssembly SIMD is not available"; }
  if (typeof Worker !== "function") return "Web Workers are not available";
  return null;
}

function start(manifest) {
  const why = unsupported();
  if (why) return Promise.resolve({ ok: false, reason: why });
  let worker;
  try { worker = new Worker(BASE + "js/ort-worker.js", { type: "module" }); }
  catch (e) { return Promise.resolve({ ok: false, reason: "the model worker could not start: " + e }); }
  let next = 1;
  const pending = new Map();
  worker.onmessage = (e) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    e.data.ok ? p.resolve(e.data) : p.reject(new Error(e.data.error));
  };
  const call = (msg, transfer) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...msg }, transfer || []);
  });
  const entry = (name, role) => {
    const m = manifest.models[name], f = m && m.files[role];
    if (!f) throw new Error(`no ${role} file for ${name}`);
    // keyed by file, not name: "dense" is a different model on each dataset
    return { key: `${f.path}@${f.sha256.slice(0, 16)}`, url: window.location.origin + manifest.base + f.path + "?v=" + f.sha256.slice(0, 16) };
  };
  const api = {
    ok: true, reason: "", base: BASE, manifest,
    load: (name, role) => call({ op: "load", model: entry(name, role) }),
    // input: Float32Array (copied, so the caller may reuse its buffer); resolves to {outputs: [{data, dims}], ms}
    run: (name, role, input, dims) => {
      const copy = new Float32Array(input);
      return call({ op: "run", model: entry(name, role), input: copy, dims }, [copy.buffer]);
    },
    // several runs in one worker message: steps [{name, role, from?: [step, output]}] (no `from`: `input`);
    // resolves to one {outputs, ms} per step
    chain: (steps, input, dims) => {
      const copy = new Float32Array(input);
      const plan = steps.map((st) => ({ model: entry(st.name, st.role), from: st.from || null }));
      return call({ op: "chain", steps: plan, input: copy, dims }, [copy.buffer]).then((r) => r.steps);
    },
  };
  return call({ op: "init", base: BASE })
    .then((info) => Object.assign(api, { version: info.version }))
    .catch((e) => { worker.terminate(); return { ok: false, reason: "onnxruntime-web failed to load: " + e.message }; });
}

// One runtime per page (every component's script shares this window), whatever the number of views; each
// view adds the models it uses to the one manifest, on every render (a rerun may bring another dataset's files
// under the same model names).
export function runtime(manifest) {
  const shared = (window.__aeLabManifest = window.__aeLabManifest || { base: manifest.base, models: {} });
  Object.assign(shared.models, manifest.models);
  if (!window.__aeLabRuntime) window.__aeLabRuntime = start(shared);
  return window.__aeLabRuntime;
}

// Start the page's runtime before any view needs it (a drawing pad calls this when it mounts): the worker and
// its WebAssembly are then ready by the time the first stroke ends. The views add their models later.
export function warm() {
  runtime({ base: STATIC_PATH, models: {} });
}

// Tell Python whether the runtime works, whenever what it knew (`known`: true, false or null) is not the truth.
// Sent a moment after the component's render: a value set while a component mounts can be dropped.
export function reportRuntime(rtPromise, known, setStateValue) {
  rtPromise.then((rt) => {
    if (known !== rt.ok) setTimeout(() => setStateValue("runtime", { ok: rt.ok, reason: rt.reason || "" }), 50);
  });
}

// Web Worker that runs the app's ONNX models on onnxruntime-web (single-threaded SIMD WebAssembly), so
// inference never blocks the page's pointer handling. One worker per browser tab, shared by every view.
// Messages in: {id, op: "init", base} | {id, op: "run", model: {key, url}, input: Float32Array, dims}
// Messages out: {id, ok: true, outputs: [{data, dims}], ms} | {id, ok: false, error}
let ort = null;
const sessions = new Map();  // key -> Promise<InferenceSession>
const CACHE = "ae-lab-models-v1";

async function init(base) {
  ort = await import(base + "ort/1.30.0/ort.wasm.bundle.min.mjs");
  ort.env.wasm.numThreads = 1;  // no cross-origin isolation needed
  // the .wasm by its full URL: then the bundle uses its own glue code instead of fetching a separate .mjs
  ort.env.wasm.wasmPaths = { wasm: base + "ort/1.30.0/ort-wasm-simd-threaded.wasm" };
  ort.env.logLevel = "error";
  return { version: ort.env.versions.web };
}

// Model files are fetched once per browser: their URLs carry the file's sha256, and the Cache API keeps them.
async function modelBytes(url) {
  let cache = null;
  try { cache = await caches.open(CACHE); } catch (e) { cache = null; }  // no Cache API (e.g. http on a LAN IP)
  if (cache) {
    const hit = await cache.match(url);
    if (hit) return new Uint8Array(await hit.arrayBuffer());
  }
  const resp = await fetch(url, { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  const bytes = new Uint8Array(await resp.clone().arrayBuffer());
  if (cache) { try { await cache.put(url, resp); } catch (e) { /* quota: fine, fetched again next time */ } }
  return bytes;
}

// Sessions are created one at a time: onnxruntime-web initialises its WebAssembly on the first create, and a
// second create during that initialisation fails ("multiple calls to initializeWebAssembly").
let creating = Promise.resolve();

function session(model) {
  if (!sessions.has(model.key)) {
    const bytes = modelBytes(model.url);
    const created = creating.then(() => bytes).then((b) => ort.InferenceSession.create(b, { executionProviders: ["wasm"] }));
    creating = created.catch(() => null);
    created.catch(() => sessions.delete(model.key));  // a failed load may be tried again
    sessions.set(model.key, created);
  }
  return sessions.get(model.key);
}

async function run(model, input, dims) {
  const s = await session(model);
  const t0 = performance.now();
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor("float32", input, dims) });
  const ms = performance.now() - t0;
  return { outputs: s.outputNames.map((n) => ({ data: out[n].data, dims: out[n].dims })), ms };
}

self.onmessage = async (e) => {
  const { id, op } = e.data;
  try {
    if (op === "init") self.postMessage({ id, ok: true, ...(await init(e.data.base)) });
    else if (op === "load") { await session(e.data.model); self.postMessage({ id, ok: true }); }
    else if (op === "run") {
      const r = await run(e.data.model, e.data.input, e.data.dims);
      self.postMessage({ id, ok: true, ...r }, r.outputs.map((o) => o.data.buffer));
    } else throw new Error(`unknown op ${op}`);
  } catch (err) {
    self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
  }
};

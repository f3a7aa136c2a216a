// Web Worker that runs the app's ONNX models on onnxruntime-web (single-threaded SIMD WebAssembly), so
// inference never blocks the page's pointer handling. One worker per browser tab, shared by every view.
// Messages in: {id, op: "init", base} | {id, op: "run", model: {key, url}, input: Float32Array, dims}
//   | {id, op: "chain", input, dims, steps: [{model, from}]}: several runs in one message; a step's input is
//     the message's input, or (from: [step, output]) an earlier step's output
// Messages out: {id, ok: true, outputs: [{data, dims}], ms} | {id, ok: true, steps: [{outputs, ms}]}
//   | {id, ok: false, error}
let ort = null;
const sessions = new Map();  // key -> Promise<InferenceSession>
const CACHE = "ae-lab-models-v1";

async function init(base) {
  ort = await import(base + "ort/1.30.0/ort.wasm.bundle.min.mjs");
  ort.env.wasm.numThreads = 1;  // no cross-origin isolation needed
  // the .wasm by its full URL: then the bundle uses its own glue code instead of fetching a separate .mjs
  ort.env.wasm.wasmPaths = { wasm: base + "ort/1.30.0/ort-wasm-simd-threaded.wasm" };
  ort.env.logLevel = "error";
  // onnxruntime-web fetches and compiles its WebAssembly on the first session; start that now, before any
  // view asks for a model. It has no call of its own for this: a session from no bytes sets the runtime up,
  // then fails on the empty model, which is expected and ignored.
  creating = ort.InferenceSession.create(new Uint8Array(0), { executionProviders: ["wasm"] }).catch(() => null);
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

// One message per frame for a view's every model, instead of one round trip per run: the page's main thread
// then handles one reply per frame, and an encoder's code goes on to its decoder without leaving the worker.
async function chain(steps, input, dims) {
  const done = [];
  for (const step of steps) {
    const src = step.from ? done[step.from[0]].outputs[step.from[1]] : { data: input, dims };
    done.push(await run(step.model, src.data, src.dims));
  }
  return done;
}

const buffers = (outputs) => [...new Set(outputs.map((o) => o.data.buffer))];

// Runs and chains are taken one message at a time: session.run yields between a chain's steps, and another
// view's run slipping in there would make the frame under the pen wait for it.
let running = Promise.resolve();
const inTurn = (task) => (running = running.then(task, task));

self.onmessage = async (e) => {
  const { op } = e.data;
  if (op === "run" || op === "chain") await inTurn(() => handle(e));
  else await handle(e);
};

async function handle(e) {
  const { id, op } = e.data;
  try {
    if (op === "init") self.postMessage({ id, ok: true, ...(await init(e.data.base)) });
    else if (op === "load") { await session(e.data.model); self.postMessage({ id, ok: true }); }
    else if (op === "run") {
      const r = await run(e.data.model, e.data.input, e.data.dims);
      self.postMessage({ id, ok: true, ...r }, buffers(r.outputs));
    } else if (op === "chain") {
      const steps = await chain(e.data.steps, e.data.input, e.data.dims);
      self.postMessage({ id, ok: true, steps }, buffers(steps.flatMap((st) => st.outputs)));
    } else throw new Error(`unknown op ${op}`);
  } catch (err) {
    self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
  }
}

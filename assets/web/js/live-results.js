// Live reconstructions: every model's copy of a digit (and its error map, MSE and, for a VAE, its code),
// computed in the browser by onnxruntime-web, repainted once per animation frame while a pad is drawn on.
// At most one inference is in flight; a newer drawing waits for it and then only the newest is computed.
import { reportRuntime, runtime } from "./runtime.js";
import { padDigit } from "./preprocess.js";
import { followPad, latestPerFrame } from "./frames.js";
import { PIXELS, mse, paintError, paintGray, pixelCanvas } from "./images.js";

// computeMs: request -> reply of a frame's runs (waits for a busy worker or main thread included); workMs: the
// frame's work itself (preprocessing, the runs inside the worker, painting); latencyMs: pointer -> repainted
const stats = (window.__aeLabStats = window.__aeLabStats || { computeMs: [], latencyMs: [], frames: 0 });
stats.workMs = stats.workMs || [];
stats.workParts = stats.workParts || [];  // [preprocessing, runs in the worker, painting] per frame

function cell(title, label) {
  const fig = document.createElement("figure");
  fig.className = "ae-fig";
  const canvas = pixelCanvas(label);
  const cap = document.createElement("figcaption");
  cap.className = "ae-caption";
  cap.innerHTML = title;
  fig.append(canvas, cap);
  return { fig, canvas, cap };
}

// Home's layout: input -> encoder -> the code's size -> decoder -> the copy, then the code's values.
function buildPipeline(root, data) {
  const m = data.models[0];
  const status = document.createElement("div");
  status.className = "ae-status";
  status.setAttribute("role", "status");
  const row = document.createElement("div");
  row.className = "ae-pipeline";
  const input = cell(`input: ${data.source}<br>(shrunk to 28x28, as MNIST)`, "The input digit, 28 by 28 pixels");
  const middle = document.createElement("div");
  middle.className = "ae-middle";
  const copy = cell("the autoencoder's copy", `${m.label}: its copy of the digit`);
  row.append(input.fig, middle, copy.fig);
  const code = document.createElement("p");
  code.className = "ae-code";
  const explain = document.createElement("p");
  root.append(status, row, code, explain);
  return { status, input, cells: [{ ...m, rec: copy }], code, pipeline: { middle, explain } };
}

function build(root, data) {
  root.innerHTML = "";
  if (data.layout === "pipeline") { root.style.setProperty("--ae-px", data.px + "px"); return buildPipeline(root, data); }
  root.style.setProperty("--ae-px", data.px + "px");
  const status = document.createElement("div");
  status.className = "ae-status";
  status.setAttribute("role", "status");
  const input = cell(`input: ${data.source}<br>(28x28, as MNIST)`, "The input digit, 28 by 28 pixels");
  input.fig.classList.add("ae-input");
  const grid = document.createElement("div");
  grid.className = "ae-row ae-models";
  grid.style.setProperty("--ae-n", String(data.models.length));
  const cells = data.models.map((m) => {
    const box = document.createElement("div");
    box.className = "ae-model";
    const title = document.createElement("div");
    title.className = "ae-model-title";
    title.textContent = m.label;
    const rec = cell("reconstruction", `${m.label}: reconstruction`);
    const err = cell("error map", `${m.label}: error map`);
    box.append(title, rec.fig, err.fig);
    grid.append(box);
    return { ...m, rec, err };
  });
  const code = document.createElement("p");
  code.className = "ae-code";
  root.append(status, input.fig, grid, code);
  return { status, input, grid, cells, code };
}

// The runs that give every model's copy of a digit (and the code, for a VAE or where the code is shown), as one
// worker chain: [{name, role, from}] plus, per model, where its copy and its code are among the steps' outputs.
function plan(cells, withCode) {
  const steps = [], where = [];
  for (const m of cells) {
    if (!m.is_vae && !withCode) { where.push({ rec: steps.length }); steps.push({ name: m.name, role: "model" }); continue; }
    const enc = steps.length;
    steps.push({ name: m.name, role: "encoder" }, { name: m.name, role: "decoder", from: [enc, 0] });
    where.push({ rec: enc + 1, z: enc });
  }
  return { steps, where };
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector(".ae-live");
  const fresh = !root;
  if (fresh) {
    root = document.createElement("div");
    root.className = "ae-live";
    parentElement.append(root);
  }
  if (root.dataKey !== JSON.stringify([data.models, data.px, data.source, data.pad])) {
    root.dataKey = JSON.stringify([data.models, data.px, data.source, data.pad]);
    root.view = build(root, data);
    root.lastX = null;
  }
  root.data = data;
  const pageRuntime = runtime(data.manifest);  // on every render: see runtime()
  if (!root.rt) {
    root.rt = pageRuntime.then((rt) => {
      if (!rt.ok) root.view.status.textContent = "";
      const roles = (m) => (m.is_vae || data.layout === "pipeline" ? ["encoder", "decoder"] : ["model"]);
      if (rt.ok) {
        const loads = data.models.flatMap((m) => roles(m).map((role) => rt.load(m.name, role)));
        Promise.all(loads).then(() => { root.dataset.ready = "1"; }, (e) => { root.view.status.textContent = "Live preview failed: " + e.message; });
      }
      return rt;
    });
  }
  reportRuntime(root.rt, data.known, setStateValue);

  async function compute(job) {
    const rt = await root.rt;
    if (!rt.ok) return;
    const v = root.view;
    const tPre = performance.now();
    let x = job.digit || (job.pixels ? padDigit(job.pixels) : null);
    const preMs = performance.now() - tPre;
    const example = !x && root.data.example;
    if (example) x = Float32Array.from(root.data.example.digit);
    root.classList.toggle("ae-empty", !x);
    if (!x) { v.status.textContent = root.data.empty; v.code.textContent = ""; return; }
    v.status.textContent = "";
    const t0 = performance.now();
    if (!v.plan) v.plan = plan(v.cells, !!v.pipeline);
    const done = await rt.chain(v.plan.steps, x, [1, 28, 28, 1]);
    const outs = v.plan.where.map((w) => ({ rec: done[w.rec].outputs[0].data, z: w.z === undefined ? undefined : done[w.z].outputs[0].data }));
    stats.computeMs.push(performance.now() - t0);
    const tPaint = performance.now();
    // the caption changes with the pictures, never before them (a first run waits for the models to load)
    if (v.pipeline) v.input.cap.innerHTML = "input: " + (example ? root.data.example.caption : `${root.data.source}<br>(shrunk to 28x28, as MNIST)`);
    paintGray(v.input.canvas, x);
    let codeText = "";
    v.cells.forEach((m, i) => {
      const rec = outs[i].rec, err = mse(x, rec);
      paintGray(m.rec.canvas, rec);
      if (v.pipeline) { showPipeline(v, outs[i].z, err); return; }
      paintError(m.err.canvas, x, rec);
      m.err.cap.innerHTML = `error map<br>MSE ${err.toFixed(4)}`;
      m.rec.canvas.setAttribute("aria-label", `${m.label}: reconstruction of ${root.data.source}, MSE ${err.toFixed(4)}`);
      if (m.name === root.data.code_model && outs[i].z)
        codeText = `The 2-d VAE places this digit at z = (${fmt(outs[i].z[0])}, ${fmt(outs[i].z[1])}) on its latent map.`;
    });
    v.code.textContent = codeText;
    const runsMs = done.reduce((sum, step) => sum + step.ms, 0), paintMs = performance.now() - tPaint;
    stats.workMs.push(preMs + runsMs + paintMs);
    stats.workParts.push([preMs, runsMs, paintMs]);
    stats.frames += 1;
    if (job.at) requestAnimationFrame(() => stats.latencyMs.push(performance.now() - job.at));
  }

  // one scheduler per view, kept across reruns, so a rerun never starts a second inference in flight
  if (!root.schedule) root.schedule = latestPerFrame((job) => root.compute(job), (e) => { root.view.status.textContent = "Live preview failed: " + e.message; });
  root.compute = compute;
  const schedule = root.schedule;

  const exampleKey = data.example ? data.example.caption + data.example.digit.length + data.example.digit[400] : "";
  // a new example shows while the pad is blank: ask for the drawing again, so it is recomputed now
  followPad(root, data.pad, schedule, fresh || exampleKey !== root.exampleKey);
  root.exampleKey = exampleKey;
  if (!data.pad && data.digit) {
    const key = data.digit.join(",");
    if (key !== root.lastX) { root.lastX = key; schedule({ digit: Float32Array.from(data.digit) }); }
  }
}

const fmt = (v) => (v >= 0 ? "+" : "") + v.toFixed(2);

function showPipeline(v, z, err) {
  const n = z.length;
  v.cells[0].rec.cap.innerHTML = `the autoencoder's copy<br>MSE ${err.toFixed(4)}`;
  v.pipeline.middle.innerHTML = `encoder →<br><b>${n}</b><br>numbers<br>→ decoder`;
  v.code.textContent = "The code the decoder rebuilt it from: " + Array.from(z, (c) => (c >= 0 ? "+" : "") + c.toFixed(1)).join("  ");
  v.pipeline.explain.innerHTML = `784 pixel values went in, only <b>${n}</b> numbers came out of the encoder ` +
    `(${Math.round(784 / n)}x fewer), and the decoder redrew the digit from them.`;
}

// Interpolation scrubber: a range slider along the straight path between two codes, each position decoded in the
// browser as the thumb moves (once per animation frame, one inference in flight). The live map rings the
// current position (it listens to FRAME_EVENT).
import { latestPerFrame } from "./frames.js";
import { reportRuntime, runtime } from "./runtime.js";
import { paintGray, pixelCanvas } from "./images.js";

const FRAME_EVENT = "ae-lab:latent-frame";  // the same name as live-latent.js's FRAME_EVENT
const POSITIONS = 100;  // slider positions between the two ends: finer than the server's frames
const stats = (window.__aeLabStats = window.__aeLabStats || { computeMs: [], latencyMs: [], frames: 0 });
const live = (stats.interpolate = stats.interpolate || { frames: 0, z: null, image: null });
const fmt = (v) => (v >= 0 ? "+" : "") + v.toFixed(2);
const r3 = (v) => Math.round(v * 1000) / 1000;

function build(root, data) {
  root.innerHTML = "";
  const wrap = document.createElement("div");
  wrap.className = "ae-scrub";
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "range";
  input.min = "0";
  input.max = String(POSITIONS);
  input.step = "1";
  input.value = "0";
  input.dataset.testid = "ae-scrub";
  input.id = "ae-scrub-" + Math.random().toString(36).slice(2);
  label.htmlFor = input.id;
  label.textContent = "Scrub along the path";
  const fig = document.createElement("figure");
  fig.className = "ae-fig";
  fig.style.width = data.px + "px";
  fig.style.maxWidth = "100%";
  const canvas = pixelCanvas("The decoded frame");
  const cap = document.createElement("figcaption");
  cap.className = "ae-caption";
  cap.dataset.testid = "ae-scrub-z";
  fig.append(canvas, cap);
  wrap.append(label, input, fig);
  root.append(wrap);
  return { input, canvas, cap };
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector(".ae-interp");
  if (!root) {
    root = document.createElement("div");
    root.className = "ae-live ae-interp";
    parentElement.append(root);
    root.view = build(root, data);
  }
  root.data = data;
  const pageRuntime = runtime(data.manifest);  // on every render: see runtime()
  if (!root.rt) {
    root.rt = pageRuntime;
  }
  reportRuntime(root.rt, data.known, setStateValue);
  const v = root.view;

  const at = () => {  // the slider's code, and the nearest of the server's frames
    const t = Number(v.input.value) / POSITIONS, d = root.data;
    const z = [r3(d.start[0] + t * (d.end[0] - d.start[0])), r3(d.start[1] + t * (d.end[1] - d.start[1]))];
    return { t, z, frame: Math.round(t * (d.steps - 1)) + 1 };
  };
  async function decode(job) {
    const rt = await root.rt;
    if (!rt.ok) return;
    const out = await rt.run(root.data.model, "decoder", Float32Array.of(job.z[0], job.z[1]), [1, 2]);
    paintGray(v.canvas, out.outputs[0].data);
    const text = `t = ${job.t.toFixed(2)} (near frame ${job.frame} of ${root.data.steps}), z = (${fmt(job.z[0])}, ${fmt(job.z[1])})`;
    v.cap.textContent = text;
    v.input.setAttribute("aria-valuetext", text);
    Object.assign(live, { z: job.z, image: out.outputs[0].data, frames: live.frames + 1 });
  }
  // one scheduler per view, kept across reruns (the newest position per frame, one decode in flight)
  if (!root.queue) root.queue = latestPerFrame((job) => root.decode(job), (e) => { root.view.cap.textContent = "Live decoding failed: " + e.message; });
  root.decode = decode;
  function schedule() {
    const job = at();
    live.at = job.z;
    window.dispatchEvent(new CustomEvent(FRAME_EVENT, { detail: { z: job.z } }));
    root.queue(job);
  }
  v.input.oninput = schedule;
  const key = JSON.stringify([data.start, data.end, data.steps]);
  if (root.key !== key) { root.key = key; schedule(); }
}

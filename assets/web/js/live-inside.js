// Look inside the conv AE: every layer's activations for the digit being drawn, each channel a small heat map,
// from the input down to the 4x4x8 code and back up, recomputed in the browser while the pen moves.
import { reportRuntime, runtime } from "./runtime.js";
import { padDigit } from "./preprocess.js";
import { followPad, latestPerFrame } from "./frames.js";
import { paintChannels, paintGray, pixelCanvas } from "./images.js";

const WHAT = {
  Conv2D: "convolution: each map is one learned 3x3 filter's response",
  MaxPooling2D: "max-pooling: keeps the strongest response in each 2x2 block",
  UpSampling2D: "upsampling: repeats each value into a 2x2 block",
};

function build(root, data) {
  root.innerHTML = "";
  const status = document.createElement("div");
  status.className = "ae-status";
  status.setAttribute("role", "status");
  status.textContent = data.empty;
  root.append(status);
  const rows = [];
  const input = document.createElement("section");
  input.className = "ae-layer";
  input.innerHTML = '<h4>input <span>28x28x1</span></h4>';
  const inCanvas = pixelCanvas("The input digit");
  inCanvas.classList.add("ae-map");
  input.append(inCanvas);
  root.append(input);
  for (const layer of data.layers) {
    const sec = document.createElement("section");
    sec.className = "ae-layer" + (layer.name === data.code_layer ? " ae-code-layer" : "");
    const [h, w, c] = layer.shape;
    const title = document.createElement("h4");
    title.innerHTML = `${layer.part === "encoder" ? "encoder" : "decoder"}: ${layer.name} <span>${h}x${w}x${c}</span>` +
      (layer.name === data.code_layer ? " <em>the code</em>" : "");
    const note = document.createElement("p");
    note.textContent = WHAT[layer.type] || layer.type;
    const cols = Math.min(c, 16);
    const sheet = document.createElement("canvas");
    sheet.className = "ae-sheet";
    sheet.setAttribute("role", "img");
    sheet.setAttribute("aria-label", `${layer.name}: ${c} channel map${c > 1 ? "s" : ""} of ${h} by ${w} values`);
    // each channel shown about 44 CSS px wide (the code's 4x4 maps larger), whatever its resolution
    const tile = layer.name === data.code_layer ? 64 : 44;
    sheet.style.width = `min(100%, ${cols * tile + (cols - 1) * 2}px)`;
    sec.append(title, note, sheet);
    root.append(sec);
    rows.push({ layer, sheet, h, w, c, cols });
  }
  return { status, inCanvas, rows };
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector(".ae-inside");
  const fresh = !root;
  if (fresh) {
    root = document.createElement("div");
    root.className = "ae-inside";
    parentElement.append(root);
    root.view = build(root, data);
  }
  root.data = data;
  const pageRuntime = runtime(data.manifest);  // on every render: see runtime()
  if (!root.rt) {
    root.rt = pageRuntime.then((rt) => {
      if (rt.ok) rt.load(data.model, "activations");
      return rt;
    });
  }
  reportRuntime(root.rt, data.known, setStateValue);

  async function compute(job) {
    const rt = await root.rt;
    if (!rt.ok) return;
    const v = root.view;
    const x = job.digit || (job.pixels ? padDigit(job.pixels) : null);
    root.classList.toggle("ae-empty", !x);
    if (!x) { v.status.textContent = root.data.empty; return; }
    v.status.textContent = "";
    const r = await rt.run(root.data.model, "activations", x, [1, 28, 28, 1]);
    paintGray(v.inCanvas, x);
    v.rows.forEach((row, i) => paintChannels(row.sheet, r.outputs[i].data, row.h, row.w, row.c, row.cols));
  }

  if (!root.schedule) root.schedule = latestPerFrame((job) => root.compute(job), (e) => { root.view.status.textContent = "The look inside failed: " + e.message; },
    { background: true });
  root.compute = compute;
  const schedule = root.schedule;

  followPad(root, data.pad, schedule, fresh);
  if (!data.pad && data.digit) {
    const key = data.digit.join(",");
    if (key !== root.lastX) { root.lastX = key; schedule({ digit: Float32Array.from(data.digit) }); }
  }
}

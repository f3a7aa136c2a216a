// Live denoising: a noise type, an amount slider and "New noise" inside the component; the noisy digit and
// both models' outputs (with MSE and PSNR, as ae_core.analysis.denoising.format_score writes them) are
// recomputed in the browser once per animation frame while the slider moves, with no Streamlit rerun.
// Python hears the settings only when they settle (slider released, type changed, new noise), to move the
// marker of its error-vs-noise curve. At most one inference is in flight; meanwhile only the newest waits.
import { latestPerFrame } from "./frames.js";
import { reportRuntime, runtime } from "./runtime.js";
import { addNoise } from "./noise.js";
import { mse, paintGray, pixelCanvas } from "./images.js";

const stats = (window.__aeLabStats = window.__aeLabStats || { computeMs: [], latencyMs: [], frames: 0 });
stats.denoiseFrames = stats.denoiseFrames || 0;
// Key presses on the slider each fire `change`: report a burst of them as one rerun.
const REPORT_DELAY_MS = 250;

function cell(label) {
  const fig = document.createElement("figure");
  fig.className = "ae-fig";
  const canvas = pixelCanvas(label);
  const cap = document.createElement("figcaption");
  cap.className = "ae-caption";
  fig.append(canvas, cap);
  return { fig, canvas, cap };
}

// 'MSE 0.0123<br>PSNR 19.1 dB'; an exact copy reads 'PSNR perfect' (format_score with sep "<br>").
export function formatScore(err, sep = "<br>") {
  const db = err === 0 ? Infinity : 10 * Math.log10(1 / err);
  return `MSE ${err.toFixed(4)}${sep}PSNR ${Number.isFinite(db) ? db.toFixed(1) + " dB" : "perfect"}`;
}

function build(root, data, id) {
  root.innerHTML = "";
  root.style.setProperty("--ae-px", data.px + "px");
  const controls = document.createElement("div");
  controls.className = "ae-controls";
  const kindBox = document.createElement("div");
  const kindLabel = document.createElement("label");
  kindLabel.textContent = "Noise type";
  kindLabel.htmlFor = id + "-kind";
  const kind = document.createElement("select");
  kind.id = id + "-kind";
  for (const k of data.kinds) kind.append(new Option(k.label, k.value));
  kindBox.append(kindLabel, kind);
  const amountBox = document.createElement("div");
  amountBox.className = "ae-amount";
  const amountLabel = document.createElement("label");
  amountLabel.htmlFor = id + "-amount";
  amountLabel.textContent = "Amount ";
  const shown = document.createElement("output");
  shown.htmlFor = id + "-amount";
  amountLabel.append(shown);
  const amount = document.createElement("input");
  Object.assign(amount, { type: "range", min: "0", max: "1", step: "0.01", id: id + "-amount" });
  const help = document.createElement("div");
  help.className = "ae-help";
  help.id = id + "-help";
  amount.setAttribute("aria-describedby", help.id);
  amountBox.append(amountLabel, amount);
  const reseed = document.createElement("button");
  reseed.type = "button";
  reseed.textContent = "New noise";
  reseed.title = "Draw a fresh random noise pattern";
  controls.append(kindBox, amountBox, reseed, help);
  const status = document.createElement("div");
  status.className = "ae-status";
  status.setAttribute("role", "status");
  const row = document.createElement("div");
  row.className = "ae-row ae-denoise-row";
  row.style.gridTemplateColumns = `repeat(${2 + data.models.length}, minmax(0, var(--ae-px)))`;
  const clean = cell(`Clean digit: ${data.source}`);
  const noisy = cell("Noisy input");
  const outs = data.models.map((m) => ({ ...m, ...cell(`${m.label}: output from the noisy input`) }));
  row.append(clean.fig, noisy.fig, ...outs.map((o) => o.fig));
  const verdict = document.createElement("p");
  verdict.className = "ae-code ae-verdict";
  root.append(controls, status, row, verdict);
  return { kind, amount, shown, help, reseed, status, row, clean, noisy, outs, verdict };
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector(".ae-live");
  if (!root) {
    root = document.createElement("div");
    root.className = "ae-live ae-denoise";
    parentElement.append(root);
  }
  root.hidden = !data.live; // mounted while the runtime is unknown or absent only to report it: the server shows the page
  const viewKey = JSON.stringify([data.models, data.px, data.source, data.kinds]);
  if (root.viewKey !== viewKey) {
    root.viewKey = viewKey;
    root.view = build(root, data, "ae-dn-" + Math.random().toString(36).slice(2, 8));
    root.wire = true;
    root.lastKey = null;
  }
  const v = root.view;
  root.data = data;
  root.setState = setStateValue;
  const clean = Float32Array.from(data.digit);
  root.clean = clean;
  // Python's settings lead until the live view is shown; from then on the controls here do.
  if (!data.live || !root.wasLive || !root.settings) root.settings = { ...data.settings };
  root.wasLive = !!data.live;

  const pageRuntime = runtime(data.manifest);  // on every render: see runtime()
  if (!root.rt) {
    root.rt = pageRuntime.then((rt) => {
      if (rt.ok) for (const m of data.models) rt.load(m.name, "model");
      return rt;
    });
    reportRuntime(root.rt, data.known, setStateValue);
  }

  let reportTimer = null;
  const report = (delay) => {
    clearTimeout(reportTimer);
    reportTimer = setTimeout(() => {
      const s = root.settings, key = JSON.stringify(s);
      if (key !== root.reported) { root.reported = key; root.setState("settings", { ...s }); }
    }, delay);
  };

  function showControls() {
    const s = root.settings, k = root.data.kinds.find((x) => x.value === s.kind);
    v.kind.value = s.kind;
    v.amount.value = String(s.amount);
    v.shown.textContent = Number(s.amount).toFixed(2);
    v.help.textContent = k ? k.help : "";
  }

  async function compute(job) {
    const rt = await root.rt;
    if (!rt.ok) return;
    const { kind, amount, seed } = job;
    const x = root.clean;
    const t0 = performance.now();
    const noisy = addNoise(x, kind, amount, seed);
    const outs = await Promise.all(v.outs.map((m) => rt.run(m.name, "model", noisy, [1, 28, 28, 1])));
    stats.computeMs.push(performance.now() - t0);
    v.status.textContent = "";
    paintGray(v.clean.canvas, x);
    v.clean.cap.textContent = `clean: ${root.data.source}`;
    paintGray(v.noisy.canvas, noisy);
    const noisyErr = mse(x, noisy);
    v.noisy.cap.innerHTML = `noisy input<br>${formatScore(noisyErr)}`;
    v.noisy.canvas.setAttribute("aria-label", `Noisy input, ${formatScore(noisyErr, ", ")}`);
    const errs = v.outs.map((m, i) => {
      const rec = outs[i].outputs[0].data, err = mse(x, rec);
      paintGray(m.canvas, rec);
      m.cap.innerHTML = `<b>${escapeHtml(m.label)}</b><br>${formatScore(err)}`;
      m.canvas.setAttribute("aria-label", `${m.label}: output from the noisy input, ${formatScore(err, ", ")}`);
      return [m.label, err];
    });
    if (errs.length !== 2) v.verdict.textContent = "";
    else if (amount === 0) v.verdict.textContent = "No noise: both models just copy the clean digit.";
    else {
      const [[a, ea], [b, eb]] = errs;
      v.verdict.innerHTML = `Here the <b>${escapeHtml(ea < eb ? a : b)}</b> gets closer to the clean digit ` +
        `(MSE ${Math.min(ea, eb).toFixed(4)} against ${Math.max(ea, eb).toFixed(4)}).`;
    }
    root.dataset.frames = String(++stats.denoiseFrames);
    root.dataset.shown = JSON.stringify(job);
    if (job.at) requestAnimationFrame(() => stats.latencyMs.push(performance.now() - job.at));
  }

  // one scheduler per view, kept across reruns (the newest settings per frame, one inference in flight)
  if (!root.queue) root.queue = latestPerFrame((job) => root.compute(job), (e) => { root.view.status.textContent = "Live preview failed: " + e.message; });
  root.compute = compute;
  const schedule = () => root.queue({ ...root.settings, at: performance.now() });

  if (root.wire) {
    root.wire = false;
    v.amount.addEventListener("input", () => {
      root.settings = { ...root.settings, amount: Number(v.amount.value) };
      v.shown.textContent = root.settings.amount.toFixed(2);
      schedule();
    });
    v.amount.addEventListener("change", () => report(REPORT_DELAY_MS));
    v.kind.addEventListener("change", () => {
      root.settings = { ...root.settings, kind: v.kind.value };
      showControls();
      schedule();
      report(0);
    });
    v.reseed.addEventListener("click", () => {
      root.settings = { ...root.settings, seed: (root.settings.seed + 1) >>> 0 };
      schedule();
      report(0);
    });
  }
  showControls();
  if (!data.live) return;
  const key = JSON.stringify([data.digit.length, data.digit.slice(0, 784).join(","), root.settings]);
  if (key !== root.lastKey) { root.lastKey = key; schedule(); }
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

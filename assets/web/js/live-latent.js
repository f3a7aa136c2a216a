// Live latent map: the 2-d VAE's code plane drawn in the browser, decoding wherever the mouse (or the keyboard
// cursor) is, once per animation frame with at most one inference in flight. The dots are painted once on their
// own canvas; the cross, the pinned point, the user's star and the interpolation path live on an overlay canvas,
// so moving them never repaints the few thousand dots. A click (or Enter) pins the point: the component sends
// `pinned` and Python moves the z sliders.
import { reportRuntime, runtime } from "./runtime.js";
import { followPad, latestPerFrame } from "./frames.js";
import { paintGray, pixelCanvas } from "./images.js";

const stats = (window.__aeLabStats = window.__aeLabStats || { computeMs: [], latencyMs: [], frames: 0 });
const live = (stats.latent = stats.latent || { frames: 0, z: null, image: null, star: null, pins: 0 });

// The interpolation scrubber (live-interpolate.js) announces its current code on this event; the map rings it.
export const FRAME_EVENT = "ae-lab:latent-frame";

const MARGIN = { left: 48, right: 12, top: 10, bottom: 42 };
const SNAP_PX = 5;  // a click this close to a dot pins the dot's own code (its test digit is then shown too)
const ACCENT = "#d62728", INK = "#222222";
const fmt = (v) => (v >= 0 ? "+" : "") + v.toFixed(2);
const r3 = (v) => Math.round(v * 1000) / 1000;  // z as sent to Python and decoded: 3 decimals, like the codes

// preprocess.js is imported lazily so that the map works even while (or where) the drawing's star cannot.
let preprocess = null;
function padDigitLater() {
  if (!preprocess) preprocess = import("./preprocess.js").catch((e) => { preprocess = null; throw e; });
  return preprocess.then((m) => m.padDigit);
}

function geometry(px) {
  const plot = Math.max(120, px - MARGIN.left - MARGIN.right);
  return { plot, width: MARGIN.left + plot + MARGIN.right, height: MARGIN.top + plot + MARGIN.bottom };
}

function hiDpi(canvas, g) {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  canvas.width = Math.round(g.width * dpr);
  canvas.height = Math.round(g.height * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

// The map's side: data.px, shrunk so the decoded digit fits beside it in the column (down to a usable size;
// below that the digit goes under the map).
function mapSide(root, data) {
  const avail = root.clientWidth || 0, beside = avail - data.decoded_px - 40;  // the gap, and slack
  if (!avail) return data.px;
  return Math.round(beside >= 340 ? Math.min(data.px, beside) : Math.min(data.px, avail));
}

function build(root, data) {
  root.innerHTML = "";
  const g = geometry(mapSide(root, data));
  const title = document.createElement("div");
  title.className = "ae-latent-title";
  title.textContent = data.title;
  const legend = document.createElement("div");
  legend.className = "ae-legend";
  legend.setAttribute("aria-hidden", "true");  // the map's own text names the nearest digit
  const names = data.class_names || data.colors.map((c, d) => String(d));
  legend.innerHTML = `<span class="ae-legend-name">${data.legend_title || "digit"}</span>` + data.colors.map((c, d) =>
    `<span class="ae-legend-item"><i style="background:${c}"></i>${names[d]}</span>`).join("");
  const body = document.createElement("div");
  body.className = "ae-latent-body";
  const box = document.createElement("div");
  box.className = "ae-map";
  box.style.width = g.width + "px";
  box.style.aspectRatio = `${g.width} / ${g.height}`;
  const dots = document.createElement("canvas");
  dots.className = "ae-dots";
  dots.setAttribute("aria-hidden", "true");
  const overlay = document.createElement("canvas");
  overlay.className = "ae-overlay";
  overlay.dataset.testid = "ae-latent-map";
  overlay.tabIndex = 0;
  overlay.setAttribute("role", "slider");
  overlay.setAttribute("aria-roledescription", "2-d latent map");
  overlay.setAttribute("aria-label", "Latent map of the 2-d VAE: arrow keys move the cursor and decode, Enter pins the point");
  overlay.setAttribute("aria-valuemin", String(-data.lim));
  overlay.setAttribute("aria-valuemax", String(data.lim));
  box.append(dots, overlay);
  const aside = document.createElement("figure");
  aside.className = "ae-fig ae-decoded";
  aside.style.width = data.decoded_px + "px";
  const canvas = pixelCanvas("What the decoder draws at the cursor");
  canvas.dataset.testid = "ae-latent-decoded";
  const cap = document.createElement("figcaption");
  cap.className = "ae-caption";
  cap.dataset.testid = "ae-latent-z";
  const hint = document.createElement("p");
  hint.className = "ae-hint";
  hint.textContent = "Hover or drag on the map to decode; click (or Enter) to pin the point.";
  aside.append(canvas, cap, hint);
  body.append(box, aside);
  const status = document.createElement("div");
  status.className = "ae-status";
  status.setAttribute("role", "status");
  root.append(title, legend, status, body);
  const v = { g, dots, overlay, canvas, cap, status };
  paintDots(v, data);
  return v;
}

function toPx(v, lim, z) {  // z -> CSS px inside the map box
  const s = v.g.plot / (2 * lim);
  return [MARGIN.left + (z[0] + lim) * s, MARGIN.top + (lim - z[1]) * s];
}

function paintDots(v, data) {
  const ctx = hiDpi(v.dots, v.g), lim = data.lim, P = v.g.plot;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, v.g.width, v.g.height);
  ctx.font = "12px sans-serif";
  ctx.fillStyle = "#374151";
  ctx.strokeStyle = "#eceff3";
  ctx.lineWidth = 1;
  const ticks = [];
  const tick = lim >= 4 ? 2 : 1;
  for (let t = -Math.floor(lim / tick) * tick; t <= lim + 1e-9; t += tick) ticks.push(t);
  for (const t of ticks) {  // grid lines and tick labels, in z units
    const [x, y] = toPx(v, lim, [t, t]);
    ctx.beginPath(); ctx.moveTo(x, MARGIN.top); ctx.lineTo(x, MARGIN.top + P); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(MARGIN.left, y); ctx.lineTo(MARGIN.left + P, y); ctx.stroke();
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.fillText(String(t), x, MARGIN.top + P + 5);
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(String(t), MARGIN.left - 6, y);
  }
  ctx.strokeStyle = "#9e9e9e";
  ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, P - 1, P - 1);
  ctx.font = "13px sans-serif";
  ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  ctx.fillText("z1", MARGIN.left + P / 2, v.g.height - 2);
  ctx.save();
  ctx.translate(12, MARGIN.top + P / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText("z2", 0, 0);
  ctx.restore();
  const { x, y, labels } = data.codes, r = data.dot_radius;
  ctx.save();
  ctx.beginPath(); ctx.rect(MARGIN.left, MARGIN.top, P, P); ctx.clip();
  ctx.globalAlpha = 0.7;
  for (let d = 0; d < data.colors.length; d++) {  // class by class, like the server's traces
    ctx.fillStyle = data.colors[d];
    ctx.beginPath();
    for (let i = 0; i < x.length; i++) {
      if (labels[i] % data.colors.length !== d) continue;
      const [px, py] = toPx(v, lim, [x[i], y[i]]);
      ctx.moveTo(px + r, py);
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  ctx.restore();
}

function cross(ctx, x, y, size, color) {
  ctx.lineCap = "round";
  for (const [w, c] of [[6, "#fff"], [3, color]]) {
    ctx.strokeStyle = c; ctx.lineWidth = w;
    ctx.beginPath();
    ctx.moveTo(x - size, y - size); ctx.lineTo(x + size, y + size);
    ctx.moveTo(x - size, y + size); ctx.lineTo(x + size, y - size);
    ctx.stroke();
  }
}

function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5, rr = k % 2 ? r * 0.45 : r;
    ctx[k ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = INK; ctx.strokeStyle = "#fff"; ctx.lineWidth = 2;
  ctx.fill(); ctx.stroke();
}

function ring(ctx, x, y, r, color, width) {
  ctx.strokeStyle = color; ctx.lineWidth = width;
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
}

function nearest(codes, z) {  // the test digit whose code is closest to z: [row, squared distance]
  let best = -1, dist = Infinity;
  for (let i = 0; i < codes.x.length; i++) {
    const d = (codes.x[i] - z[0]) ** 2 + (codes.y[i] - z[1]) ** 2;
    if (d < dist) { dist = d; best = i; }
  }
  return [best, dist];
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector(".ae-latent");
  const fresh = !root;
  if (fresh) {
    root = document.createElement("div");
    root.className = "ae-live ae-latent";
    parentElement.append(root);
  }
  root.data = data;
  root.opened = root.opened || new Set();
  // a model by its files: another dataset brings other files under the same names
  const opened = (name) => name + "@" + Object.values(data.manifest.models[name].files).map((f) => f.sha256).join(",");
  const unopened = Object.keys(data.manifest.models).filter((name) => !root.opened.has(opened(name)));
  const pageRuntime = runtime(data.manifest);  // on every render: see runtime()
  if (!root.rt || unopened.length) {  // every model the page may switch the map to is opened up front: a switch is instant
    unopened.forEach((name) => root.opened.add(opened(name)));
    root.rt = pageRuntime.then((rt) => {
      if (rt.ok) for (const name of unopened) for (const role of ["encoder", "decoder"]) rt.load(name, role);
      return rt;
    });
  }
  reportRuntime(root.rt, data.known, setStateValue);
  if (data.probe) {  // only asks the browser about its runtime; the server's map is on the page meanwhile
    root.innerHTML = "";
    root.view = null;
    root.viewKey = null;
    return;
  }
  const viewKey = JSON.stringify([data.model, data.px, mapSide(root, data), data.lim, data.codes.x.length, data.codes.x.slice(0, 5), data.title]);
  if (root.viewKey !== viewKey) {
    root.viewKey = viewKey;
    root.view = build(root, data);
    root.cursor = null;   // where the mouse or keyboard cursor is (null: decode the pinned point)
    root.shown = null;    // the code whose decoding is on screen
    root.liveStar = undefined;  // the pad's drawing's code (undefined: none received; use the server's star)
    root.frameZ = (stats.interpolate && stats.interpolate.at) || null;  // a scrubber that spoke before the map mounted
    install(root, setStateValue);
  }
  root.setState = setStateValue;
  const pinnedKey = JSON.stringify(data.pinned);
  if (root.pinnedKey !== pinnedKey) {  // the sliders moved (or a pin came back): that is the point now
    root.pinnedKey = pinnedKey;
    root.localPin = null;
    if (root.keyboard) root.cursor = null;
  }
  root.frameZ = data.frame_z || root.frameZ;
  root.redraw();
  root.decodeAt(root.cursor || root.pin());

  // the pad may have been drawn on before the map mounted: ask for its drawing when the map starts following it
  followPad(root, data.pad, root.encodeDrawing, root.askedPad !== data.pad);
  root.askedPad = data.pad || null;
  if (!data.pad) root.liveStar = undefined;
}

function install(root, setStateValue) {
  const v = root.view, overlay = v.overlay;
  const lim = () => root.data.lim;
  const clamp = (z) => z.map((c) => Math.min(lim(), Math.max(-lim(), c)));
  root.pin = () => root.localPin || root.data.pinned || [0, 0];

  root.redraw = () => {
    const ctx = hiDpi(overlay, v.g), d = root.data, L = d.lim;
    ctx.clearRect(0, 0, v.g.width, v.g.height);
    ctx.save();
    ctx.beginPath(); ctx.rect(MARGIN.left, MARGIN.top, v.g.plot, v.g.plot); ctx.clip();
    if (d.path && d.path.length) {
      ctx.strokeStyle = INK; ctx.lineWidth = 2;
      ctx.beginPath();
      d.path.forEach((p, i) => { const [x, y] = toPx(v, L, p); ctx[i ? "lineTo" : "moveTo"](x, y); });
      ctx.stroke();
      ctx.fillStyle = INK;
      for (const p of d.path) { const [x, y] = toPx(v, L, p); ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill(); }
    }
    if (d.path && root.frameZ) { const [x, y] = toPx(v, L, root.frameZ); ring(ctx, x, y, 11, ACCENT, 4); }
    const s = root.liveStar !== undefined ? root.liveStar : d.star;
    if (s) { const [x, y] = toPx(v, L, s); star(ctx, x, y, 13); }
    const p = root.pin(), c = root.cursor;
    const [px, py] = toPx(v, L, p);
    if (c) {
      ring(ctx, px, py, 8, "#fff", 5); ring(ctx, px, py, 8, ACCENT, 2.5);  // the pinned point, while the cursor roams
      const [cx, cy] = toPx(v, L, c);
      cross(ctx, cx, cy, 8, ACCENT);
    } else cross(ctx, px, py, 8, ACCENT);
    ctx.restore();
    const z = c || p, [row] = nearest(d.codes, z);
    const text = `z = (${fmt(z[0])}, ${fmt(z[1])})` + (row >= 0 ? `, nearest test ${d.item || "digit"}: ${d.item ? "" : "a "}${(d.class_names || [])[d.codes.labels[row]] ?? d.codes.labels[row]}` : "")
      + (c ? "" : " (pinned)");
    overlay.setAttribute("aria-valuenow", z[0].toFixed(2));
    overlay.setAttribute("aria-valuetext", text);
  };

  async function decode(z) {
    const rt = await root.rt;
    if (!rt.ok) return;
    const t0 = performance.now();
    const out = await rt.run(root.data.model, "decoder", Float32Array.of(z[0], z[1]), [1, 2]);
    const image = out.outputs[0].data;
    paintGray(v.canvas, image);
    v.cap.textContent = `z = (${fmt(z[0])}, ${fmt(z[1])})`;
    v.canvas.setAttribute("aria-label", `What the decoder draws at z = (${fmt(z[0])}, ${fmt(z[1])})`);
    Object.assign(live, { z: [z[0], z[1]], image, ms: performance.now() - t0, frames: live.frames + 1 });
    stats.computeMs.push(performance.now() - t0);
  }
  const decodeNewest = latestPerFrame((z) => decode(z), (e) => { v.status.textContent = "Live decoding failed: " + e.message; });
  root.decodeAt = (z) => {  // one decode per frame at most; only the newest code is decoded
    z = [r3(z[0]), r3(z[1])];
    if (root.shown && root.shown[0] === z[0] && root.shown[1] === z[1]) return;
    root.shown = z;
    decodeNewest(z);
  };

  root.encodeDrawing = latestPerFrame(async (job) => {
    const rt = await root.rt;
    if (!rt.ok) return;
    const x = job.pixels ? (await padDigitLater())(job.pixels) : null;
    root.liveStar = x ? Array.from((await rt.run(root.data.model, "encoder", x, [1, 28, 28, 1])).outputs[0].data) : undefined;
    live.star = root.liveStar || null;
    root.redraw();
  }, () => { /* no preprocessing yet (or a failed run): the server's star stays */ });

  const zAt = (e) => {  // the pointer's code, or null outside the plot
    const r = overlay.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * v.g.width, y = ((e.clientY - r.top) / r.height) * v.g.height;
    const L = lim(), s = (2 * L) / v.g.plot;
    const z = [-L + (x - MARGIN.left) * s, L - (y - MARGIN.top) * s];
    return { z, inside: Math.abs(z[0]) <= L && Math.abs(z[1]) <= L, x, y };
  };
  const move = (z) => {
    root.keyboard = false;
    root.cursor = z;
    root.redraw();
    root.decodeAt(z);
  };
  const pinAt = (z, snap) => {
    let pinned = [r3(z[0]), r3(z[1])];
    if (snap) {  // a click on a dot pins that test digit's own code
      const [row, d] = nearest(root.data.codes, z), s = v.g.plot / (2 * lim());
      if (row >= 0 && Math.sqrt(d) * s <= SNAP_PX) pinned = [root.data.codes.x[row], root.data.codes.y[row]];
    }
    root.localPin = pinned;
    live.pins += 1;
    live.pinned = pinned;
    root.setState("pinned", pinned);
    root.redraw();
  };

  let dragging = null;
  overlay.onpointermove = (e) => {
    const at = zAt(e);
    if (dragging === e.pointerId) move(clamp(at.z));
    else if (dragging === null && e.pointerType === "mouse") {
      if (at.inside) move(at.z);
      else if (root.cursor && !root.keyboard) leave();
    }
  };
  // Chrome dispatches pointermove once per animation frame, just before it is drawn; pointerrawupdate comes as
  // soon as the input does (in a secure context: localhost or https). Decoding from there paints the digit for
  // the frame the move first shows in, instead of one frame later; the cross still follows in pointermove.
  if ("onpointerrawupdate" in overlay) overlay.onpointerrawupdate = (e) => {
    if (dragging !== e.pointerId && (dragging !== null || e.pointerType !== "mouse")) return;
    const at = zAt(e);
    if (dragging === e.pointerId) root.decodeAt(clamp(at.z));
    else if (at.inside) { root.keyboard = false; root.decodeAt(at.z); }
  };
  overlay.onpointerdown = (e) => {
    if (e.button !== 0 || dragging !== null) return;
    const at = zAt(e);
    if (!at.inside) return;
    e.preventDefault();
    overlay.focus({ preventScroll: true });
    overlay.setPointerCapture(e.pointerId);
    dragging = e.pointerId;
    root.downAt = [e.clientX, e.clientY];
    move(at.z);
  };
  overlay.onpointerup = (e) => {
    if (dragging !== e.pointerId) return;
    dragging = null;
    const at = zAt(e), still = Math.hypot(e.clientX - root.downAt[0], e.clientY - root.downAt[1]) < 4;
    pinAt(clamp(at.z), still);
    if (e.pointerType !== "mouse") leave();
  };
  overlay.onpointercancel = () => { dragging = null; leave(); };
  const leave = () => {
    root.cursor = null;
    root.redraw();
    root.decodeAt(root.pin());
  };
  overlay.onpointerleave = (e) => { if (dragging === null && !root.keyboard) leave(); };
  overlay.onkeydown = (e) => {
    const step = root.data.step * (e.shiftKey ? 5 : 1);
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (dir) {
      e.preventDefault();
      const from = root.cursor || root.pin();
      move(clamp([r3(from[0] + dir[0] * step), r3(from[1] + dir[1] * step)]));
      root.keyboard = true;
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      pinAt(root.cursor || root.pin(), false);
    } else if (e.key === "Escape" && root.cursor) {
      e.preventDefault();
      root.keyboard = false;
      leave();
    }
  };
  overlay.onblur = () => { if (root.keyboard) { root.keyboard = false; leave(); } };

  if (root.frameListener) window.removeEventListener(FRAME_EVENT, root.frameListener);
  root.frameListener = (e) => { root.frameZ = e.detail && e.detail.z; root.redraw(); };
  window.addEventListener(FRAME_EVENT, root.frameListener);
}

// Painting 28x28 model outputs in the browser the way the server draws them (ae_core.figures.images):
// gray levels rounded to 0..255, error maps through the same colour anchors.
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

// ae_core.figures.style.ERROR_CMAP_ANCHORS: inferno-like, position 0 pure black (no error).
const ANCHORS = [[0, 0, 0], [40, 11, 84], [101, 21, 110], [159, 42, 99],
  [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164]];

// A <canvas> of 28x28 device pixels, scaled up by CSS with crisp pixels (class ae-px).
export function pixelCanvas(label) {
  const c = document.createElement("canvas");
  c.width = c.height = SIDE;
  c.className = "ae-px";
  c.setAttribute("role", "img");
  if (label) c.setAttribute("aria-label", label);
  return c;
}

// Paint a [0, 1] gray image (Float32Array of 784) into a 28x28 canvas.
export function paintGray(canvas, values) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i] || 0)) * 255);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Paint |original - reconstruction| / vmax through the anchors (0 black, >= vmax brightest).
export function paintError(canvas, original, reconstruction, vmax = 0.5) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIDE, SIDE);
  const last = ANCHORS.length - 1;
  for (let i = 0; i < PIXELS; i++) {
    const t = Math.min(1, Math.abs(original[i] - reconstruction[i]) / vmax) * last;
    const k = Math.min(last - 1, Math.floor(t)), f = t - k;
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Math.round(ANCHORS[k][c] + f * (ANCHORS[k + 1][c] - ANCHORS[k][c]));
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Mean squared error of two images (the figure under every error map).
export function mse(a, b) {
  let s = 0;
  for (let i = 0; i < PIXELS; i++) { const d = a[i] - b[i]; s += d * d; }
  return s / PIXELS;
}

// Paint a heat map of one activation channel (row-major h x w values), min..max -> dark..bright.
export function paintChannel(canvas, values, h, w, offset = 0, stride = 1) {
  canvas.width = w; canvas.height = h;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < h * w; i++) { const v = values[offset + i * stride]; if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  const last = ANCHORS.length - 1;
  for (let i = 0; i < h * w; i++) {
    const t = ((values[offset + i * stride] - lo) / span) * last;
    const k = Math.min(last - 1, Math.floor(t)), f = t - k;
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Math.round(ANCHORS[k][c] + f * (ANCHORS[k + 1][c] - ANCHORS[k][c]));
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Paint all c channels of an (h, w, c) activation (channels last) as one tiled sheet, `cols` tiles a row with
// 1-pixel gaps, each channel scaled min..max on its own: one putImageData per layer instead of one per channel.
export function paintChannels(canvas, values, h, w, c, cols) {
  const rows = Math.ceil(c / cols);
  const W = cols * (w + 1) - 1, H = rows * (h + 1) - 1;
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  const last = ANCHORS.length - 1;
  for (let k = 0; k < c; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < h * w; i++) { const v = values[i * c + k]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const span = hi > lo ? hi - lo : 1;
    const ox = (k % cols) * (w + 1), oy = Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const t = ((values[(y * w + x) * c + k] - lo) / span) * last;
        const j = Math.min(last - 1, Math.floor(t)), f = t - j, p = 4 * ((oy + y) * W + ox + x);
        for (let ch = 0; ch < 3; ch++) img.data[p + ch] = ANCHORS[j][ch] + f * (ANCHORS[j + 1][ch] - ANCHORS[j][ch]);
        img.data[p + 3] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

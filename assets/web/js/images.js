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

// A canvas's 28x28 ImageData and a 32-bit view of it, made once per canvas (a live view paints every frame).
function pixelsOf(canvas) {
  if (!canvas.aePixels) {
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(SIDE, SIDE);
    canvas.aePixels = { ctx, img, words: new Uint32Array(img.data.buffer) };
  }
  return canvas.aePixels;
}

// Opaque gray levels 0..255 as packed RGBA words (little-endian, as an ImageData's Uint32Array view reads them).
const GRAY = Uint32Array.from({ length: 256 }, (_, v) => (255 << 24 | v << 16 | v << 8 | v) >>> 0);

// Paint a [0, 1] gray image (Float32Array of 784) into a 28x28 canvas.
export function paintGray(canvas, values) {
  const { ctx, img, words } = pixelsOf(canvas);
  for (let i = 0; i < PIXELS; i++) words[i] = GRAY[Math.round(Math.min(1, Math.max(0, values[i] || 0)) * 255)];
  ctx.putImageData(img, 0, 0);
}

// Paint |original - reconstruction| / vmax through the anchors (0 black, >= vmax brightest).
export function paintError(canvas, original, reconstruction, vmax = 0.5) {
  const { ctx, img, words } = pixelsOf(canvas);
  const last = ANCHORS.length - 1;
  for (let i = 0; i < PIXELS; i++) {
    const t = Math.min(1, Math.abs(original[i] - reconstruction[i]) / vmax) * last;
    const k = Math.min(last - 1, Math.floor(t)), f = t - k, lo = ANCHORS[k], hi = ANCHORS[k + 1];
    const r = Math.round(lo[0] + f * (hi[0] - lo[0])), g = Math.round(lo[1] + f * (hi[1] - lo[1]));
    const b = Math.round(lo[2] + f * (hi[2] - lo[2]));
    words[i] = (255 << 24 | b << 16 | g << 8 | r) >>> 0;
  }
  ctx.putImageData(img, 0, 0);
}

// Mean squared error of two images (the figure under every error map).
export function mse(a, b) {
  let s = 0;
  for (let i = 0; i < PIXELS; i++) { const d = a[i] - b[i]; s += d * d; }
  return s / PIXELS;
}

// The anchors' colours at 256 levels as packed RGBA words: one table lookup and one write per pixel for the
// look inside's thousands of values per frame.
const HEAT = (() => {
  const lut = new Uint32Array(256), last = ANCHORS.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * last, k = Math.min(last - 1, Math.floor(t)), f = t - k;
    const [r, g, b] = [0, 1, 2].map((c) => Math.round(ANCHORS[k][c] + f * (ANCHORS[k + 1][c] - ANCHORS[k][c])));
    lut[i] = (255 << 24 | b << 16 | g << 8 | r) >>> 0;
  }
  return lut;
})();

// Paint all c channels of an (h, w, c) activation (channels last) as one tiled sheet, `cols` tiles a row with
// 1-pixel gaps, each channel scaled min..max on its own: one putImageData per layer instead of one per channel.
export function paintChannels(canvas, values, h, w, c, cols) {
  const rows = Math.ceil(c / cols);
  const W = cols * (w + 1) - 1, H = rows * (h + 1) - 1;
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  const words = new Uint32Array(img.data.buffer);
  for (let k = 0; k < c; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = k; i < h * w * c; i += c) { const v = values[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    const ox = (k % cols) * (w + 1), oy = Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      let src = y * w * c + k, dst = (oy + y) * W + ox;
      for (let x = 0; x < w; x++, src += c, dst++) words[dst] = HEAT[((values[src] - lo) * scale + 0.5) | 0];
    }
  }
  ctx.putImageData(img, 0, 0);
}

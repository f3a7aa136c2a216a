// MNIST-style preprocessing in the browser: a faithful port of ae_core/data/preprocess.py `to_mnist`.
// `toMnist(rgba, width, height)` takes canvas ImageData pixels (RGBA, 0..255) and returns a Float32Array(784)
// (28x28, row-major, white ink on black, in [0, 1]) or null when the drawing is blank, as to_mnist returns None.
// Python works in float32 numpy arrays: values here are kept in Float32Arrays and every float32 operation is
// rounded with Math.fround, sums follow numpy's pairwise summation, and the two Pillow resizes (BILINEAR for the
// background map, LANCZOS for the 20x20 box) follow Pillow's src/libImaging/Resample.c, so the two sides agree
// to float rounding, not just approximately.

const FIELD = 28;           // side of the output field, in pixels
const BOX = 20;             // the ink's longer side is scaled to this, as in MNIST
const MAX_SIDE = 1024;      // larger inputs are shrunk (area average) before any other work
const MIN_CONTRAST = 0.05;  // ink must differ from the background by this much (on [0, 1])
const INK_FLOOR = 0.1;      // ink fainter than this share of the ink range counts as background
const NOISY = 0.01;         // above this noise level (MAD on [0, 1]) a 3x3 median filter is applied

const f32 = Math.fround;
const LUMA = [f32(0.299), f32(0.587), f32(0.114)];  // ITU-R 601 as float32, as numpy's _LUMA

// ----------------------------------------------------------------- float helpers

// Python's round(): round half to even (Math.round rounds halves up).
function roundHalfEven(x) {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

// float32 fused multiply-add a*b+c (a, b, c float32): the product is exact in a double; TwoSum recovers what
// the double sum dropped, which decides the rare case where that sum sits exactly between two float32s.
function fma32(a, b, c) {
  const p = a * b, s = p + c;
  const bb = s - p, e = (p - (s - bb)) + (c - bb);
  const r = f32(s);
  if (e !== 0 && s !== r) {
    const other = r + 2 * (s - r);  // the float32 on s's other side, if s is exactly half-way
    if (f32(other) === other && (e > 0) === (other > r)) return other;
  }
  return r;
}

// numpy's pairwise summation (8 accumulators up to 128 elements, halves above), here with float32 steps, so
// sums (hence means and centres of mass) round exactly as numpy's do.
function pairwise32(a, lo, n) {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + a[lo + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3], r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const b = lo + i;
      r0 = f32(r0 + a[b]); r1 = f32(r1 + a[b + 1]); r2 = f32(r2 + a[b + 2]); r3 = f32(r3 + a[b + 3]);
      r4 = f32(r4 + a[b + 4]); r5 = f32(r5 + a[b + 5]); r6 = f32(r6 + a[b + 6]); r7 = f32(r7 + a[b + 7]);
    }
    let res = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) res = f32(res + a[lo + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwise32(a, lo, n2) + pairwise32(a, lo + n2, n - n2));
}

// The same pairwise summation with float64 steps (numpy's sum of a float64 array).
function pairwise64(a, lo, n) {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3], r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const b = lo + i;
      r0 += a[b]; r1 += a[b + 1]; r2 += a[b + 2]; r3 += a[b + 3]; r4 += a[b + 4]; r5 += a[b + 5]; r6 += a[b + 6]; r7 += a[b + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise64(a, lo, n2) + pairwise64(a, lo + n2, n - n2);
}
const sum32 = (a) => pairwise32(a, 0, a.length);  // np.sum of a float32 array (numpy adds it to 0)
const sum64 = (a) => pairwise64(a, 0, a.length);  // np.sum of a float64 array

// Quickselect (Wirth): puts the k-th smallest at a[k], smaller-or-equal before it, larger-or-equal after; exact,
// like numpy's partition, and far cheaper than sorting 16K pixels for a median.
function select(a, k) {
  let l = 0, m = a.length - 1;
  while (l < m) {
    const x = a[k];
    let i = l, j = m;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) m = j;
  }
  return a[k];
}

let scratch = new Float32Array(0);
function copyToScratch(a) {  // one reused buffer for the selections (no garbage per call)
  if (scratch.length < a.length) scratch = new Float32Array(a.length);
  const s = scratch.subarray(0, a.length);
  s.set(a);
  return s;
}

// np.median of a float32 array: the middle value, or the float32 mean of the two middle values.
function median32(a) {
  const s = copyToScratch(a);
  const n = s.length, h = n >> 1;
  const hi = select(s, h);
  if (n % 2) return hi;
  let lo = s[0];
  for (let i = 1; i < h; i++) if (s[i] > lo) lo = s[i];
  return f32(f32(lo + hi) / 2);
}

// np.percentile(values, q) (linear method) of a float32 array, with numpy's _lerp (from the top when t >= 0.5).
function percentile32(a, q) {
  const s = copyToScratch(a);
  const n = s.length;
  const v = (n - 1) * (q / 100);
  if (v >= n - 1) { let top = s[0]; for (let i = 1; i < n; i++) if (s[i] > top) top = s[i]; return top; }
  const p = Math.floor(v), t = v - p;
  const lo = select(s, p);
  let hi = s[p + 1];
  for (let i = p + 2; i < n; i++) if (s[i] < hi) hi = s[i];
  const d = f32(hi - lo);
  return t >= 0.5 ? f32(hi - f32(d * f32(1 - t))) : f32(lo + f32(d * f32(t)));
}

// ----------------------------------------------------------------- Pillow resampling of a float ('F') image

const bilinear = (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; };  // triangle, support 1
const sinc = (x) => { if (x === 0) return 1; x *= Math.PI; return Math.sin(x) / x; };
const lanczos = (x) => (-3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0);  // truncated sinc, support 3
const FILTERS = { bilinear: [bilinear, 1], lanczos: [lanczos, 3] };

// Pillow's precompute_coeffs: per output pixel the first input index, the count and normalised weights.
function coeffs(inSize, outSize, [filter, filterSupport]) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterSupport * filterscale;  // widened when shrinking, so every input pixel counts
  const inv = 1 / filterscale;
  const out = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = 0 + (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));  // C's (int) cast truncates
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    const k = new Float64Array(Math.max(0, xmax));
    let ww = 0;
    for (let x = 0; x < xmax; x++) { k[x] = filter((x + xmin - center + 0.5) * inv); ww += k[x]; }
    if (ww !== 0) for (let x = 0; x < xmax; x++) k[x] /= ww;
    out.push([xmin, k]);
  }
  return out;
}

// coeffs by sizes and filter: a live drawing resizes between the same few sizes frame after frame
const COEFFS = new Map();
function cachedCoeffs(inSize, outSize, name) {
  const key = `${name} ${inSize} ${outSize}`;
  if (!COEFFS.has(key)) {
    if (COEFFS.size >= 256) COEFFS.clear();
    COEFFS.set(key, coeffs(inSize, outSize, FILTERS[name]));
  }
  return COEFFS.get(key);
}

// Image.fromarray(float32).resize((outW, outH), filter): horizontal pass then vertical, double sums stored as
// float32 after each pass; a pass is skipped when its size does not change, and same size is a plain copy.
function resizeF(src, w, h, outW, outH, name) {
  if (outW === w && outH === h) return Float32Array.from(src);
  let img = src, iw = w;
  if (outW !== w) {
    const cs = cachedCoeffs(w, outW, name);
    const tmp = new Float32Array(outW * h);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < outW; xx++) {
        const [xmin, k] = cs[xx];
        let ss = 0;
        for (let x = 0; x < k.length; x++) ss += img[y * iw + x + xmin] * k[x];
        tmp[y * outW + xx] = ss;
      }
    }
    img = tmp; iw = outW;
  }
  if (outH === h) return img;
  const cs = cachedCoeffs(h, outH, name);
  const out = new Float32Array(iw * outH);
  for (let yy = 0; yy < outH; yy++) {
    const [ymin, k] = cs[yy];
    for (let xx = 0; xx < iw; xx++) {
      let ss = 0;
      for (let y = 0; y < k.length; y++) ss += img[(y + ymin) * iw + xx] * k[y];
      out[yy * iw + xx] = ss;
    }
  }
  return out;
}

// ----------------------------------------------------------------- input -> float gray

// _shrink: area-average RGBA so the longer side is at most about MAX_SIDE (edge-padded blocks); a no-op for
// the pad's 128x128 snapshot. Sums of 0..255 integers are exact in float32, so the order does not matter.
function shrink(rgba, w, h) {
  const k = Math.ceil(Math.max(w, h) / MAX_SIDE);
  if (k <= 1) return { px: rgba, w, h };  // 0..255 integers: read as they are, no float copy
  const ky = Math.min(k, h), kx = Math.min(k, w);
  const ow = Math.ceil(w / kx), oh = Math.ceil(h / ky);
  const px = new Float32Array(ow * oh * 4);
  for (let by = 0; by < oh; by++) {
    for (let bx = 0; bx < ow; bx++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let dy = 0; dy < ky; dy++) {
          const y = Math.min(by * ky + dy, h - 1);
          for (let dx = 0; dx < kx; dx++) s += rgba[(y * w + Math.min(bx * kx + dx, w - 1)) * 4 + c];
        }
        px[(by * ow + bx) * 4 + c] = s / (kx * ky);
      }
    }
  }
  return { px, w: ow, h: oh };
}

// to_gray: float32 gray in [0, 1] from RGBA, alpha flattened onto a backdrop opposite to the ink's level.
// The luma `values[..., :3] @ _LUMA` goes through OpenBLAS sgemv, which computes fma(b, .114, fma(r, .299,
// g * .587)) in float32 (measured bit-exact against this project's numpy with OpenBLAS's Haswell kernel; another
// kernel may order it differently, an ulp apart); that is the order used here.
function toGray(rgba, width, height) {
  const { px, w, h } = shrink(rgba, width, height);
  const n = w * h;
  const gray = new Float32Array(n), alpha = new Float32Array(n);
  let opaque = true;
  for (let i = 0; i < n; i++) {
    const r = px[4 * i], g = px[4 * i + 1], b = px[4 * i + 2];
    // a gray pixel (r = g = b, all of the pad's) from its table; the table holds the same float32 operations
    gray[i] = r === g && g === b && r === (r | 0) && r >= 0 && r <= 255 ? grayLevel(r) : luma(unit(r), unit(g), unit(b));
    alpha[i] = unit(px[4 * i + 3]);
    if (alpha[i] !== 1) opaque = false;
  }
  if (opaque) return { gray, w, h };  // the backdrop below shows nowhere: gray * 1 + backdrop * 0 is gray itself
  // _composite: transparent areas become background, whatever the ink colour
  const total = sum32(alpha);
  if (total <= 0) return { gray: new Float32Array(n), w, h };
  const weighted = new Float32Array(n);
  for (let i = 0; i < n; i++) weighted[i] = gray[i] * alpha[i];
  const background = sum32(weighted) / total < 0.5 ? 1 : 0;  // dark ink -> light backdrop, and vice versa
  for (let i = 0; i < n; i++) gray[i] = f32(weighted[i] + f32(background * f32(1 - alpha[i])));
  return { gray, w, h };
}

const unit = (v) => Math.min(1, Math.max(0, f32(v / 255)));
const luma = (r, g, b) => fma32(b, LUMA[2], fma32(r, LUMA[0], f32(g * LUMA[1])));
const GRAY_LEVELS = new Float32Array(256).map((_, v) => luma(unit(v), unit(v), unit(v)));
const grayLevel = (v) => GRAY_LEVELS[v];

// ----------------------------------------------------------------- gray -> ink

// _border: the outer ring (about 5% of the shorter side), in row-major order.
function border(gray, w, h) {
  const width = Math.max(1, Math.floor(Math.min(h, w) / 20));
  const out = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y < width || y >= h - width || x < width || x >= w - width) out.push(gray[y * w + x]);
    }
  }
  return Float32Array.from(out);
}

// _neighbourhood: 3x3 min or median (5th smallest of 9) of each element, edges repeated.
function neighbourhood(grid, w, h, reduce) {
  const out = new Float32Array(w * h), nine = new Float32Array(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) nine[m++] = grid[yy * w + Math.min(w - 1, Math.max(0, x + dx))];
      }
      if (reduce === "min") {
        let lo = nine[0];
        for (let i = 1; i < 9; i++) if (nine[i] < lo) lo = nine[i];
        out[y * w + x] = lo;
      } else {  // insertion sort of nine values: cheaper than a sort() call per pixel
        for (let i = 1; i < 9; i++) {
          const v = nine[i];
          let j = i - 1;
          for (; j >= 0 && nine[j] > v; j--) nine[j + 1] = nine[j];
          nine[j + 1] = v;
        }
        out[y * w + x] = nine[4];
      }
    }
  }
  return out;
}

// _background: 10th percentile per (edge-padded) block, 3x3 min so blocks full of ink borrow a neighbour's
// level, then Pillow BILINEAR up to the image size: a smooth map of an uneven background.
function background(gray, w, h) {
  const size = Math.max(8, Math.ceil(Math.max(h, w) / 8));
  const gw = Math.ceil(w / size), gh = Math.ceil(h / size);
  let levels = new Float32Array(gw * gh);
  const block = new Float32Array(size * size);
  for (let by = 0; by < gh; by++) {
    for (let bx = 0; bx < gw; bx++) {
      let m = 0;
      for (let dy = 0; dy < size; dy++) {
        const y = Math.min(by * size + dy, h - 1);
        for (let dx = 0; dx < size; dx++) block[m++] = gray[y * w + Math.min(bx * size + dx, w - 1)];
      }
      levels[by * gw + bx] = percentile32(block, 10);
    }
  }
  levels = neighbourhood(levels, gw, gh, "min");
  if (levels.length === 1) return new Float32Array(w * h).fill(levels[0]);
  return resizeF(levels, gw, gh, w, h, "bilinear");
}

// _noise_level: the scaled median absolute deviation; also returns the median (to_ink's base), saving a sort.
// `image` is in [0, 1]: when more than half of it is exactly 0 (a drawing on an even ground), both medians are
// 0 (the deviations from 0 are the values themselves) and need no selection.
function noiseLevel(image) {
  let zeros = 0;
  for (let i = 0; i < image.length; i++) if (image[i] === 0) zeros++;
  if (zeros > image.length >> 1) return [0, 0];
  const m = median32(image);
  const dev = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) dev[i] = Math.abs(f32(image[i] - m));
  return [1.4826 * median32(dev), m];
}

// to_ink: ink in [0, 1] on a zero background (polarity fixed), or null if blank.
function toInk(gray, w, h) {
  const n = w * h;
  if (median32(border(gray, w, h)) > f32(sum32(gray) / n)) {  // dark ink on a light ground
    const inv = new Float32Array(n);
    for (let i = 0; i < n; i++) inv[i] = 1 - gray[i];
    gray = inv;
  }
  const bg = background(gray, w, h);
  let flat = new Float32Array(n);
  for (let i = 0; i < n; i++) flat[i] = Math.min(1, Math.max(0, f32(gray[i] - bg[i])));
  let [noise, base] = noiseLevel(flat);
  if (noise > NOISY) {
    flat = neighbourhood(flat, w, h, "median");
    [noise, base] = noiseLevel(flat);
  }
  let top = -Infinity;
  for (let i = 0; i < n; i++) if (flat[i] > top) top = flat[i];
  const contrast = top - base;  // a double, as Python's float arithmetic
  if (contrast < Math.max(MIN_CONTRAST, 6 * noise)) return null;
  // numpy casts the Python floats to float32 before the array operations and the comparison
  const floor = f32(Math.max(INK_FLOOR, 3 * noise / contrast)), c32 = f32(contrast);
  const ink = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const level = Math.min(1, Math.max(0, f32(f32(flat[i] - base) / c32)));
    ink[i] = level >= floor ? level : 0;
  }
  return ink;
}

// ----------------------------------------------------------------- ink -> 28x28

// _crop_to_ink: the bounding box of the non-zero pixels, or null if there are none.
function cropToInk(ink, w, h) {
  let top = h, bottom = -1, left = w, right = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] !== 0) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return null;
  const cw = right - left + 1, ch = bottom - top + 1;
  const crop = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) crop.set(ink.subarray((top + y) * w + left, (top + y) * w + left + cw), y * cw);
  return { crop, w: cw, h: ch };
}

// _fit_box: Lanczos-scale so the longer side is BOX pixels (aspect kept), clip to [0, 1], peak to 1.
function fitBox(crop, w, h) {
  const scale = BOX / Math.max(h, w);
  const ow = Math.max(1, Math.min(BOX, roundHalfEven(w * scale)));
  const oh = Math.max(1, Math.min(BOX, roundHalfEven(h * scale)));
  const glyph = resizeF(crop, w, h, ow, oh, "lanczos");
  let peak = 0;
  for (let i = 0; i < glyph.length; i++) {
    glyph[i] = Math.min(1, Math.max(0, glyph[i]));
    if (glyph[i] > peak) peak = glyph[i];
  }
  if (peak > 0) for (let i = 0; i < glyph.length; i++) glyph[i] = glyph[i] / peak;
  return { glyph, w: ow, h: oh };
}

// center_of_mass: (row, column) intensity-weighted centre; float32 total, float64 weighted sums, as numpy.
function centerOfMass(image, w, h) {
  const total = sum32(image);
  if (total <= 0) return [(h - 1) / 2, (w - 1) / 2];
  const rows = new Float64Array(w * h), cols = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) { rows[y * w + x] = y * image[y * w + x]; cols[y * w + x] = x * image[y * w + x]; }
  }
  return [sum64(rows) / total, sum64(cols) / total];
}

// _paste_centered: the glyph in a FIELD x FIELD image with its centre of mass at (FIELD/2, FIELD/2).
function pasteCentered(glyph, w, h) {
  const [cy, cx] = centerOfMass(glyph, w, h);
  const top = Math.min(Math.max(roundHalfEven(FIELD / 2 - cy), 0), FIELD - h);
  const left = Math.min(Math.max(roundHalfEven(FIELD / 2 - cx), 0), FIELD - w);
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < h; y++) out.set(glyph.subarray(y * w, (y + 1) * w), (top + y) * FIELD + left);
  return out;
}

// ----------------------------------------------------------------- public API

// toMnist: canvas RGBA pixels -> MNIST-like Float32Array(784), white ink on black, or null if blank.
export function toMnist(rgba, width, height) {
  if (!width || !height || rgba.length < width * height * 4) throw new Error("toMnist: expected width*height RGBA pixels");
  const { gray, w, h } = toGray(rgba, width, height);
  const ink = toInk(gray, w, h);
  if (!ink) return null;
  const cropped = cropToInk(ink, w, h);
  if (!cropped) return null;
  const { glyph, w: gw, h: gh } = fitBox(cropped.crop, cropped.w, cropped.h);
  const out = pasteCentered(glyph, gw, gh);
  return out.some((v) => v > 0) ? out : null;
}

// toMnist of a pad's snapshot (ImageData), computed once however many views follow that pad.
const fromPad = new WeakMap();
export function padDigit(imageData) {
  if (!fromPad.has(imageData)) fromPad.set(imageData, toMnist(imageData.data, imageData.width, imageData.height));
  return fromPad.get(imageData);
}

// The noise kinds of ae_core/data/noise.py, seeded, for views that corrupt digits in the browser.
//
// The distributions match ae_core.data.noise.add_noise (same kinds, same meaning of the amount, same
// clipping to [0, 1]); the values are NOT bit-equal to numpy's: numpy's default_rng is PCG64 with its own
// normal sampler, this is mulberry32 with Box-Muller. The same seed gives the same noise in every browser.
export const NOISE_KINDS = ["gaussian", "salt_pepper", "masking"];
export const MAX_AMOUNT = { gaussian: 5.0, salt_pepper: 1.0, masking: 1.0 };

// mulberry32: a 32-bit state PRNG, uniform in [0, 1); small, fast and good enough for visual noise.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// n standard normal values (Box-Muller, both values of each pair used).
export function normals(rand, n) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())), phi = 2 * Math.PI * rand(); // 1 - u is in (0, 1]: no log(0)
    out[i] = r * Math.cos(phi);
    if (i + 1 < n) out[i + 1] = r * Math.sin(phi);
  }
  return out;
}

// The same checks as ae_core.data.noise._check_amount.
function checkAmount(kind, amount) {
  if (!NOISE_KINDS.includes(kind)) throw new Error(`unknown noise kind ${kind}; valid kinds: ${NOISE_KINDS.join(", ")}`);
  const value = Number(amount);
  if (typeof amount === "boolean" || !Number.isFinite(value) || value < 0 || value > MAX_AMOUNT[kind])
    throw new Error(`${kind} noise amount must be between 0 and ${MAX_AMOUNT[kind]}; got ${amount}`);
  return value;
}

// A noisy Float32Array copy of x (values in [0, 1]), reproducible for a given seed:
//   gaussian:    x + amount * N(0, 1) per pixel (amount is the standard deviation), then clipped to [0, 1];
//   salt_pepper: each pixel with probability amount becomes pure white or pure black (one half each);
//   masking:     each pixel with probability amount is switched off (0).
// The random draws do not depend on the amount, so sliding the amount grows one noise pattern smoothly
// (as ae_core's curve does, which reuses one seed at every level); salt-or-pepper is drawn for every pixel
// for the same reason, where numpy draws it only for the hit pixels (the same distribution).
export function addNoise(x, kind = "gaussian", amount = 0.5, seed = 0) {
  const value = checkAmount(kind, amount);
  const n = x.length, out = Float32Array.from(x);
  if (value === 0) return out;
  const rand = mulberry32(seed);
  if (kind === "gaussian") {
    const z = normals(rand, n);
    for (let i = 0; i < n; i++) out[i] += value * z[i];
  } else {
    for (let i = 0; i < n; i++) {
      const hit = rand() < value, salt = rand() < 0.5;
      if (hit) out[i] = kind === "masking" ? 0 : (salt ? 1 : 0);
    }
  }
  for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, out[i]));
  return out;
}

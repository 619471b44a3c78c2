// Deterministic elementary functions built only from IEEE basic operations (+ - * / sqrt), evaluated in a fixed
// order. The TypeScript twin in src/reference/detmath.ts does the same operations in the same order, so wasm
// kernels and their references agree bit for bit (Math.log/exp differ between engines and the AS stdlib).

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const SQRT_HALF: f64 = 0.70710678118654752440;

/** Natural log for finite x > 0 (callers guarantee the domain). Relative error ~1e-16. */
export function detLog(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let e = <i32>((bits >> 52) & 0x7ff) - 1023;
  if (e == -1023) {
    // subnormal: scale up first
    x = x * 18014398509481984.0; // 2^54
    bits = reinterpret<u64>(x);
    e = <i32>((bits >> 52) & 0x7ff) - 1023 - 54;
  }
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m < 1.4142135623730951) {
    // keep m in [sqrt(1/2), sqrt(2))
  } else {
    m = m * 0.5;
    e = e + 1;
  }
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const z = s * s;
  // 2*atanh(s) = 2s(1 + z/3 + z^2/5 + ... + z^10/21)
  let p: f64 = 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  p = p * z + 1.0;
  const logm = 2.0 * s * p;
  const fe = <f64>e;
  return fe * LN2_HI + (fe * LN2_LO + logm);
}

/** e^x, clamped to [2^-1022, 2^1023] at the extremes. Relative error ~1e-16. */
export function detExp(x: f64): f64 {
  if (x > 709.0) x = 709.0;
  if (x < -708.0) x = -708.0;
  const kf = Math.floor(x * INV_LN2 + 0.5);
  const r = (x - kf * LN2_HI) - kf * LN2_LO;
  // Taylor to degree 14 in Horner form
  let p: f64 = 1.0 / 87178291200.0;
  p = p * r + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const k = <i64>kf;
  return p * reinterpret<f64>(<u64>(k + 1023) << 52);
}

// keep SQRT_HALF referenced for documentation of the reduction interval
export const DETMATH_SQRT_HALF: f64 = SQRT_HALF;

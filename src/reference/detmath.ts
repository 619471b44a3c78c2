// Plain-TS twin of assembly/detmath.ts: the same IEEE operations in the same order, so results are bit-identical.
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: u32[1] is the high word

export function detLog(x: number): number {
  f64[0] = x;
  let e = ((u32[1]! >>> 20) & 0x7ff) - 1023;
  if (e === -1023) {
    f64[0] = x * 18014398509481984.0;
    e = ((u32[1]! >>> 20) & 0x7ff) - 1023 - 54;
  }
  u32[1] = (u32[1]! & 0x000fffff) | 0x3ff00000;
  let m = f64[0]!;
  if (!(m < 1.4142135623730951)) {
    m = m * 0.5;
    e = e + 1;
  }
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const z = s * s;
  let p = 1.0 / 21.0;
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
  return e * LN2_HI + (e * LN2_LO + logm);
}

export function detExp(x: number): number {
  if (x > 709.0) x = 709.0;
  if (x < -708.0) x = -708.0;
  const kf = Math.floor(x * INV_LN2 + 0.5);
  const r = (x - kf * LN2_HI) - kf * LN2_LO;
  let p = 1.0 / 87178291200.0;
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
  f64[0] = 0;
  u32[0] = 0;
  u32[1] = ((kf + 1023) << 20) >>> 0;
  return p * f64[0]!;
}

// The unit-variance normal table the kernels draw normals from (one f32 load per draw instead of a log and a square
// root): the write-verify kernel's programming noise, the analog MVM's read noise and the pool's host-side initial
// state all index it with the top Q_BITS bits of a xoshiro128** draw. Part of the kernel contract, like
// program-abi.ts; computed with the deterministic log of the twins, so every platform builds the same table.
import { detLog } from './kernels.js';
import { Q_N } from './program-abi.js';

/** Standard normal quantile (Acklam's rational approximation, |rel err| < 1.2e-9), deterministic math only. */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
    -3.066479806614716e+01, 2.506628277459239e+00];
  const b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
    -1.328068155288572e+01];
  const c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
    4.374664141464968e+00, 2.938163982698783e+00];
  const d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * detLog(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Bin centres p_k = (k + 0.5)/Q_N, k = 0..Q_N − 1. */
export const quantileNode = (k: number): number => (k + 0.5) / Q_N;

let normalCache: Float32Array | null = null;
/** Standard normal quantiles at the bin centres, exactly symmetric, rescaled to unit variance. */
export function normalTable(): Float32Array {
  if (normalCache) return normalCache;
  const t = new Float64Array(Q_N);
  for (let k = 0; k < Q_N / 2; k++) {
    const z = normalQuantile(quantileNode(k));
    t[k] = z;
    t[Q_N - 1 - k] = -z;
  }
  let m2 = 0;
  for (let k = 0; k < Q_N; k++) m2 += t[k]! * t[k]!;
  const s = 1 / Math.sqrt(m2 / Q_N);
  normalCache = Float32Array.from(t, (v) => v * s);
  return normalCache;
}


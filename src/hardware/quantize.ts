// Weight and input quantization, CrossSim 3.x conventions (DESIGN §2): weights sign-magnitude,
// W_int = roundHalfEven(w / scale) clipped to ±(2^(weightBits−1) − 1), scale = max|w| / (2^(weightBits−1) − 1)
// per layer (or per output column). Inputs unsigned: x_int = round(x · (2^inputBits − 1)) for x in [0, 1] (after
// dividing by the input range); signed: sign + (inputBits−1)-bit magnitude. Training's fake-quant uses the same
// functions' rules so that trained weights land on exactly these integers.
import type { HardwareConfig } from './config.js';

/** Round half to even (banker's rounding), exact for every finite double. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // rounds half up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface QuantizedMatrix {
  /** Row-major K × N signed integers. */
  ints: Int32Array;
  rows: number;
  cols: number;
  /** One scale (per layer) or N scales (per column): w ≈ ints · scale. */
  scales: Float64Array;
  perColumn: boolean;
}

/** Throws a clear error naming the first non-finite weight. */
export function assertFinite(data: ArrayLike<number>, what: string, cols?: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      const where = cols ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new Error(`${what} contains ${v} at ${where}; fix or retrain the model (weights and inputs must be finite)`);
    }
  }
}

export function checkShape(data: ArrayLike<number>, rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0) {
    throw new Error(`${what}: shape ${rows} × ${cols} is invalid; rows and cols must be positive integers`);
  }
  if (data.length !== rows * cols) {
    throw new Error(`${what}: ${data.length} values do not match the shape ${rows} × ${cols} (= ${rows * cols})`);
  }
}

/** Scale for a set of weights with max magnitude `maxAbs` (1 when all are zero, so zeros stay zero). */
export function weightScale(maxAbs: number, weightBits: number): number {
  const qmax = 2 ** (weightBits - 1) - 1;
  return maxAbs > 0 ? maxAbs / qmax : 1;
}

/** Quantizes a row-major K × N float matrix (K inputs, N outputs) to signed weightBits integers. */
export function quantizeWeights(
  w: ArrayLike<number>, rows: number, cols: number,
  c: Pick<HardwareConfig, 'weights'>, what = 'weights', fixedScale?: number,
): QuantizedMatrix {
  checkShape(w, rows, cols, what);
  assertFinite(w, what, cols);
  const wb = c.weights.weightBits;
  const qmax = 2 ** (wb - 1) - 1;
  const perColumn = c.weights.scale === 'column' && fixedScale === undefined;
  const scales = new Float64Array(perColumn ? cols : 1);
  if (fixedScale !== undefined) {
    // a scale fixed from outside (e.g. shared by layers whose blocks MMR tied); weights beyond it are clipped
    if (!(fixedScale > 0) || !Number.isFinite(fixedScale)) throw new Error(`${what}: fixed weight scale must be a positive finite number, got ${fixedScale}`);
    scales[0] = fixedScale;
  } else if (perColumn) {
    for (let j = 0; j < cols; j++) {
      let m = 0;
      for (let i = 0; i < rows; i++) m = Math.max(m, Math.abs(w[i * cols + j]!));
      scales[j] = weightScale(m, wb);
    }
  } else {
    let m = 0;
    for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]!));
    scales[0] = weightScale(m, wb);
  }
  const ints = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const s = scales[perColumn ? j : 0]!;
      const q = roundHalfEven(w[i * cols + j]! / s);
      ints[i * cols + j] = q > qmax ? qmax : q < -qmax ? -qmax : q;
    }
  }
  return { ints, rows, cols, scales, perColumn };
}

/** ints · scale back to floats. */
export function dequantizeWeights(q: QuantizedMatrix): Float64Array {
  const out = new Float64Array(q.ints.length);
  for (let i = 0; i < q.rows; i++) {
    for (let j = 0; j < q.cols; j++) out[i * q.cols + j] = q.ints[i * q.cols + j]! * q.scales[q.perColumn ? j : 0]!;
  }
  return out;
}

/** Largest input integer magnitude. */
export function maxInputInt(c: Pick<HardwareConfig, 'io'>): number {
  return c.io.inputSigned ? 2 ** (c.io.inputBits - 1) - 1 : 2 ** c.io.inputBits - 1;
}

/**
 * Quantizes inputs given their range (x / range is clipped to [0, 1], or [−1, 1] when signed).
 * Returns integers; the real value is int · range / maxInputInt.
 */
export function quantizeInputs(x: ArrayLike<number>, range: number, c: Pick<HardwareConfig, 'io'>, what = 'inputs', into?: Int32Array): Int32Array {
  if (!(range > 0) || !Number.isFinite(range)) throw new Error(`${what}: input range must be a positive finite number, got ${range}`);
  const qmax = maxInputInt(c);
  const lo = c.io.inputSigned ? -1 : 0;
  const inv = 1 / range;
  const n = x.length;
  // `into` (at least n long) spares a fresh array per call: inference quantizes every layer's inputs of every batch
  if (into && into.length < n) throw new Error(`quantizeInputs: the output array holds ${into.length} values, fewer than the ${n} inputs`);
  const out = into ? into.subarray(0, n) : new Int32Array(n);
  // one fused pass (this runs over every im2col patch of every layer): check, scale, clip, round half to even
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi - xi !== 0) assertFinite(x, what); // NaN or ±Infinity: throws with the position
    let v = xi * inv;
    v = v < lo ? lo : v > 1 ? 1 : v;
    const q = v * qmax;
    let r = Math.round(q);
    if (r - q === 0.5 && (r & 1) !== 0) r -= 1;
    out[i] = r;
  }
  return out;
}

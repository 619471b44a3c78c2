// Plain-TS reference of the crossbar MVM kernels (assembly/mvm.ts), written the straightforward way: literally
// bit-serial (DAC-digit-serial) over inputs and slice by slice, with f32 rounding where the kernel uses f32, so that
// the analog path is bit-identical to wasm for the same seed.
import { RefRng } from './rng.js';

export interface RefMvmShape {
  rows: number;
  nOut: number;
  slices: number;
  signCells: 1 | 2;
  cellBits: number;
  /** Offset removed digitally (offset scheme), 0 for differential. */
  offset: number;
}

export interface RefAnalogParams extends RefMvmShape {
  /** Physical cells per row of g (≥ nOut·cpw). */
  stride: number;
  dG: number;
  inputBits: number;
  dacBits: number;
  inputSigned: boolean;
  /** ADC step per slice (0 = no quantization) and max |code|. */
  adcStep: ArrayLike<number>;
  adcHalf: number;
  adcPerDigit: boolean;
  /** Read-noise variance per cell (same layout as g), or null when noiseless. */
  sig2: Float32Array | null;
  /** Reference column conductances / variances (offset scheme), one per row, or null. */
  gRef: Float32Array | null;
  sig2Ref: Float32Array | null;
}

const f = Math.fround;

function digitsOf(p: { inputBits: number; dacBits: number; inputSigned: boolean }): number {
  const mag = p.inputSigned ? p.inputBits - 1 : p.inputBits;
  return Math.ceil(mag / p.dacBits);
}

/**
 * Ideal mode, literally: Σ_k Σ_s 2^(k + cellBits·s) Σ_i bit_k(x_i)·(L+ − L−) with 1-bit digits, integer arithmetic
 * (BigInt-free: every partial stays well inside 2^53).
 */
export function refMvmIdeal(x: ArrayLike<number>, batch: number, levels: ArrayLike<number>, stride: number,
  shape: RefMvmShape, inputBits: number, inputSigned: boolean): Float64Array {
  const { rows, nOut, slices, signCells, cellBits, offset } = shape;
  const cpw = slices * signCells;
  const magBits = inputSigned ? inputBits - 1 : inputBits;
  const y = new Float64Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    let xsum = 0;
    for (let i = 0; i < rows; i++) xsum += x[b * rows + i]!;
    for (let j = 0; j < nOut; j++) {
      let acc = 0;
      for (let k = 0; k < magBits; k++) {
        for (let s = 0; s < slices; s++) {
          let partial = 0;
          for (let i = 0; i < rows; i++) {
            const xi = x[b * rows + i]!;
            const bit = (Math.abs(xi) >>> k) & 1;
            if (!bit) continue;
            const c = i * stride + j * cpw + s * signCells;
            const d = signCells === 2 ? levels[c]! - levels[c + 1]! : levels[c]!;
            partial += xi < 0 ? -d : d;
          }
          acc += partial * 2 ** (k + cellBits * s);
        }
      }
      y[b * nOut + j] = acc - offset * xsum;
    }
  }
  return y;
}

function adcConvert(v: number, step: number, half: number): number {
  if (step <= 0) return v;
  const q = v / step;
  let r = Math.floor(q + 0.5);
  if (r - q === 0.5 && Math.floor(r * 0.5) * 2.0 !== r) r -= 1.0;
  if (r > half) r = half;
  if (r < -half) r = -half;
  return r * step;
}

/** Analog mode, same operation order as the kernel; rng is the reference generator on the same stream. */
export function refMvmAnalog(x: ArrayLike<number>, batch: number, g: Float32Array, p: RefAnalogParams, rng: RefRng): Float64Array {
  const { rows, nOut, slices, signCells, cellBits, offset, stride } = p;
  const cpw = slices * signCells;
  const physCols = nOut * cpw;
  const digits = digitsOf(p);
  const mask = (1 << p.dacBits) - 1;
  const invDG = 1.0 / f(p.dG);
  const y = new Float64Array(batch * nOut);
  const cur = new Float32Array(physCols);
  const vars = new Float32Array(physCols);
  const accum = new Float64Array(nOut * slices);
  for (let b = 0; b < batch; b++) {
    accum.fill(0);
    for (let k = 0; k < digits; k++) {
      cur.fill(0); vars.fill(0);
      let ref = 0, refVar = 0, any = false;
      for (let i = 0; i < rows; i++) {
        const xi = x[b * rows + i]!;
        let v = (Math.abs(xi) >>> (k * p.dacBits)) & mask;
        if (v === 0) continue;
        any = true;
        if (xi < 0) v = -v;
        const fv = f(v), fv2 = f(fv * fv);
        for (let c = 0; c < physCols; c++) cur[c] = f(cur[c]! + f(fv * g[i * stride + c]!));
        if (p.sig2) for (let c = 0; c < physCols; c++) vars[c] = f(vars[c]! + f(fv2 * p.sig2[i * stride + c]!));
        if (p.gRef) {
          ref = f(ref + f(fv * p.gRef[i]!));
          if (p.sig2Ref && p.sig2) refVar = f(refVar + f(fv2 * p.sig2Ref[i]!));
        }
      }
      if (!any) continue;
      if (p.sig2 && p.gRef) ref = f(ref + Math.sqrt(refVar) * rng.normal());
      const digitWeight = 2 ** (k * p.dacBits);
      for (let j = 0; j < nOut; j++) {
        let yj = y[b * nOut + j]!;
        for (let s = 0; s < slices; s++) {
          const c = j * cpw + s * signCells;
          let iv: number;
          if (signCells === 2) {
            iv = f(cur[c]! - cur[c + 1]!);
            if (p.sig2) iv = f(iv + Math.sqrt(f(vars[c]! + vars[c + 1]!)) * rng.normal());
          } else {
            let ic = cur[c]!;
            if (p.sig2) ic = f(ic + Math.sqrt(vars[c]!) * rng.normal());
            iv = f(ic - ref);
          }
          const val = iv * invDG;
          if (p.adcPerDigit) yj += adcConvert(val, p.adcStep[s]!, p.adcHalf) * digitWeight * 2 ** (s * cellBits);
          else accum[j * slices + s] = accum[j * slices + s]! + val * digitWeight;
        }
        y[b * nOut + j] = yj;
      }
    }
    if (!p.adcPerDigit || offset !== 0) {
      let xsum = 0;
      if (offset !== 0) for (let i = 0; i < rows; i++) xsum += x[b * rows + i]!;
      for (let j = 0; j < nOut; j++) {
        let yj = y[b * nOut + j]!;
        if (!p.adcPerDigit) {
          for (let s = 0; s < slices; s++) yj += adcConvert(accum[j * slices + s]!, p.adcStep[s]!, p.adcHalf) * 2 ** (s * cellBits);
        }
        yj -= offset * xsum;
        y[b * nOut + j] = yj;
      }
    }
  }
  return y;
}

/** σ² per cell: (relative·G + absolute)², in f32 like the kernel. */
export function refReadNoiseVariance(g: Float32Array, relative: number, absolute: number): Float32Array {
  const out = new Float32Array(g.length);
  const r = f(relative), a = f(absolute);
  for (let i = 0; i < g.length; i++) { const s = f(f(r * g[i]!) + a); out[i] = f(s * s); }
  return out;
}

/** Geometry of a convolution window over HWC images (as src/mapping/types.ts WindowGeometry, without padding's name). */
export interface RefWindow {
  inH: number; inW: number; inC: number; kh: number; kw: number; strideH: number; strideW: number;
  padTop: number; padLeft: number; outH: number; outW: number;
}

/**
 * Twin of assembly/mvm.ts im2colI16: rows [row0, row0 + rows) of im2col patches p0 .. p0 + count − 1 of a batch of
 * HWC integer images, as vectors of kPad (zero padded), written the plain way: element by element.
 */
export function refIm2colInts(x: ArrayLike<number>, g: RefWindow, p0: number, count: number, row0: number, rows: number,
  kPad: number): Int16Array {
  const out = new Int16Array(count * kPad);
  const perImage = g.outH * g.outW, imageSize = g.inH * g.inW * g.inC;
  for (let i = 0; i < count; i++) {
    const p = p0 + i, b = Math.floor(p / perImage), oy = Math.floor((p % perImage) / g.outW), ox = p % g.outW;
    for (let r = row0; r < row0 + rows; r++) {
      const c = r % g.inC, kx = Math.floor(r / g.inC) % g.kw, ky = Math.floor(r / (g.inC * g.kw));
      const iy = oy * g.strideH - g.padTop + ky, ix = ox * g.strideW - g.padLeft + kx;
      if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) out[i * kPad + r - row0] = x[b * imageSize + (iy * g.inW + ix) * g.inC + c]!;
    }
  }
  return out;
}

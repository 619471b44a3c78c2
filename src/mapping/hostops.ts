// Host-side operations and conv geometry over batched channels-last Float32Arrays, in plain TypeScript (max pooling
// runs its wasm kernel once the module is loaded: the same results, a quarter of the time).
// Used by the forward pass (forward.ts) in every inference mode; the crossbar engine replaces the matrix product of
// Dense/Conv2D layers (and, in ideal mode, the whole layer: im2col, bias and ReLU run in wasm). Small functions, no tfjs.
//
// Layout: a batch of `batch` samples of shape `shape` (no batch dim) is one Float32Array of batch·prod(shape)
// values, sample-major, each sample row-major (HWC for images).
import { arena, reference, resolveBackend, wasmKernels, type Backend } from '../wasm/index.js';
import type { ActivationName, Padding, WindowGeometry } from './types.js';

export interface HostTensor {
  batch: number;
  /** Shape of one sample (no batch dimension). */
  shape: number[];
  data: Float32Array;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Geometry of a kh×kw window with strides over an inH×inW×inC input, TF rules:
 * valid: out = floor((in − k)/s) + 1, no padding; same: out = ceil(in/s), total padding
 * max((out − 1)·s + k − in, 0) of which floor(total/2) goes on top/left and the rest on bottom/right.
 */
export function windowGeometry(
  inH: number, inW: number, inC: number, kh: number, kw: number, strideH: number, strideW: number, padding: Padding,
): WindowGeometry {
  let outH: number, outW: number, padTop = 0, padLeft = 0;
  if (padding === 'valid') {
    outH = Math.floor((inH - kh) / strideH) + 1;
    outW = Math.floor((inW - kw) / strideW) + 1;
  } else {
    outH = Math.ceil(inH / strideH);
    outW = Math.ceil(inW / strideW);
    padTop = Math.floor(Math.max((outH - 1) * strideH + kh - inH, 0) / 2);
    padLeft = Math.floor(Math.max((outW - 1) * strideW + kw - inW, 0) / 2);
  }
  if (outH < 1 || outW < 1) {
    throw new Error(`window ${kh}×${kw} (strides ${strideH}×${strideW}, ${padding}) does not fit a ${inH}×${inW} input; use "same" padding or a smaller kernel`);
  }
  return { inH, inW, inC, kh, kw, strideH, strideW, padding, padTop, padLeft, outH, outW };
}

/** K = kh·kw·cin: the length of one im2col patch = the rows of the conv matrix. */
export const patchLength = (g: WindowGeometry): number => g.kh * g.kw * g.inC;

/**
 * Writes the im2col patch of output pixel (oy, ox) of one HWC sample `x` (starting at xOff) into out[outOff ..
 * outOff + K). Order: k = (ky·kw + kx)·cin + ci, zero where the window hangs over the (padded) border.
 */
export function im2colPatch(
  x: Float32Array, xOff: number, g: WindowGeometry, oy: number, ox: number, out: Float32Array, outOff: number,
): void {
  const { inH, inW, inC, kh, kw } = g;
  const y0 = oy * g.strideH - g.padTop, x0 = ox * g.strideW - g.padLeft;
  let k = outOff;
  for (let ky = 0; ky < kh; ky++) {
    const iy = y0 + ky;
    for (let kx = 0; kx < kw; kx++) {
      const ix = x0 + kx;
      if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
        out.fill(0, k, k + inC);
      } else {
        const src = xOff + (iy * inW + ix) * inC;
        for (let c = 0; c < inC; c++) out[k + c] = x[src + c];
      }
      k += inC;
    }
  }
}

/**
 * im2col of a whole batch: returns a (batch·outH·outW) × K row-major matrix; row index
 * (b·outH + oy)·outW + ox, so the conv output (that matrix × W) is already the batch of HWC outputs.
 */
export function im2col(x: Float32Array, batch: number, g: WindowGeometry): Float32Array {
  const K = patchLength(g), inSize = g.inH * g.inW * g.inC, P = g.outH * g.outW;
  const out = new Float32Array(batch * P * K);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) im2colPatch(x, b * inSize, g, oy, ox, out, ((b * g.outH + oy) * g.outW + ox) * K);
    }
  }
  return out;
}

/** Float matrix product a (M×K) · w (K×N), row-major, accumulated in f64 in ascending k order. */
export function matmul(a: Float32Array, w: Float32Array, M: number, K: number, N: number): Float32Array {
  const out = new Float32Array(M * N);
  const acc = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    acc.fill(0);
    const aOff = m * K;
    for (let k = 0; k < K; k++) {
      const av = a[aOff + k];
      if (av === 0) continue;
      const wOff = k * N;
      for (let n = 0; n < N; n++) acc[n] += av * w[wOff + n];
    }
    out.set(acc, m * N);
  }
  return out;
}

/** In place: y[m, n] += bias[n] for an (M×N) row-major matrix. */
export function addBias(y: Float32Array, bias: Float32Array): void {
  const N = bias.length;
  for (let i = 0; i < y.length; i += N) for (let n = 0; n < N; n++) y[i + n] += bias[n];
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** In place: applies an activation; softmax is taken over the last axis of length `lastDim`. */
export function applyActivation(name: ActivationName, y: Float32Array, lastDim: number): void {
  const n = y.length;
  switch (name) {
    case 'linear': return;
    case 'relu': for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0; return;
    case 'relu6': for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(y[i], 0), 6); return;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = sigmoid(y[i]); return;
    case 'hardSigmoid': for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(0.2 * y[i] + 0.5, 0), 1); return;
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i]); return;
    case 'elu': for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = Math.expm1(y[i]); return;
    case 'selu':
      for (let i = 0; i < n; i++) y[i] = SELU_SCALE * (y[i] > 0 ? y[i] : SELU_ALPHA * Math.expm1(y[i]));
      return;
    case 'softplus': for (let i = 0; i < n; i++) y[i] = y[i] > 30 ? y[i] : Math.log1p(Math.exp(y[i])); return;
    case 'softsign': for (let i = 0; i < n; i++) y[i] = y[i] / (1 + Math.abs(y[i])); return;
    case 'swish': for (let i = 0; i < n; i++) y[i] = y[i] * sigmoid(y[i]); return;
    case 'softmax':
      for (let off = 0; off < n; off += lastDim) {
        let mx = -Infinity;
        for (let j = 0; j < lastDim; j++) mx = Math.max(mx, y[off + j]);
        let s = 0;
        for (let j = 0; j < lastDim; j++) s += Math.exp(y[off + j] - mx);
        for (let j = 0; j < lastDim; j++) y[off + j] = Math.exp(y[off + j] - mx) / s;
      }
      return;
    default: {
      const never: never = name;
      throw new Error(`unknown activation ${String(never)}`);
    }
  }
}

/**
 * Max or average pooling of a batch of HWC samples with the given geometry (inC = channels). Windows that hang
 * over the border ("same") ignore the padded positions: max over the valid ones, average divided by the count of
 * valid ones (TF's rule).
 */
export function pool2d(kind: 'max' | 'avg', x: Float32Array, batch: number, g: WindowGeometry, backend?: Backend): Float32Array {
  if (kind === 'max') return resolveBackend(backend, 'pool2d') === 'wasm' ? maxPoolWasm(x, batch, g) : reference('maxPool').refMaxPool2d(x, batch, g);
  const out = new Float32Array(batch * g.outH * g.outW * g.inC);
  avgPoolInto(x, batch, g, out);
  return out;
}

/**
 * Max pooling by the wasm kernel (assembly/mvm.ts maxPool2dF32; its TS twin is refMaxPool2d). The input is copied
 * into scoped wasm memory, which grows to the largest batch pooled and never shrinks; typed-array views into wasm
 * memory taken before a call may be detached by that growth (take `.view` again after it).
 */
export function maxPoolWasm(x: Float32Array, batch: number, g: WindowGeometry): Float32Array {
  return arena.scoped((a) => {
    const xw = a.from('f32', x), out = a.alloc('f32', batch * g.outH * g.outW * g.inC, false);
    wasmKernels('maxPool').maxPool2dF32(xw.ptr, batch, g.inH, g.inW, g.inC, g.kh, g.kw, g.strideH,
      g.strideW, g.padTop, g.padLeft, g.outH, g.outW, out.ptr);
    return out.view.slice();
  });
}

// mean over the window's cells inside the input, summed in f64
function avgPoolInto(x: Float32Array, batch: number, g: WindowGeometry, out: Float32Array): void {
  const { inH, inW, inC: C, outH, outW } = g;
  const acc = new Float64Array(C);
  for (let b = 0; b < batch; b++) {
    const xOff = b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * g.strideH - g.padTop;
      const yLo = Math.max(y0, 0), yHi = Math.min(y0 + g.kh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * g.strideW - g.padLeft;
        const xLo = Math.max(x0, 0), xHi = Math.min(x0 + g.kw, inW);
        acc.fill(0);
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            const src = xOff + (iy * inW + ix) * C;
            for (let c = 0; c < C; c++) acc[c] += x[src + c]!;
          }
        }
        const dst = ((b * outH + oy) * outW + ox) * C;
        const count = (yHi - yLo) * (xHi - xLo);
        for (let c = 0; c < C; c++) out[dst + c] = acc[c]! / count;
      }
    }
  }
}

/** Global max/average pooling over H and W of a batch of HWC samples → batch × C. */
export function globalPool(kind: 'max' | 'avg', x: Float32Array, batch: number, hw: number, C: number): Float32Array {
  const out = new Float32Array(batch * C);
  const acc = new Float64Array(C);
  for (let b = 0; b < batch; b++) {
    acc.fill(kind === 'max' ? -Infinity : 0);
    for (let p = 0; p < hw; p++) {
      const src = (b * hw + p) * C;
      if (kind === 'max') for (let c = 0; c < C; c++) { if (x[src + c] > acc[c]) acc[c] = x[src + c]; }
      else for (let c = 0; c < C; c++) acc[c] += x[src + c];
    }
    for (let c = 0; c < C; c++) out[b * C + c] = kind === 'max' ? acc[c] : acc[c] / hw;
  }
  return out;
}

/** Element-wise sum of same-length arrays (residual Add). */
export function addAll(xs: Float32Array[]): Float32Array {
  const out = Float32Array.from(xs[0]);
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i];
    for (let j = 0; j < out.length; j++) out[j] += x[j];
  }
  return out;
}

/** y = x·scale[c] + shift[c] over the last axis (an unfolded BatchNormalization). */
export function scaleShift(x: Float32Array, scale: Float32Array, shift: Float32Array): Float32Array {
  const C = scale.length, out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) out[i + c] = x[i + c] * scale[c] + shift[c];
  return out;
}

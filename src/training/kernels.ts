// Training kernels for the tfjs wasm backend (DESIGN §5): tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel
// (conv training fails outright) and its BatchMatMul with a transposed operand runs a slow generic loop (≈3–10× below
// the XNNPACK path) — and every backward pass hits both. We register kernels composed from the backend's fast ones:
//
//   BatchMatMul / _FusedMatMul with transposeA|transposeB → explicit Transpose (memory-bound, cheap) + plain matmul;
//   Conv2DBackpropFilter → im2col(x) (pad + strided slices + concat)ᵀ · dy, reshaped to the filter;
//   Conv2D / FusedConv2D → im2col(x) · W (XNNPACK's conv is slower than its matmul at these small shapes);
//   Conv2DBackpropInput → (dy · Wᵀ) scattered back with col2im (pads + adds), strides by zero-interleaving.
//
// Composed kernels call tf ops from inside a kernel: the engine does not record them on the gradient tape
// (kernelDepth > 0) and accepts a Tensor as the kernel output. Only dilation 1 and NHWC are taken over; anything
// else is delegated to the original kernel (or throws, for the filter gradient, naming the limitation).
import * as tf from '@tensorflow/tfjs';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

const WASM = 'wasm';
const TAKEN = ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
const originals = new Map<string, tf.KernelConfig | undefined>();
let patched = false;

/** True when our training kernels are registered on the wasm backend. */
export function wasmKernelsPatched(): boolean { return patched; }

function asTensor(t: unknown): tf.Tensor {
  if ((t as tf.Tensor).rank != null) return t as tf.Tensor;
  return tf.engine().makeTensorFromTensorInfo(t as tf.TensorInfo);
}

function applyActivation(y: tf.Tensor, activation: string | undefined, preluWeights?: tf.Tensor, leakyreluAlpha?: number): tf.Tensor {
  switch (activation ?? 'linear') {
    case 'linear': return y;
    case 'relu': return tf.relu(y);
    case 'relu6': return tf.relu6(y);
    case 'elu': return tf.elu(y);
    case 'sigmoid': return tf.sigmoid(y);
    case 'prelu': return tf.prelu(y, preluWeights!);
    case 'leakyrelu': return tf.leakyRelu(y, leakyreluAlpha ?? 0.2);
    default: throw new Error(`fused activation '${activation}' is not supported by the ha3m wasm kernels; use linear, relu, relu6, elu, sigmoid, prelu or leakyrelu`);
  }
}

/**
 * im2col for NHWC on host memory: x [N, H, W, C] → [N·outH·outW, kh·kw·C], column order (ky, kx, c) matching the
 * row-major filter [kh, kw, C, F]. Plain loops: tfjs-wasm's Slice/Concat on 4-D tensors take a slow generic path
 * (a LeNet-5 step spent >1 s in them), while this is a few ms per batch.
 */
export function im2colHost(x: Float32Array, info: Conv2DInfo): Float32Array {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inChannels: c, inHeight: h, inWidth: w, batchSize: n } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const k = kh * kw * c;
  const cols = new Float32Array(n * oh * ow * k);
  let r = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += k) {
        let o = r;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - top + ky;
          if (iy < 0 || iy >= h) { o += kw * c; continue; }
          for (let kx = 0; kx < kw; kx++, o += c) {
            const ix = ox * sw - left + kx;
            if (ix < 0 || ix >= w) continue;
            const src = xb + (iy * w + ix) * c;
            if (c === 1) cols[o] = x[src]!;
            else cols.set(x.subarray(src, src + c), o);
          }
        }
      }
    }
  }
  return cols;
}

/** col2im: the transpose of im2colHost — scatter-adds [N·outH·outW, kh·kw·C] back onto an [N, H, W, C] input. */
export function col2imHost(cols: Float32Array, info: Conv2DInfo): Float32Array {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inChannels: c, inHeight: h, inWidth: w, batchSize: n } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const k = kh * kw * c;
  const x = new Float32Array(n * h * w * c);
  let r = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += k) {
        let o = r;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - top + ky;
          if (iy < 0 || iy >= h) { o += kw * c; continue; }
          for (let kx = 0; kx < kw; kx++, o += c) {
            const ix = ox * sw - left + kx;
            if (ix < 0 || ix >= w) continue;
            const dst = xb + (iy * w + ix) * c;
            for (let ch = 0; ch < c; ch++) x[dst + ch] += cols[o + ch]!;
          }
        }
      }
    }
  }
  return x;
}

const colsKey = (info: Conv2DInfo): string =>
  [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.strideHeight,
    info.strideWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth].join(',');

/**
 * im2col results of forward convolutions run under a gradient tape, kept for the filter gradient of the same input
 * (saves a second im2col + upload per conv layer and step). Keyed by the input's dataId (tensors are immutable);
 * consumed entries are dropped, and at most MAX_CACHED stay alive.
 */
const colsCache = new Map<object, { key: string; cols: tf.Tensor2D }>();
const MAX_CACHED = 8;
const taping = (): boolean => (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;

function cacheCols(x: tf.Tensor, info: Conv2DInfo, cols: tf.Tensor2D): void {
  if (!taping()) return;
  const old = colsCache.get(x.dataId);
  if (old) { colsCache.delete(x.dataId); old.cols.dispose(); }
  colsCache.set(x.dataId, { key: colsKey(info), cols: tf.keep(cols.clone()) });
  while (colsCache.size > MAX_CACHED) {
    const [k, v] = colsCache.entries().next().value as [object, { cols: tf.Tensor2D }];
    colsCache.delete(k); v.cols.dispose();
  }
}

/** Takes the cached im2col of `x` (caller disposes it), or undefined. */
function takeCols(x: tf.Tensor, info: Conv2DInfo): tf.Tensor2D | undefined {
  const e = colsCache.get(x.dataId);
  if (!e || e.key !== colsKey(info)) return undefined;
  colsCache.delete(x.dataId);
  return e.cols;
}

/** Drops every cached im2col (tests; after training). */
export function clearConvCache(): void {
  for (const v of colsCache.values()) v.cols.dispose();
  colsCache.clear();
}

function im2col(x: tf.Tensor4D, info: Conv2DInfo): tf.Tensor2D {
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  if (k === info.inChannels && info.strideHeight === 1 && info.strideWidth === 1 && info.outHeight === info.inHeight && info.outWidth === info.inWidth) {
    return tf.reshape(x, [info.batchSize * info.outHeight * info.outWidth, k]); // 1×1 stride-1 conv: no copy
  }
  const data = im2colHost(x.dataSync() as Float32Array, info);
  return tf.tensor2d(data, [info.batchSize * info.outHeight * info.outWidth, k], 'float32');
}

function col2im(cols: tf.Tensor2D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tensor4d(col2imHost(cols.dataSync() as Float32Array, info), [info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
}

function convInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): Conv2DInfo {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: [number, number] | number; pad: 'same' | 'valid' | number; dataFormat?: 'NHWC' | 'NCHW';
    dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations ?? 1, pad, dimRoundingMode, false, fmt);
}

const supported = (info: Conv2DInfo): boolean =>
  info.dilationHeight === 1 && info.dilationWidth === 1 && info.dataFormat === 'channelsLast' && info.padInfo.type !== 'EXPLICIT';

function conv2dIm2col(x: tf.Tensor4D, filter: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  const cols = im2col(x, info);
  cacheCols(x, info, cols);
  const w2 = tf.reshape(filter, [info.filterHeight * info.filterWidth * info.inChannels, info.outChannels]);
  return tf.reshape(tf.matMul(cols, w2), [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
}

function transposeLast2(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2; perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

function makeKernels(): Record<(typeof TAKEN)[number], KernelFunc> {
  const orig = (name: string): KernelFunc => {
    const k = originals.get(name);
    if (!k) throw new Error(`the wasm backend has no original '${name}' kernel to delegate to`);
    return k.kernelFunc;
  };
  return {
    BatchMatMul: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return orig('BatchMatMul')(args);
      const { a, b } = args.inputs;
      return tf.tidy(() => {
        const aa = transposeA ? transposeLast2(asTensor(a)) : asTensor(a);
        const bb = transposeB ? transposeLast2(asTensor(b)) : asTensor(b);
        return tf.matMul(aa, bb, false, false);
      });
    },
    _FusedMatMul: (args) => {
      const at = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
      if (!at.transposeA && !at.transposeB) return orig('_FusedMatMul')(args);
      const { a, b, bias, preluActivationWeights } = args.inputs;
      return tf.tidy(() => {
        const aa = at.transposeA ? transposeLast2(asTensor(a)) : asTensor(a);
        const bb = at.transposeB ? transposeLast2(asTensor(b)) : asTensor(b);
        let y = tf.matMul(aa, bb, false, false);
        if (bias) y = tf.add(y, asTensor(bias));
        return applyActivation(y, at.activation, preluActivationWeights ? asTensor(preluActivationWeights) : undefined, at.leakyreluAlpha);
      });
    },
    Conv2D: (args) => {
      const x = asTensor(args.inputs.x) as tf.Tensor4D, filter = asTensor(args.inputs.filter) as tf.Tensor4D;
      const info = convInfo(x.shape, filter.shape, args.attrs!);
      if (!supported(info)) return orig('Conv2D')(args);
      return tf.tidy(() => conv2dIm2col(x, filter, info));
    },
    FusedConv2D: (args) => {
      const x = asTensor(args.inputs.x) as tf.Tensor4D, filter = asTensor(args.inputs.filter) as tf.Tensor4D;
      const info = convInfo(x.shape, filter.shape, args.attrs!);
      if (!supported(info)) return orig('FusedConv2D')(args);
      const { bias, preluActivationWeights } = args.inputs;
      const at = args.attrs as unknown as { activation?: string; leakyreluAlpha?: number };
      return tf.tidy(() => {
        let y: tf.Tensor = conv2dIm2col(x, filter, info);
        if (bias) y = tf.add(y, asTensor(bias));
        return applyActivation(y, at.activation, preluActivationWeights ? asTensor(preluActivationWeights) : undefined, at.leakyreluAlpha);
      });
    },
    Conv2DBackpropFilter: (args) => {
      const x = asTensor(args.inputs.x) as tf.Tensor4D, dy = asTensor(args.inputs.dy) as tf.Tensor4D;
      const filterShape = (args.attrs as unknown as { filterShape: number[] }).filterShape;
      const info = convInfo(x.shape, filterShape, args.attrs!);
      if (!supported(info)) {
        throw new Error('Conv2DBackpropFilter on wasm: only dilation 1, NHWC and same/valid padding are implemented; use --backend cpu for other convolutions');
      }
      const cached = takeCols(x, info);
      const dw = tf.tidy(() => {
        const cols = cached ?? im2col(x, info);
        const dy2 = tf.reshape(dy, [info.batchSize * info.outHeight * info.outWidth, info.outChannels]);
        return tf.reshape(tf.matMul(tf.transpose(cols), dy2), filterShape);
      });
      cached?.dispose();
      return dw;
    },
    Conv2DBackpropInput: (args) => {
      const dy = asTensor(args.inputs.dy) as tf.Tensor4D, filter = asTensor(args.inputs.filter) as tf.Tensor4D;
      const inputShape = (args.attrs as unknown as { inputShape: number[] }).inputShape;
      const info = convInfo(inputShape, filter.shape, args.attrs!);
      if (!supported(info)) return orig('Conv2DBackpropInput')(args);
      return tf.tidy(() => {
        const k = info.filterHeight * info.filterWidth * info.inChannels;
        const dy2 = tf.reshape(dy, [info.batchSize * info.outHeight * info.outWidth, info.outChannels]);
        const wT = tf.transpose(tf.reshape(filter, [k, info.outChannels]));
        return col2im(tf.matMul(dy2, wT) as tf.Tensor2D, info);
      });
    },
  };
}

/**
 * Registers the ha3m training kernels on the wasm backend (idempotent). Call after the wasm backend is registered
 * (importing @tensorflow/tfjs-backend-wasm does that); works whether or not it is the active backend.
 */
export function patchWasmKernels(): void {
  if (patched) return;
  const kernels = makeKernels();
  for (const name of TAKEN) {
    const k = tf.getKernel(name, WASM);
    originals.set(name, k);
    if (k) tf.unregisterKernel(name, WASM);
    // keep the original setupFunc: the wasm backend calls it at init to bind the C++ entry points our delegations use
    tf.registerKernel({ kernelName: name, backendName: WASM, kernelFunc: kernels[name], setupFunc: k?.setupFunc, disposeFunc: k?.disposeFunc });
  }
  patched = true;
}

/** Restores the backend's own kernels (used by the benchmark to measure unpatched wasm). */
export function unpatchWasmKernels(): void {
  if (!patched) return;
  for (const name of TAKEN) {
    tf.unregisterKernel(name, WASM);
    const k = originals.get(name);
    if (k) tf.registerKernel(k);
  }
  originals.clear();
  patched = false;
}

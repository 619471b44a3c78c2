// Training kernels for the tfjs wasm backend (DESIGN §5): tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel
// (conv training fails outright) and its BatchMatMul with a transposed operand runs a slow generic loop (≈1.2
// GFLOP/s measured here, vs 13–14 for the plain XNNPACK one) — every backward pass hits both. We register kernels that
// run our own SIMD GEMM (assembly/gemm.ts, 15–18 GFLOP/s at the MLP's shapes with either operand transposed, the
// transpose absorbed by the packing — near the 4-wide mul+add peak of this machine; see bench/train.bench.ts):
//
//   BatchMatMul / _FusedMatMul → gemm (bias + relu in its epilogue; other activations applied with tf ops after);
//   Conv2D / FusedConv2D stay the backend's (XNNPACK): faster than im2col · W here (LeNet training 12 %, predict 1.6×);
//   Conv2DBackpropFilter → im2col(x)ᵀ · dy (transposed-A gemm), reshaped to the filter;
//   Conv2DBackpropInput → dy · Wᵀ (transposed-B gemm) scattered back by the wasm col2im kernel;
//   Sum / Mean over leading axes, Tile, AvgPoolGrad with non-overlapping windows → direct kernels (tfjs-wasm's generic
//   paths for these made up most of a BatchNorm ResNet step); MaxPoolGrad → one wasm pass scattering dy to each window's
//   first maximum (the cpu backend's rule; tfjs-wasm's took 14 ms for LeNet's first pooling, a quarter of a step);
//   Add / Sub / Multiply of a tensor and a per-channel vector ([C] or [1, …, 1, C]: bias adds, BatchNorm) → one
//   loop (tfjs-wasm's broadcasting path ran at ~6 ns per element); every other case goes to the backend's kernel;
//   Identity, Cast to the same dtype → the input's data shared (tfjs-wasm copied it; the engine clones every tensor it
//   saves for the backward pass, ~30 copies per MLP step, the 784×256 weights among them).
//
// Data path of every kernel: the backend's typed-array views on its heap → copies into our arena (src/wasm/arena.ts)
// → wasm kernel → the backend's makeOutput. Weights HostAdam wrote are already in our memory (residentF32 in gemm.ts)
// and are not copied again. Anything we do not take (non-float32, odd broadcasting, dilation ≠ 1,
// NCHW, explicit padding, other axes) goes to the original kernel or the old composition (Transpose + the backend's
// plain matmul); the filter gradient, which the backend lacks, throws naming the limitation.
// The convolution and pooling gradients live in conv-kernels.ts.
import * as tf from '@tensorflow/tfjs';
import { arena, type WasmArray } from '../wasm/arena.js';
import { wasmKernels } from '../wasm/index.js';
import { gemm, residentF32, type GemmActivation } from './gemm.js';
import { convGradKernels } from './conv-kernels.js';
import { f32, heap, sizeOf, type KernelFunc, type WasmBackendLike } from './backend-heap.js';

const convKernels = () => wasmKernels('conv');

const WASM = 'wasm';
const TAKEN = ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile', 'Sum', 'Mean', 'AvgPoolGrad', 'MaxPoolGrad',
  'Add', 'Sub', 'Multiply',
  'Identity', 'Cast'] as const;
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

// im2col / col2im run in wasm (im2colF32 / col2imF32 in assembly/gemm.ts); their TS twins are registered with the conv
// family in src/wasm/kernels.ts.

/** Kept for API compatibility: no im2col is cached any more (rebuilding it in wasm is cheaper than a host copy). */
export function clearConvCache(): void {}

function transposeLast2(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2; perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

/** A float32 input in our memory: its resident copy (weights the optimizer wrote) or a fresh arena copy. */
function operand(backend: unknown, t: tf.TensorInfo): WasmArray<'f32'> {
  const r = residentF32.get(t.dataId as object);
  // (an entry above the arena top was released under its owner; HostAdam reports that at its next step)
  return r && r.length === sizeOf(t.shape) && r.ptr + r.byteLength <= arena.mark() ? r : arena.from('f32', heap(backend, t));
}

/** In-kernel epilogue for an activation name, or null when it must be applied with tf ops afterwards. */
const kernelAct = (a: string | undefined): GemmActivation | null => (a === undefined || a === 'linear' ? 'linear' : a === 'relu' ? 'relu' : null);

/**
 * BatchMatMul on our GEMM: tfjs heap → arena copies → gemm per batch → output made by the backend. Returns null
 * for what it does not take (non-float32, batch dims that broadcast other than 1 ↔ B), so the caller falls back.
 */
function batchMatMulGemm(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean,
  bias: tf.TensorInfo | undefined, act: GemmActivation): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ar = a.shape.length, br = b.shape.length;
  const m = ta ? a.shape[ar - 1]! : a.shape[ar - 2]!, k = ta ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = tb ? b.shape[br - 1]! : b.shape[br - 2]!, n = tb ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (k !== kb) return null; // let the original kernel produce tfjs's own shape error
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  let outer: number[];
  try { outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB); } catch { return null; }
  const batch = Math.max(batchA, batchB);
  if (sizeOf(outer) !== batch) return null;
  if (bias && (bias.dtype !== 'float32' || sizeOf(bias.shape) !== n || bias.shape.length > 1 && bias.shape.slice(0, -1).some((d) => d !== 1))) return null;
  const mark = arena.mark();
  try {
    const A = operand(backend, a), B = operand(backend, b);
    const C = arena.alloc('f32', batch * m * n, false);
    const Bias = bias ? arena.from('f32', heap(backend, bias)) : undefined;
    for (let i = 0; i < batch; i++) {
      gemm({
        transA: ta, transB: tb, m, n, k,
        a: batchA === 1 ? A : A.sub(i * m * k, m * k), b: batchB === 1 ? B : B.sub(i * k * n, k * n), c: C.sub(i * m * n, m * n),
        bias: Bias, activation: act,
      });
    }
    const out = (backend as WasmBackendLike).makeOutput([...outer, m, n], 'float32');
    heap(backend, out).set(C.view);
    return out;
  } finally {
    arena.release(mark);
  }
}

/**
 * Tile on host typed arrays with bulk copies: innermost rows are copied then repeated with copyWithin, and each outer
 * dimension's block is repeated the same way. tfjs-wasm's Tile is a per-element generic loop (≈0.3 s for one
 * [64, 28, 28, 16] BatchNorm gradient broadcast, most of a ResNet training step).
 */
export function tileHost<T extends Float32Array | Int32Array | Uint8Array>(x: T, shape: number[], reps: number[], out: T): T {
  const rank = shape.length;
  if (rank === 0) { out[0] = x[0]!; return out; }
  const oShape = shape.map((d, i) => d * reps[i]!);
  const xStride = new Array<number>(rank), oStride = new Array<number>(rank);
  xStride[rank - 1] = 1; oStride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) { xStride[d] = xStride[d + 1]! * shape[d + 1]!; oStride[d] = oStride[d + 1]! * oShape[d + 1]!; }
  const fill = (d: number, xo: number, oo: number): void => {
    const n = shape[d]!;
    if (d === rank - 1) out.set(x.subarray(xo, xo + n), oo);
    else for (let i = 0; i < n; i++) fill(d + 1, xo + i * xStride[d]!, oo + i * oStride[d]!);
    const block = n * oStride[d]!;
    for (let r = 1; r < reps[d]!; r++) out.copyWithin(oo + r * block, oo, oo + block);
  };
  if (oShape.every((d) => d > 0)) fill(0, 0, 0);
  return out;
}

/**
 * Sum (or mean) of a float32 tensor over its leading axes [0, r): out[j] = Σ_i x[i·inner + j], summed row by row in
 * f32 by a wasm kernel. BatchNorm and bias gradients reduce NHWC tensors over N, H, W this way; tfjs-wasm transposes the tensor
 * first (a slow generic Transpose). Returns null for other axis sets (the original kernel takes them).
 */
function reduceLeading(backend: unknown, x: tf.TensorInfo, axis: number | number[], keepDims: boolean, mean: boolean): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || x.shape.length < 2) return null;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const r = axes.length;
  if (r === 0 || r === x.shape.length || !axes.every((a, i) => a === i)) return null;
  const outer = sizeOf(x.shape.slice(0, r)), inner = sizeOf(x.shape.slice(r));
  const acc = arena.scoped((ar) => {
    const X = ar.from('f32', heap(backend, x)), S = ar.alloc('f32', inner, false);
    convKernels().sumRowsF32(X.ptr, outer, inner, S.ptr);
    return S.copy();
  });
  if (mean) for (let j = 0; j < inner; j++) acc[j] = acc[j]! / outer;
  const shape = keepDims ? x.shape.map((d, i) => (i < r ? 1 : d)) : x.shape.slice(r);
  const out = (backend as WasmBackendLike).makeOutput(shape, 'float32');
  heap(backend, out).set(acc);
  return out;
}

/** The same data under a second tensor (tfjs tensors are immutable; the cpu and webgl backends share it too). */
function shareData(backend: unknown, x: tf.TensorInfo, dtype = x.dtype): tf.TensorInfo {
  (backend as { incRef(id: unknown): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}


/** Whether `small` is a per-channel vector of `big` ([C] or [1, …, 1, C] with C = big's last dimension). */
function perChannel(big: number[], small: number[]): boolean {
  if (big.length < 2 || small.length < 1 || small.length > big.length) return false;
  const c = big[big.length - 1]!;
  return small[small.length - 1] === c && small.slice(0, -1).every((d) => d === 1) && sizeOf(big) > c;
}

type BinaryOp = 'Add' | 'Sub' | 'Multiply';
/**
 * A float32 binary op of a tensor and a per-channel vector, in either order; null when the operands are anything
 * else. One f64 operation rounded to f32 per element: the correctly rounded f32 result, as the cpu backend stores it.
 */
function perChannelBinary(op: BinaryOp, backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const bigFirst = perChannel(a.shape, b.shape);
  if (!bigFirst && !perChannel(b.shape, a.shape)) return null;
  const big = bigFirst ? a : b, shape = big.shape, c = shape[shape.length - 1]!;
  const out = (backend as WasmBackendLike).makeOutput(shape, 'float32');
  // views after makeOutput: it may grow the heap
  const x = heap(backend, big), v = heap(backend, bigFirst ? b : a), y = heap(backend, out);
  const n = x.length;
  if (op === 'Add') for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = x[i + j]! + v[j]!;
  else if (op === 'Multiply') for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = x[i + j]! * v[j]!;
  else if (bigFirst) for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = x[i + j]! - v[j]!;
  else for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = v[j]! - x[i + j]!;
  return out;
}

function makeKernels(): Record<(typeof TAKEN)[number], KernelFunc> {
  const orig = (name: string): KernelFunc => {
    const k = originals.get(name);
    if (!k) throw new Error(`the wasm backend has no original '${name}' kernel to delegate to`);
    return k.kernelFunc;
  };
  /** The old composition (Transpose + the backend's plain matmul), for shapes our GEMM path does not take. */
  const composedMatMul = (a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): tf.Tensor => {
    const aa = ta ? transposeLast2(asTensor(a)) : asTensor(a);
    const bb = tb ? transposeLast2(asTensor(b)) : asTensor(b);
    return tf.matMul(aa, bb, false, false);
  };
  return {
    BatchMatMul: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const { a, b } = args.inputs;
      const out = batchMatMulGemm(args.backend, a!, b!, transposeA, transposeB, undefined, 'linear');
      if (out) return out;
      if (!transposeA && !transposeB) return orig('BatchMatMul')(args);
      return tf.tidy(() => composedMatMul(a!, b!, transposeA, transposeB));
    },
    _FusedMatMul: (args) => {
      const at = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
      const { a, b, bias, preluActivationWeights } = args.inputs;
      const act = kernelAct(at.activation);
      const out = batchMatMulGemm(args.backend, a!, b!, at.transposeA, at.transposeB, bias, act ?? 'linear');
      if (out && act) return out;
      return tf.tidy(() => {
        let y: tf.Tensor;
        if (out) y = asTensor(out); // bias is in; apply the activation the epilogue lacks
        else {
          if (!at.transposeA && !at.transposeB) return asTensor(orig('_FusedMatMul')(args) as tf.TensorInfo);
          y = composedMatMul(a!, b!, at.transposeA, at.transposeB);
          if (bias) y = tf.add(y, asTensor(bias));
        }
        return applyActivation(y, at.activation, preluActivationWeights ? asTensor(preluActivationWeights) : undefined, at.leakyreluAlpha);
      });
    },
    ...convGradKernels(orig),
    Sum: (args) => {
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      return reduceLeading(args.backend, args.inputs.x!, axis, keepDims, false) ?? orig('Sum')(args);
    },
    Mean: (args) => {
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      return reduceLeading(args.backend, args.inputs.x!, axis, keepDims, true) ?? orig('Mean')(args);
    },
    Add: (args) => perChannelBinary('Add', args.backend, args.inputs.a!, args.inputs.b!) ?? orig('Add')(args),
    Sub: (args) => perChannelBinary('Sub', args.backend, args.inputs.a!, args.inputs.b!) ?? orig('Sub')(args),
    Multiply: (args) => perChannelBinary('Multiply', args.backend, args.inputs.a!, args.inputs.b!) ?? orig('Multiply')(args),
    Tile: (args) => {
      const { x } = args.inputs;
      const reps = (args.attrs as unknown as { reps: number[] }).reps;
      if (x!.dtype === 'string' || x!.dtype === 'complex64' || reps.length !== x!.shape.length) return orig('Tile')(args);
      const outShape = x!.shape.map((d, i) => d * reps[i]!);
      const out = (args.backend as WasmBackendLike).makeOutput(outShape, x!.dtype);
      const b = args.backend as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array };
      tileHost(b.typedArrayFromHeap(x!), x!.shape, reps, b.typedArrayFromHeap(out)); // views taken after makeOutput (it may grow the heap)
      return out;
    },
    // Identity (tf.clone, the engine's copies of tensors saved for the backward pass, variable reads) and Cast to the
    // same dtype copied the whole tensor in tfjs-wasm; share it instead.
    Identity: (args) => (args.inputs.x!.dtype === 'string' ? orig('Identity')(args) : shareData(args.backend, args.inputs.x!)),
    Cast: (args) => {
      const x = args.inputs.x!, dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
      return x.dtype === dtype && dtype !== 'string' && dtype !== 'complex64' ? shareData(args.backend, x) : orig('Cast')(args);
    },
  };
}

/**
 * Registers the ha3m training kernels on the wasm backend (idempotent). Call after the wasm backend is registered
 * (importing @tensorflow/tfjs-backend-wasm does that); works whether or not it is the active backend.
 */
export function patchWasmKernels(): void {
  if (patched) return;
  wasmKernels('gemm', 'conv'); // our wasm module must be loaded before a kernelFunc runs (they are synchronous)
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

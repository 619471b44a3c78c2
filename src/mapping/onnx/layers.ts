// ONNX nodes that become crossbar layers (Conv, Gemm, MatMul) or fold into them (BatchNormalization, a bias Add):
// weights are reordered from ONNX's layouts into our K×N matrices (see types.ts for the im2col row order, and
// context.ts for the row order of a flattened map).
import { foldBatchNorm } from '../fold-bn.js';
import type { CrossbarOp } from '../types.js';
import { type Attrs, OnnxImportError, type ConstTensor } from './decode.js';
import { Ctx, imageShape, windowFromAttrs, type Value } from './context.js';
import type { OnnxNodeProto } from './schema.js';

const floats = (c: ConstTensor, where: string, what: string): Float32Array => {
  if (!c.float) throw new OnnxImportError('invalid', `${where}: the ${what} "${c.name}" holds integers; it must be a float tensor`);
  return c.float;
};

/** Output tensors past the first (BN's running statistics, Dropout's mask, MaxPool's indices) must be unused. */
export function onlyFirstOutput(ctx: Ctx, node: OnnxNodeProto, where: string): void {
  for (const o of node.output.slice(1)) {
    if (o && (ctx.uses.get(o) ?? 0) > 0) throw new OnnxImportError('unsupported-op', `${where}: its output "${o}" is used; only the first output is supported (inference graphs)`);
  }
}

/** Per-channel vector of a constant that broadcasts over `v`'s channels ([C,1,1]-like for maps, [F] for vectors). */
export function perChannel(c: ConstTensor, v: Value, where: string, what: string): Float32Array | undefined {
  const data = floats(c, where, what);
  const n = v.shape[0]!; // channels of a [C, H, W] map, features of a vector
  const dims = c.dims.slice();
  while (dims.length && dims[0] === 1 && dims.length > (v.shape.length === 3 ? 3 : 1)) dims.shift();
  const ok = data.length === 1 || (v.shape.length === 3 ? dims.length === 3 && dims[0] === n && dims[1] === 1 && dims[2] === 1 : dims.length === 1 && dims[0] === n);
  if (!ok) return undefined;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data.length === 1 ? data[0]! : data[v.perm ? v.perm[i]! : i]!;
  return out;
}

function crossbar(ctx: Ctx, node: OnnxNodeProto, x: Value, o: Pick<CrossbarOp, 'kind' | 'rows' | 'cols' | 'weights' | 'bias' | 'conv'>, shape: number[]): void {
  const op: CrossbarOp = {
    name: node.name || node.output[0]!, inputs: [x.op], outShape: Ctx.internalShape(shape), layer: ctx.layers++,
    activation: 'linear', folded: [], ...o,
  };
  if (!o.conv) delete op.conv;
  ctx.emit(op, node.output[0]!, { shape });
}

export function convNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs): void {
  const where = a.where;
  a.only(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad']);
  const group = a.int('group', 1);
  if (group !== 1) throw new OnnxImportError('unsupported-op', `${where}: grouped convolution (group ${group}, e.g. depthwise) is not supported; only group 1`);
  const x = ctx.value(node.input[0]!, where);
  const [C, H, W] = imageShape(x, where);
  const wt = ctx.constant(node.input[1], where, 'weight');
  const w = floats(wt, where, 'weight');
  if (wt.dims.length !== 4 || wt.dims[1] !== C) {
    throw new OnnxImportError('invalid', `${where}: weight "${wt.name}" has dims [${wt.dims.join(', ')}]; a 2-D convolution of a ${C}-channel input needs [M, ${C}, kH, kW]`);
  }
  const [M, , kh, kw] = wt.dims as [number, number, number, number];
  const ks = a.ints('kernel_shape', [kh, kw]);
  if (ks[0] !== kh || ks[1] !== kw) throw new OnnxImportError('invalid', `${where}: kernel_shape [${ks.join(', ')}] does not match the weight's ${kh}×${kw}`);
  const bias = biasOf(ctx, node.input[2], M, where);
  const g = windowFromAttrs([C, H, W], kh, kw, a);
  const K = kh * kw * C, weights = new Float32Array(K * M);
  // ONNX W[m][c][ky][kx] → our row (ky·kw + kx)·C + c, column m
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) weights[((ky * kw + kx) * C + c) * M + m] = w[((m * C + c) * kh + ky) * kw + kx]!;
      }
    }
  }
  crossbar(ctx, node, x, { kind: 'conv2d', rows: K, cols: M, weights, bias, conv: g }, [M, g.outH, g.outW]);
}

function biasOf(ctx: Ctx, name: string | undefined, n: number, where: string, scale = 1): Float32Array {
  if (!name) return new Float32Array(n);
  const c = ctx.constant(name, where, 'bias');
  const d = floats(c, where, 'bias');
  if (d.length !== 1 && d.length !== n) throw new OnnxImportError('invalid', `${where}: bias "${c.name}" has dims [${c.dims.join(', ')}]; expected ${n} values`);
  return Float32Array.from({ length: n }, (_, i) => scale * d[d.length === 1 ? 0 : i]!);
}

function vectorInput(ctx: Ctx, node: OnnxNodeProto, where: string): Value {
  const x = ctx.value(node.input[0]!, where);
  if (x.shape.length !== 1) {
    throw new OnnxImportError('unsupported-op', `${where}: input has per-sample shape [${x.shape.join(', ')}]; only [batch, features] inputs are supported — flatten first`);
  }
  return x;
}

/** Dense weights from an ONNX matrix B ([K, N], or [N, K] when transposed), rows in the input vector's order. */
function denseWeights(b: Float32Array, K: number, N: number, transB: boolean, alpha: number, perm?: Int32Array): Float32Array {
  const w = new Float32Array(K * N);
  for (let i = 0; i < K; i++) {
    const k = perm ? perm[i]! : i;
    for (let n = 0; n < N; n++) w[i * N + n] = alpha * (transB ? b[n * K + k]! : b[k * N + n]!);
  }
  return w;
}

export function gemmNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, matmul = false): void {
  const where = a.where;
  a.only(matmul ? [] : ['alpha', 'beta', 'transA', 'transB', 'broadcast']);
  if (a.int('transA', 0) !== 0) throw new OnnxImportError('unsupported-op', `${where}: transA 1 (a transposed input) is not supported`);
  const x = vectorInput(ctx, node, where);
  const bt = ctx.constant(node.input[1], where, 'weight');
  const b = floats(bt, where, 'weight');
  const transB = a.int('transB', 0) === 1, K = x.shape[0]!;
  if (bt.dims.length !== 2 || bt.dims[transB ? 1 : 0] !== K) {
    throw new OnnxImportError('invalid', `${where}: weight "${bt.name}" has dims [${bt.dims.join(', ')}] but the input has ${K} features (transB ${transB ? 1 : 0})`);
  }
  const N = bt.dims[transB ? 0 : 1]!;
  const weights = denseWeights(b, K, N, transB, a.float('alpha', 1), x.perm);
  const bias = biasOf(ctx, matmul ? undefined : node.input[2], N, where, a.float('beta', 1));
  crossbar(ctx, node, x, { kind: 'dense', rows: K, cols: N, weights, bias }, [N]);
}

export function batchNormNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs): void {
  const where = a.where;
  a.only(['epsilon', 'momentum', 'spatial', 'training_mode', 'is_test', 'consumed_inputs']);
  if (a.int('spatial', 1) !== 1) throw new OnnxImportError('unsupported-op', `${where}: spatial 0 (per-element statistics) is not supported`);
  if (a.int('training_mode', 0) !== 0) throw new OnnxImportError('unsupported-op', `${where}: training_mode 1; export the model in eval mode (model.eval())`);
  onlyFirstOutput(ctx, node, where);
  const x = ctx.value(node.input[0]!, where);
  const n = x.shape[0]!;
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => {
    const what = ['scale', 'bias', 'mean', 'variance'][i - 1]!;
    const c = ctx.constant(node.input[i], where, what);
    const v = floats(c, where, what);
    if (v.length !== n) throw new OnnxImportError('invalid', `${where}: ${what} "${c.name}" has dims [${c.dims.join(', ')}]; expected ${n} channel values`);
    return v;
  }) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const eps = a.float('epsilon', 1e-5);
  const scale = new Float32Array(n), shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = x.perm ? x.perm[i]! : i;
    if (!(variance[c]! + eps > 0)) {
      throw new OnnxImportError('invalid', `${where}: variance[${c}] is ${variance[c]} (epsilon ${eps}): a variance cannot be negative, so the statistics are corrupt; re-export the model`);
    }
    // y = γ·(x − μ)/√(σ² + ε) + β = x·s + (β − μ·s)
    const s = gamma[c]! / Math.sqrt(variance[c]! + eps);
    scale[i] = s;
    shift[i] = beta[c]! - mean[c]! * s;
  }
  const prev = ctx.foldable(x);
  if (prev) {
    foldBatchNorm(prev, scale, shift, node.name || node.output[0]!);
    ctx.alias(node.output[0]!, x);
    return;
  }
  ctx.emit({ kind: 'scaleShift', name: node.name || node.output[0]!, inputs: [x.op], outShape: Ctx.internalShape(x.shape), scale, shift },
    node.output[0]!, { shape: x.shape, ...(x.perm ? { perm: x.perm } : {}) });
}

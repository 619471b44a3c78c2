// ONNX nodes that run on the host (pooling, activations, residual Add, flatten) or vanish (Identity, Dropout,
// Constant). Relu fuses into the crossbar layer before it, and an Add of a constant into that layer's bias, when
// nothing else reads the layer's output — the form the crossbar engine runs fastest and TF.js models have anyway.
import type { ActivationName } from '../types.js';
import { type Attrs, OnnxImportError, type ConstTensor } from './decode.js';
import { Ctx, imageShape, windowFromAttrs, type Value } from './context.js';
import { onlyFirstOutput, perChannel } from './layers.js';
import type { OnnxNodeProto } from './schema.js';

const nameOf = (node: OnnxNodeProto): string => node.name || node.output[0]!;
const samePerm = (a?: Int32Array, b?: Int32Array): boolean => (!a && !b) || (!!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]));

export function activationNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, act: ActivationName): void {
  const where = a.where;
  if (act === 'softmax') {
    a.only(['axis']);
    const axis = a.int('axis', ctx.opset < 13 ? 1 : -1);
    const x = ctx.value(node.input[0]!, where);
    if (x.shape.length !== 1 || (axis !== 1 && axis !== -1)) {
      throw new OnnxImportError('unsupported-op', `${where}: softmax over axis ${axis} of a [batch, ${x.shape.join(', ')}] tensor is not supported; only over the features of [batch, features]`);
    }
  } else a.only([]);
  const x = ctx.value(node.input[0]!, where);
  const prev = act === 'relu' ? ctx.foldable(x) : undefined;
  if (prev) {
    prev.activation = 'relu';
    ctx.alias(node.output[0]!, x);
    return;
  }
  // softmax's sum does not depend on the order, so a reordered vector stays reordered the same way
  ctx.emit({ kind: 'activation', activation: act, name: nameOf(node), inputs: [x.op], outShape: Ctx.internalShape(x.shape) },
    node.output[0]!, { shape: x.shape, ...(x.perm ? { perm: x.perm } : {}) });
}

export function addNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs): void {
  const where = a.where;
  a.only([]);
  const [n0, n1] = node.input as [string, string];
  const c0 = ctx.consts.get(n0), c1 = ctx.consts.get(n1);
  if (c0 && c1) throw new OnnxImportError('unsupported-op', `${where}: adds two constants; export with constant folding (do_constant_folding=True)`);
  if (!c0 && !c1) {
    const x = ctx.value(n0, where), y = ctx.value(n1, where);
    if (x.shape.join(',') !== y.shape.join(',') || !samePerm(x.perm, y.perm)) {
      throw new OnnxImportError('unsupported-op', `${where}: adds [${x.shape.join(', ')}] and [${y.shape.join(', ')}]${samePerm(x.perm, y.perm) ? '' : ' laid out differently'}; only same-shaped inputs are supported (no broadcasting)`);
    }
    ctx.emit({ kind: 'add', name: nameOf(node), inputs: [x.op, y.op], outShape: Ctx.internalShape(x.shape) }, node.output[0]!,
      { shape: x.shape, ...(x.perm ? { perm: x.perm } : {}) });
    return;
  }
  const x = ctx.value(c0 ? n1 : n0, where), c = (c0 ?? c1)!;
  const shift = perChannel(c, x, where, 'addend');
  if (!shift) {
    throw new OnnxImportError('unsupported-op', `${where}: adds a constant of dims [${c.dims.join(', ')}] to [batch, ${x.shape.join(', ')}]; only a per-channel constant (a bias) is supported`);
  }
  const prev = ctx.foldable(x);
  if (prev) {
    for (let i = 0; i < shift.length; i++) prev.bias[i] = prev.bias[i]! + shift[i]!;
    ctx.alias(node.output[0]!, x);
    return;
  }
  ctx.emit({ kind: 'scaleShift', name: nameOf(node), inputs: [x.op], outShape: Ctx.internalShape(x.shape), scale: new Float32Array(shift.length).fill(1), shift },
    node.output[0]!, { shape: x.shape, ...(x.perm ? { perm: x.perm } : {}) });
}

export function poolNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, kind: 'maxPool' | 'avgPool'): void {
  const where = a.where;
  a.only(['kernel_shape', 'strides', 'pads', 'auto_pad', 'ceil_mode', 'dilations', ...(kind === 'maxPool' ? ['storage_order'] : ['count_include_pad'])]);
  onlyFirstOutput(ctx, node, where);
  const x = ctx.value(node.input[0]!, where);
  const shape = imageShape(x, where);
  const ks = a.ints('kernel_shape', []);
  if (ks.length !== 2) throw new OnnxImportError('unsupported-op', `${where}: kernel_shape [${ks.join(', ')}]; only 2-D pooling is supported`);
  const ceil = a.int('ceil_mode', 0) === 1;
  const g = windowFromAttrs(shape, ks[0]!, ks[1]!, a, ceil);
  if (kind === 'avgPool') {
    const floor = ceil ? windowFromAttrs(shape, ks[0]!, ks[1]!, a) : g;
    if (floor.outH !== g.outH || floor.outW !== g.outW) {
      throw new OnnxImportError('unsupported-op', `${where}: ceil_mode 1 adds partial windows here (${floor.outH}×${floor.outW} → ${g.outH}×${g.outW}), whose divisor is not supported for average pooling; use ceil_mode 0`);
    }
    const overhang = g.padTop > 0 || g.padLeft > 0 || (g.outH - 1) * g.strideH + g.kh > g.inH || (g.outW - 1) * g.strideW + g.kw > g.inW;
    if (a.int('count_include_pad', 0) === 1 && overhang) {
      throw new OnnxImportError('unsupported-op', `${where}: count_include_pad 1 with padding is not supported (padded cells are left out of the average); use count_include_pad=False`);
    }
  }
  ctx.emit({ kind, name: nameOf(node), inputs: [x.op], geom: g, outShape: [g.outH, g.outW, shape[0]] }, node.output[0]!, { shape: [shape[0], g.outH, g.outW] });
}

export function globalPoolNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, kind: 'globalAvgPool' | 'globalMaxPool'): void {
  a.only([]);
  const x = ctx.value(node.input[0]!, a.where);
  const [C] = imageShape(x, a.where);
  // ONNX keeps [C, 1, 1]; our data of C values is the same memory as a 1×1×C map
  ctx.emit({ kind, name: nameOf(node), inputs: [x.op], outShape: [C] }, node.output[0]!, { shape: [C, 1, 1] });
}

/** Flatten (axis 1) or Reshape to [batch, features]: a [C, H, W] map becomes a vector in HWC order (with its perm). */
function toVector(ctx: Ctx, node: OnnxNodeProto, x: Value): void {
  if (x.shape.length === 1) { ctx.alias(node.output[0]!, x); return; }
  const [C, H, W] = x.shape as [number, number, number];
  const F = C * H * W;
  let perm: Int32Array | undefined;
  if (H * W > 1 && C > 1) { // one channel or one pixel: both orders agree
    perm = new Int32Array(F);
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) perm[(h * W + w) * C + c] = (c * H + h) * W + w;
  }
  ctx.emit({ kind: 'flatten', name: nameOf(node), inputs: [x.op], outShape: [F] }, node.output[0]!, { shape: [F], ...(perm ? { perm } : {}) });
}

export function flattenNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs): void {
  a.only(['axis']);
  const x = ctx.value(node.input[0]!, a.where);
  const rank = x.shape.length + 1, axis = a.int('axis', 1);
  if (axis !== 1 && axis !== 1 - rank) {
    throw new OnnxImportError('unsupported-op', `${a.where}: flatten at axis ${axis} of a rank-${rank} tensor; only axis 1 (to [batch, features]) is supported`);
  }
  toVector(ctx, node, x);
}

export function reshapeNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, batch: number | undefined): void {
  a.only(['allowzero']);
  const x = ctx.value(node.input[0]!, a.where);
  const t = ctx.constant(node.input[1], a.where, 'target shape');
  const dims = t.ints ?? [];
  const F = x.shape.reduce((p, q) => p * q, 1), allowZero = a.int('allowzero', 0) === 1;
  const d0 = dims[0], d1 = dims[1];
  const batchOk = d0 === -1 || (d0 === 0 && !allowZero) || (d0 !== undefined && d0 === batch);
  const featOk = d1 === -1 ? d0 !== -1 : d1 === F || (d1 === 0 && !allowZero && x.shape[0] === F);
  if (!t.ints || dims.length !== 2 || !batchOk || !featOk) {
    throw new OnnxImportError('unsupported-op', `${a.where}: reshape of [batch, ${x.shape.join(', ')}] to [${dims.join(', ')}] is not supported; only to [batch, ${F}] (flatten)`);
  }
  toVector(ctx, node, x);
}

export function passThroughNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs, dropout: boolean): void {
  const where = a.where;
  a.only(dropout ? ['ratio', 'seed', 'is_test'] : []);
  if (dropout) {
    onlyFirstOutput(ctx, node, where);
    const mode = node.input[2];
    if (mode) {
      const m = ctx.constant(mode, where, 'training_mode');
      if ((m.ints ?? Array.from(m.float ?? [])).some((v) => v !== 0)) throw new OnnxImportError('unsupported-op', `${where}: training_mode true; export the model in eval mode`);
    }
  }
  const src = node.input[0]!;
  const c = ctx.consts.get(src);
  if (c) { ctx.consts.set(node.output[0]!, c); return; }
  ctx.alias(node.output[0]!, ctx.value(src, where));
}

export function constantNode(ctx: Ctx, node: OnnxNodeProto, a: Attrs): void {
  a.only(['value', 'value_float', 'value_floats', 'value_int', 'value_ints']);
  let c: ConstTensor | undefined;
  if (a.has('value')) c = ctx.tensorOf(a, 'value');
  else if (a.has('value_ints')) { const v = a.ints('value_ints', []); c = { name: '', dims: [v.length], ints: v }; }
  else if (a.has('value_int')) c = { name: '', dims: [], ints: [a.int('value_int', 0)] };
  else if (a.has('value_floats')) { const v = a.floats('value_floats'); c = { name: '', dims: [v.length], float: Float32Array.from(v) }; }
  else if (a.has('value_float')) c = { name: '', dims: [], float: Float32Array.of(a.float('value_float', 0)) };
  if (!c) throw new OnnxImportError('invalid', `${a.where}: a Constant without a supported value`);
  if (c.float?.some((v) => !Number.isFinite(v))) throw new OnnxImportError('non-finite', `${a.where}: the constant holds a non-finite value; the model is corrupt`);
  ctx.consts.set(node.output[0]!, { ...c, name: node.output[0]! });
}

// ONNX model bytes → ImportedModel (no fs, no ONNX runtime: the same code runs in Node and in the browser; external
// weight files come through a reader the caller supplies). See context.ts for how NCHW maps to our HWC layout.
import { crossbarLayers, type ActivationName, type ImportedModel } from '../types.js';
import { Attrs, decodeModel, decodeTensor, OnnxImportError, toNum, dtypeName, type ExternalDataReader } from './decode.js';
import { Ctx } from './context.js';
import { batchNormNode, convNode, gemmNode } from './layers.js';
import {
  activationNode, addNode, constantNode, flattenNode, globalPoolNode, passThroughNode, poolNode, reshapeNode,
} from './host-nodes.js';
import type { OnnxGraphProto, OnnxNodeProto } from './schema.js';

export interface OnnxImportOptions {
  /** Where the bytes came from, for messages (a path or URL). */
  source?: string;
  /** Model name (default: the graph's name). */
  name?: string;
  /** Reads an external-data file by its location (relative to the model); needed only for such models. */
  readExternal?: ExternalDataReader;
}

type Handler = (ctx: Ctx, node: OnnxNodeProto, a: Attrs, batch: number | undefined) => void;
const act = (name: ActivationName): Handler => (c, n, a) => activationNode(c, n, a, name);

const HANDLERS: Record<string, Handler> = {
  Conv: convNode,
  Gemm: (c, n, a) => gemmNode(c, n, a),
  MatMul: (c, n, a) => gemmNode(c, n, a, true),
  BatchNormalization: batchNormNode,
  Relu: act('relu'), Sigmoid: act('sigmoid'), Tanh: act('tanh'), Softmax: act('softmax'),
  MaxPool: (c, n, a) => poolNode(c, n, a, 'maxPool'),
  AveragePool: (c, n, a) => poolNode(c, n, a, 'avgPool'),
  GlobalAveragePool: (c, n, a) => globalPoolNode(c, n, a, 'globalAvgPool'),
  GlobalMaxPool: (c, n, a) => globalPoolNode(c, n, a, 'globalMaxPool'),
  Add: addNode,
  Flatten: flattenNode,
  Reshape: reshapeNode,
  Identity: (c, n, a) => passThroughNode(c, n, a, false),
  Dropout: (c, n, a) => passThroughNode(c, n, a, true),
  Constant: constantNode,
};

/** The ONNX operators the importer converts. */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(HANDLERS);

/** Converts an ONNX model. Throws OnnxImportError (a ModelImportError) naming the node, tensor or input at fault. */
export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): ImportedModel {
  const source = opts.source ?? 'ONNX model';
  const { model, opset } = decodeModel(bytes, source);
  const g = model.graph!;
  const ctx = new Ctx(source, opset, opts.readExternal);
  if (g.sparseInitializer.length) throw new OnnxImportError('unsupported-op', `${source}: sparse initializers are not supported; store the weights dense`);
  for (const t of g.initializer) ctx.consts.set(t.name ?? '', decodeTensor(t, `${source}: initializer "${t.name}"`, opts.readExternal));
  for (const n of g.node) for (const i of n.input) if (i) ctx.uses.set(i, (ctx.uses.get(i) ?? 0) + 1);
  for (const o of g.output) ctx.uses.set(o.name ?? '', (ctx.uses.get(o.name ?? '') ?? 0) + 1);
  const input = graphInput(g, ctx);
  ctx.values.set(input.name, { op: -1, shape: input.shape });
  for (const node of g.node) {
    const where = ctx.where(node);
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new OnnxImportError('unsupported-op', `${where} of domain ${node.domain} is not supported; supported (ai.onnx): ${SUPPORTED_ONNX_OPS.join(', ')}`);
    }
    const h = HANDLERS[node.opType ?? ''];
    if (!h) throw new OnnxImportError('unsupported-op', `${where} is not supported; supported: ${SUPPORTED_ONNX_OPS.join(', ')}`);
    h(ctx, node, new Attrs(node, where), input.batch);
  }
  const output = graphOutput(g, ctx);
  const out: ImportedModel = { name: opts.name ?? (g.name || 'onnx-model'), inputShape: Ctx.internalShape(input.shape), ops: ctx.ops, output };
  if (!crossbarLayers(out).length) throw new OnnxImportError('unsupported-op', `${source}: the model has no Conv, Gemm or MatMul, so nothing maps to crossbars`);
  return out;
}

interface TensorType { elemType?: number; shape?: { dim: Array<{ dimValue?: unknown; dimParam?: string }> } }

/** Per-sample dims of a graph input/output: [batch, ...rest] with every rest dim a fixed positive integer. */
function fixedDims(t: TensorType | undefined, what: string, source: string): { dims: number[]; batch: number | undefined } {
  if (!t?.shape) throw new OnnxImportError('dynamic-shape', `${source}: ${what} has no shape (dynamic); export with a fixed input size`);
  const ds = t.shape.dim;
  const show = `[${ds.map((d) => d.dimParam || toNum(d.dimValue as never, what) || '?').join(', ')}]`;
  const dims = ds.slice(1).map((d, i) => {
    const v = toNum(d.dimValue as never, what);
    if (d.dimParam || !(v >= 1)) {
      throw new OnnxImportError('dynamic-shape', `${source}: ${what} has ${d.dimParam ? `a symbolic dimension "${d.dimParam}"` : 'an unknown dimension'} at axis ${i + 1} (shape ${show}); export with a fixed input size — only the batch axis may be dynamic`);
    }
    return v;
  });
  const b0 = ds[0] ? toNum(ds[0].dimValue as never, what) : 0;
  return { dims, batch: b0 >= 1 ? b0 : undefined };
}

function graphInput(g: OnnxGraphProto, ctx: Ctx): { name: string; shape: number[]; batch: number | undefined } {
  const inputs = g.input.filter((i) => !ctx.consts.has(i.name ?? ''));
  if (inputs.length !== 1) {
    throw new OnnxImportError('unsupported-op', `${ctx.source}: the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); only single-input models are supported`);
  }
  const inp = inputs[0]!, what = `input "${inp.name}"`;
  const t = inp.type?.tensorType;
  if (!t) throw new OnnxImportError('unsupported-op', `${ctx.source}: ${what} is not a tensor`);
  if (t.elemType !== 1) throw new OnnxImportError('unsupported-op', `${ctx.source}: ${what} is ${dtypeName(t.elemType)}; only float32 inputs are supported`);
  const { dims, batch } = fixedDims(t, what, ctx.source);
  if (dims.length !== 1 && dims.length !== 3) {
    throw new OnnxImportError('unsupported-op', `${ctx.source}: ${what} has rank ${dims.length + 1}; supported: [batch, features] and [batch, channels, height, width]`);
  }
  return { name: inp.name ?? '', shape: dims, batch };
}

function graphOutput(g: OnnxGraphProto, ctx: Ctx): number {
  if (g.output.length !== 1) throw new OnnxImportError('unsupported-op', `${ctx.source}: the model has ${g.output.length} outputs; only single-output models are supported`);
  const o = g.output[0]!, name = o.name ?? '';
  const v = ctx.values.get(name);
  if (!v || v.op < 0) throw new OnnxImportError('invalid', `${ctx.source}: output "${name}" is ${v ? 'the input itself' : 'not computed by any node'}`);
  if (v.shape.length !== 1 || v.perm) {
    throw new OnnxImportError('unsupported-op', `${ctx.source}: output "${name}" has per-sample shape [${v.shape.join(', ')}]${v.perm ? ' from a flattened map' : ''}; only [batch, classes] outputs of a Gemm/MatMul (or an activation after it) are supported`);
  }
  const t = o.type?.tensorType;
  if (t?.shape && t.shape.dim.length > 1 && t.shape.dim.slice(1).every((d) => !d.dimParam && toNum(d.dimValue as never, 'output') >= 1)) {
    const declared = fixedDims(t, `output "${name}"`, ctx.source).dims;
    if (declared.join(',') !== v.shape.join(',')) {
      throw new OnnxImportError('invalid', `${ctx.source}: output "${name}" is declared [batch, ${declared.join(', ')}] but the graph computes [batch, ${v.shape.join(', ')}]; the model is inconsistent`);
    }
  }
  return v.op;
}

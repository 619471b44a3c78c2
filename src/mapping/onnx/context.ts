// State of one ONNX → ImportedModel conversion: the ops emitted so far, what each ONNX tensor name stands for, the
// constants, and how many consumers each op output has left (a Conv's BatchNormalization, Relu or bias Add is folded
// into it only when nothing else reads the Conv's output).
//
// Layout. ONNX activations are NCHW; ours are HWC per sample. A rank-3 value [C, H, W] is held as HWC data of the same
// dims, so Conv/pool geometry carries over and only the weights are reordered. A vector [F] is held as F values, but
// a vector that came from flattening a [C, H, W] map is in HWC order, not ONNX's CHW order: `perm[i]` is the ONNX
// index of our element i, and the Gemm/MatMul that reads it takes its weight rows in that order. The network then
// computes exactly what the ONNX graph computes, on crossbars as on the host.
import type { CrossbarOp, Op, WindowGeometry } from '../types.js';
import { Attrs, decodeTensor, OnnxImportError, type ConstTensor, type ExternalDataReader } from './decode.js';
import type { OnnxNodeProto } from './schema.js';

export interface Value {
  /** Producing op index; -1 = the model input. */
  op: number;
  /** ONNX per-sample shape (no batch): [C, H, W] or [F]. */
  shape: number[];
  /** Vectors only: ONNX index of each of our elements (absent = the same order). */
  perm?: Int32Array;
}

export class Ctx {
  readonly ops: Op[] = [];
  readonly values = new Map<string, Value>();
  readonly consts = new Map<string, ConstTensor>();
  /** Consumers (node inputs + graph outputs) of each tensor name, counted before conversion. */
  readonly uses = new Map<string, number>();
  /** Remaining consumers of each op's output, across every name that aliases it (Identity, Dropout, folds). */
  private readonly opUses = new Map<number, number>();
  layers = 0;

  constructor(readonly source: string, readonly opset: number, readonly readExternal?: ExternalDataReader) {}

  where(node: OnnxNodeProto): string {
    return `${this.source}: node "${node.name || node.output[0] || '?'}" (${node.opType})`;
  }

  /** A runtime value (not a constant) named `name`, or an error naming the node that wanted it. */
  value(name: string, where: string): Value {
    const v = this.values.get(name);
    if (v) return v;
    if (this.consts.has(name)) {
      throw new OnnxImportError('unsupported-op', `${where}: input "${name}" is a constant where a computed tensor is expected; fold it away before export`);
    }
    throw new OnnxImportError('invalid', `${where}: input "${name}" is not produced by any earlier node; the graph is not topologically sorted or is incomplete`);
  }

  /** A constant input (initializer or Constant node output), or a 'dynamic-shape'/'unsupported-op' error. */
  constant(name: string | undefined, where: string, what: string): ConstTensor {
    const c = name ? this.consts.get(name) : undefined;
    if (c) return c;
    if (name && this.values.has(name)) {
      const code = /shape/.test(what) ? 'dynamic-shape' : 'unsupported-op';
      throw new OnnxImportError(code, `${where}: the ${what} "${name}" is computed at run time; it must be a constant (an initializer)${code === 'dynamic-shape' ? ' — export with fixed input sizes, and flatten with torch.flatten(x, 1)' : ''}`);
    }
    throw new OnnxImportError('invalid', `${where}: the ${what} ${name ? `"${name}" ` : ''}is missing`);
  }

  /** Decodes a tensor-valued attribute (Constant nodes). */
  tensorOf(attrs: Attrs, name: string): ConstTensor | undefined {
    const t = attrs.tensor(name);
    return t && decodeTensor(t, `${attrs.where} attribute ${name}`, this.readExternal);
  }

  /** Appends an op producing ONNX tensor `out`; returns its index. */
  emit(op: Op, out: string, v: Omit<Value, 'op'>): number {
    this.ops.push(op);
    const i = this.ops.length - 1;
    this.values.set(out, { ...v, op: i });
    this.opUses.set(i, this.uses.get(out) ?? 0);
    return i;
  }

  /** `out` names the same data as `v` (Identity, Dropout, or a node folded into v's producer). */
  alias(out: string, v: Value, usesOfInput = 1): void {
    this.values.set(out, v);
    if (v.op >= 0) this.opUses.set(v.op, (this.opUses.get(v.op) ?? 0) - usesOfInput + (this.uses.get(out) ?? 0));
  }

  /**
   * The crossbar op producing `v` if this node may fold into it: a Dense/Conv2D with a linear activation (so far)
   * whose output nobody else reads.
   */
  foldable(v: Value): CrossbarOp | undefined {
    const op = v.op >= 0 ? this.ops[v.op] : undefined;
    if (!op || (op.kind !== 'dense' && op.kind !== 'conv2d') || op.activation !== 'linear') return undefined;
    return this.opUses.get(v.op) === 1 ? op : undefined;
  }

  /** Our shape of an ONNX value: [C, H, W] → [H, W, C]; vectors unchanged. */
  static internalShape(shape: readonly number[]): number[] {
    return shape.length === 3 ? [shape[1]!, shape[2]!, shape[0]!] : shape.slice();
  }
}

/** The [C, H, W] shape of a value that must be an image, or an error naming the node. */
export function imageShape(v: Value, where: string): [number, number, number] {
  if (v.shape.length !== 3) {
    throw new OnnxImportError('unsupported-op', `${where}: input has per-sample shape [${v.shape.join(', ')}]; this op needs an image [C, H, W]`);
  }
  return v.shape as [number, number, number];
}

/**
 * Window geometry of a Conv or pool over a [C, H, W] input from ONNX attributes (kernel given), following the ONNX
 * output-size rules: explicit pads, VALID, SAME_UPPER / SAME_LOWER, and (pools) ceil_mode, where a window that
 * would start in the bottom/right padding is dropped, as PyTorch does.
 */
export function windowFromAttrs(inShape: [number, number, number], kh: number, kw: number, a: Attrs, ceilMode = false): WindowGeometry {
  const [C, H, W] = inShape;
  const [sh, sw] = a.ints('strides', [1, 1]);
  const dil = a.ints('dilations', [1, 1]);
  if (dil.length !== 2 || dil.some((d) => d !== 1)) throw new OnnxImportError('unsupported-op', `${a.where}: dilations [${dil.join(', ')}] are not supported; only 1`);
  if (!(sh! >= 1 && sw! >= 1)) throw new OnnxImportError('invalid', `${a.where}: strides [${a.ints('strides', [])}] must be two positive integers`);
  const autoPad = a.str('auto_pad', 'NOTSET');
  let pads: number[];
  if (autoPad === 'NOTSET') pads = a.ints('pads', [0, 0, 0, 0]);
  else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const tot = (i: number, k: number, s: number): number => Math.max((Math.ceil(i / s) - 1) * s + k - i, 0);
    const th = tot(H, kh, sh!), tw = tot(W, kw, sw!);
    const first = (t: number): number => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2));
    pads = [first(th), first(tw), th - first(th), tw - first(tw)];
  } else throw new OnnxImportError('invalid', `${a.where}: auto_pad "${autoPad}" is not an ONNX value`);
  if (pads.length !== 4 || pads.some((p) => !(p >= 0))) throw new OnnxImportError('invalid', `${a.where}: pads [${pads.join(', ')}] must be 4 non-negative integers`);
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
    throw new OnnxImportError('unsupported-op', `${a.where}: padding [${pads.join(', ')}] as large as the ${kh}×${kw} window is not supported (some windows would see only padding)`);
  }
  const outSize = (i: number, p0: number, p1: number, k: number, s: number): number => {
    if (!ceilMode) return Math.floor((i + p0 + p1 - k) / s) + 1;
    let o = Math.ceil((i + p0 + p1 - k) / s) + 1;
    if ((o - 1) * s >= i + p0) o--;
    return o;
  };
  const outH = outSize(H, pt, pb, kh, sh!), outW = outSize(W, pl, pr, kw, sw!);
  if (outH < 1 || outW < 1) throw new OnnxImportError('invalid', `${a.where}: a ${kh}×${kw} window does not fit the ${H}×${W} input`);
  return { inH: H, inW: W, inC: C, kh, kw, strideH: sh!, strideW: sw!, padding: 'explicit', padTop: pt, padLeft: pl, outH, outW };
}

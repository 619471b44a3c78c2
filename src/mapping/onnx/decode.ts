// ONNX bytes → a checked model: protobuf decoding (truncation and garbage are named), the ai.onnx opset, tensors
// (raw or typed data, external-data files through a caller-supplied reader, so no fs here), and node attributes.
import { ModelImportError } from '../types.js';
import {
  ModelProtoType, type Int64, type OnnxAttribute, type OnnxModelProto, type OnnxNodeProto, type OnnxTensorProto,
} from './schema.js';

/** What went wrong, for callers and tests that tell the cases apart. */
export type OnnxErrorCode =
  | 'truncated' | 'opset' | 'unsupported-op' | 'dynamic-shape' | 'external-data' | 'non-finite' | 'invalid';

/** An ONNX model that cannot be imported; `code` says which kind of problem, the message names the node or tensor. */
export class OnnxImportError extends ModelImportError {
  constructor(readonly code: OnnxErrorCode, message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}

/** ai.onnx opsets whose definitions of the supported ops the importer follows. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

/** Reads an external-data file named by a tensor (path relative to the model's directory); undefined = missing. */
export type ExternalDataReader = (location: string) => Uint8Array | undefined;

export function toNum(v: Int64 | undefined, what: string): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : v.toNumber();
  if (!Number.isSafeInteger(n)) throw new OnnxImportError('invalid', `${what}: integer ${String(n)} is out of range`);
  return n;
}

/** Decodes and checks the envelope: a graph and a supported ai.onnx opset. */
export function decodeModel(bytes: Uint8Array, source: string): { model: OnnxModelProto; opset: number } {
  if (bytes.length === 0) throw new OnnxImportError('truncated', `${source}: the file is empty; export the model again`);
  let model: OnnxModelProto;
  try {
    model = ModelProtoType.decode(bytes) as unknown as OnnxModelProto;
  } catch (e) {
    throw new OnnxImportError('truncated', `${source}: not a readable ONNX protobuf (${(e as Error).message}); the file is truncated or not an ONNX model — copy or export it again`);
  }
  if (!model.graph || !model.graph.node.length) {
    throw new OnnxImportError('truncated', `${source}: no graph (or an empty one) in the file; it is truncated or not an ONNX model`);
  }
  const ai = model.opsetImport.filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (ai.length !== 1) {
    throw new OnnxImportError(ai.length ? 'invalid' : 'truncated', `${source}: ${ai.length ? 'several' : 'no'} ai.onnx opset_import entries; the file is ${ai.length ? 'malformed' : 'truncated or malformed'} — export it again`);
  }
  const opset = toNum(ai[0]!.version, 'opset');
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxImportError('opset', `${source}: opset ${opset} is not supported (supported: ${MIN_OPSET}–${MAX_OPSET}); export with torch.onnx.export(..., opset_version=13) or convert with onnx.version_converter`);
  }
  return { model, opset };
}

/** The external-data files a model names (initializers and Constant values), to fetch before importing it. */
export function externalDataLocations(bytes: Uint8Array, source = 'ONNX model'): string[] {
  const { model } = decodeModel(bytes, source);
  const g = model.graph!;
  const tensors = [...g.initializer, ...g.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t] : [])))];
  const locs = tensors.filter((t) => t.dataLocation === 1).map((t) => t.externalData.find((e) => e.key === 'location')?.value ?? '');
  return [...new Set(locs.filter((l) => l))];
}

const DTYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};
export const dtypeName = (t: number | undefined): string => DTYPE_NAMES[t ?? 0] ?? `type ${t ?? 0}`;

/** A decoded constant tensor: float data as f32, integer data as plain numbers. */
export interface ConstTensor { name: string; dims: number[]; float?: Float32Array; ints?: number[] }

const ELEM_BYTES: Record<number, number> = { 1: 4, 6: 4, 7: 8, 10: 2, 11: 8 };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The bytes of an external-data tensor: location, offset and length checked against the file. */
function externalBytes(t: OnnxTensorProto, where: string, read: ExternalDataReader | undefined, need: number): Uint8Array {
  const kv = new Map(t.externalData.map((e) => [e.key ?? '', e.value ?? '']));
  const loc = kv.get('location');
  if (!loc) throw new OnnxImportError('external-data', `${where}: stored externally but names no location`);
  if (loc.startsWith('/') || /^[a-z]:[\\/]/i.test(loc) || loc.split(/[\\/]/).includes('..')) {
    throw new OnnxImportError('external-data', `${where}: external-data location "${loc}" leaves the model's directory; only files beside the model are read`);
  }
  const file = read?.(loc);
  if (!file) {
    throw new OnnxImportError('external-data', `${where}: external-data file "${loc}" is missing; keep it next to the .onnx file (or pass it with the model's bytes)`);
  }
  const offset = Number(kv.get('offset') ?? 0), length = kv.has('length') ? Number(kv.get('length')) : file.length - offset;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length !== need || offset + length > file.length) {
    throw new OnnxImportError('external-data', `${where}: external data "${loc}" offset ${offset} length ${length} does not hold the tensor's ${need} bytes (file has ${file.length}); the file is truncated or belongs to another model`);
  }
  return file.subarray(offset, offset + length);
}

/** Decodes a float or integer tensor (initializer, Constant value); floats must be finite. */
export function decodeTensor(t: OnnxTensorProto, where: string, read?: ExternalDataReader): ConstTensor {
  const dims = t.dims.map((d) => toNum(d, `${where} dims`));
  const count = dims.reduce((a, b) => a * b, 1), dt = t.dataType ?? 0;
  const per = ELEM_BYTES[dt];
  if (!per) throw new OnnxImportError('invalid', `${where}: ${dtypeName(dt)} tensors are not supported (weights must be float32, float16 or float64; shapes int64 or int32)`);
  let raw: Uint8Array | undefined = t.rawData?.length ? t.rawData : undefined;
  if (t.dataLocation === 1) raw = externalBytes(t, where, read, count * per);
  const out: ConstTensor = { name: t.name ?? '', dims };
  if (raw) {
    if (raw.length !== count * per) {
      throw new OnnxImportError('truncated', `${where}: ${raw.length} bytes of data for ${count} ${dtypeName(dt)} values (${count * per} bytes); the file is truncated or corrupt`);
    }
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (dt === 6 || dt === 7) out.ints = Array.from({ length: count }, (_, i) => (dt === 6 ? dv.getInt32(4 * i, true) : Number(dv.getBigInt64(8 * i, true))));
    else out.float = Float32Array.from({ length: count }, (_, i) => (dt === 1 ? dv.getFloat32(4 * i, true) : dt === 11 ? dv.getFloat64(8 * i, true) : halfToFloat(dv.getUint16(2 * i, true))));
  } else {
    const typed = dt === 1 ? t.floatData : dt === 11 ? t.doubleData : dt === 6 || dt === 10 ? t.int32Data : t.int64Data;
    if (typed.length !== count) {
      throw new OnnxImportError('truncated', `${where}: ${typed.length} values for dims [${dims.join(', ')}] (${count}); the file is truncated or corrupt`);
    }
    if (dt === 6) out.ints = (typed as number[]).slice();
    else if (dt === 7) out.ints = (typed as Int64[]).map((v) => toNum(v, where));
    else if (dt === 10) out.float = Float32Array.from(typed as number[], (h) => halfToFloat(h & 0xffff));
    else out.float = Float32Array.from(typed as number[]);
  }
  if (out.float) {
    const bad = out.float.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new OnnxImportError('non-finite', `${where}: value ${out.float[bad]} at index ${bad}; the weights are corrupt or the training diverged — retrain or repair them`);
  }
  return out;
}

/** Typed access to a node's attributes, with the node named in every message. */
export class Attrs {
  private readonly map: Map<string, OnnxAttribute>;
  constructor(node: OnnxNodeProto, readonly where: string) {
    this.map = new Map(node.attribute.map((a) => [a.name ?? '', a]));
    for (const a of node.attribute) {
      if (a.refAttrName) throw new OnnxImportError('invalid', `${where}: attribute ${a.name} refers to a function attribute; inline the function first`);
    }
  }
  has(name: string): boolean { return this.map.has(name); }
  int(name: string, dflt: number): number {
    const a = this.map.get(name);
    return a === undefined ? dflt : toNum(a.i, `${this.where} attribute ${name}`);
  }
  float(name: string, dflt: number): number { return this.map.get(name)?.f ?? dflt; }
  floats(name: string): number[] { return this.map.get(name)?.floats.slice() ?? []; }
  ints(name: string, dflt: number[]): number[] {
    const a = this.map.get(name);
    return a === undefined ? dflt : a.ints.map((v) => toNum(v, `${this.where} attribute ${name}`));
  }
  str(name: string, dflt: string): string {
    const s = this.map.get(name)?.s;
    return s === undefined ? dflt : new TextDecoder().decode(s);
  }
  tensor(name: string): OnnxTensorProto | undefined { return this.map.get(name)?.t; }
  /** Refuses attributes the importer does not know, so that no semantics are silently dropped. */
  only(allowed: readonly string[]): void {
    for (const k of this.map.keys()) {
      if (!allowed.includes(k)) throw new OnnxImportError('unsupported-op', `${this.where}: attribute "${k}" is not supported`);
    }
  }
}

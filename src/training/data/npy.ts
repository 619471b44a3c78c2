// NumPy .npy (format versions 1.0–3.0) and .npz (a zip of .npy files, stored or deflated; fflate unzips) readers.
// The header is a Python dict literal — {'descr': '<f4', 'fortran_order': False, 'shape': (10, 28, 28), } — parsed
// by a small strict parser (no eval); anything unexpected is a named DataError, never a guess.
import { unzipSync } from 'fflate';
import { DataError } from './errors.js';

export type NpyDtype = 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'u8' | 'i8' | 'f2' | 'f4' | 'f8' | 'b1';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Values in C (row-major) order; 64-bit integers as numbers (exact up to 2^53). */
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
}

const SIZES: Record<NpyDtype, number> = { u1: 1, i1: 1, b1: 1, u2: 2, i2: 2, f2: 2, u4: 4, i4: 4, f4: 4, u8: 8, i8: 8, f8: 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type PyValue = string | number | boolean | PyValue[];

/** Parses the header dict: string keys; values are strings, integers, True/False or tuples of integers. */
function parseHeaderDict(text: string, name: string): Record<string, PyValue> {
  let i = 0;
  const bad = (what: string): never => { throw new DataError('npy-header', `${name}: corrupt .npy header (${what} at character ${i} of "${text.trim()}"); the file is damaged or not written by numpy.save`); };
  const ws = (): void => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) { i++; return items; }
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad(`expected , or ${close}`);
      }
    }
    const m = /^(True|False|-?\d+)/.exec(text.slice(i));
    if (!m) return bad('unexpected value');
    i += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : Number(m[0]);
  };
  ws();
  if (text[i] !== '{') bad('expected {');
  i++;
  const out: Record<string, PyValue> = {};
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const k = value();
    if (typeof k !== 'string') bad('non-string key');
    ws();
    if (text[i] !== ':') bad('expected :');
    i++;
    out[k as string] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad('expected , or }');
  }
  ws();
  if (i !== text.length) bad('trailing characters');
  return out;
}

/** Parses .npy bytes. `name` is used in messages. */
export function parseNpy(bytes: Uint8Array, name = '.npy data'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new DataError('npy-header', `${name}: not a .npy file (no \\x93NUMPY magic); save arrays with numpy.save`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new DataError('npy-header', `${name}: .npy format version ${major}.${bytes[7]} is not supported (1.0–3.0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = major === 1 ? dv.getUint16(8, true) : bytes.length >= 12 ? dv.getUint32(8, true) : -1;
  const start = major === 1 ? 10 : 12;
  if (headLen < 0 || start + headLen > bytes.length) throw new DataError('npy-header', `${name}: the header runs past the end of the file (truncated?)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headLen));
  const h = parseHeaderDict(text, name);
  const descr = h.descr, shape = h.shape, fortran = h.fortran_order;
  if (typeof descr !== 'string' || typeof fortran !== 'boolean' || !Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || d < 0)) {
    throw new DataError('npy-header', `${name}: the header needs descr (a string), fortran_order (True/False) and shape (a tuple of sizes); got ${text.trim()}`);
  }
  const m = /^([<>|=])([uifb])(\d+)$/.exec(descr);
  const dtype = m ? (`${m[2]}${m[3]}` as NpyDtype) : undefined;
  if (!m || !dtype || SIZES[dtype] === undefined) {
    throw new DataError('dtype', `${name}: dtype '${descr}' is not supported; use integer, float or bool arrays (not objects, strings or records)`);
  }
  const dims = shape as number[], count = dims.reduce((a, b) => a * b, 1), size = SIZES[dtype];
  const body = bytes.subarray(start + headLen);
  if (body.length !== count * size) {
    throw new DataError(body.length < count * size ? 'truncated' : 'npy-header', `${name}: shape (${dims.join(', ')}) of ${descr} needs ${count * size} data bytes but the file has ${body.length}; it is ${body.length < count * size ? 'truncated' : 'corrupt'}`);
  }
  const data = decodeBody(body, dtype, count, m[1] === '>');
  return { dtype, shape: dims, data: fortran && dims.length > 1 ? fortranToC(data, dims) : data };
}

function decodeBody(body: Uint8Array, dtype: NpyDtype, count: number, bigEndian: boolean): NpyArray['data'] {
  const le = !bigEndian, dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (dtype) {
    case 'u1': case 'b1': return Uint8Array.from(body);
    case 'i1': return Int8Array.from(body, (v) => (v << 24) >> 24);
    case 'u2': return Uint16Array.from({ length: count }, (_, i) => dv.getUint16(2 * i, le));
    case 'i2': return Int16Array.from({ length: count }, (_, i) => dv.getInt16(2 * i, le));
    case 'u4': return Uint32Array.from({ length: count }, (_, i) => dv.getUint32(4 * i, le));
    case 'i4': return Int32Array.from({ length: count }, (_, i) => dv.getInt32(4 * i, le));
    case 'u8': return Float64Array.from({ length: count }, (_, i) => Number(dv.getBigUint64(8 * i, le)));
    case 'i8': return Float64Array.from({ length: count }, (_, i) => Number(dv.getBigInt64(8 * i, le)));
    case 'f2': return Float32Array.from({ length: count }, (_, i) => half(dv.getUint16(2 * i, le)));
    case 'f4': return Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i, le));
    case 'f8': return Float64Array.from({ length: count }, (_, i) => dv.getFloat64(8 * i, le));
  }
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Column-major (Fortran) data → row-major. */
function fortranToC<T extends NpyArray['data']>(src: T, dims: number[]): T {
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const n = dims.length, idx = new Array<number>(n).fill(0);
  for (let c = 0; c < src.length; c++) {
    let f = 0, stride = 1;
    for (let k = 0; k < n; k++) { f += idx[k]! * stride; stride *= dims[k]!; }
    out[c] = src[f]!;
    for (let k = n - 1; k >= 0; k--) { if (++idx[k]! < dims[k]!) break; idx[k] = 0; }
  }
  return out;
}

/** Parses .npz bytes (numpy.savez / savez_compressed) into its arrays by name (without the .npy suffix). */
export function parseNpz(bytes: Uint8Array, name = '.npz data'): Map<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new DataError('truncated', `${name}: not a readable zip archive (${(e as Error).message}); the .npz file is truncated or corrupt`);
  }
  const out = new Map<string, NpyArray>();
  for (const [f, b] of Object.entries(files)) {
    if (!f.endsWith('.npy')) throw new DataError('format', `${name}: member ${f} is not an .npy array; write the file with numpy.savez`);
    out.set(f.slice(0, -4), parseNpy(b, `${name}:${f}`));
  }
  if (!out.size) throw new DataError('format', `${name}: the archive holds no arrays`);
  return out;
}

/** Encodes a .npy file (format 1.0, little-endian, C order): tests and exports. */
export function encodeNpy(data: NpyArray['data'], dtype: NpyDtype, shape: number[]): Uint8Array {
  const sh = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let head = `{'descr': '${dtype === 'u1' || dtype === 'i1' || dtype === 'b1' ? '|' : '<'}${dtype}', 'fortran_order': False, 'shape': ${sh}, }`;
  head += ' '.repeat(63 - ((10 + head.length) % 64)) + '\n';
  const size = SIZES[dtype], out = new Uint8Array(10 + head.length + data.length * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, head.length, true);
  for (let k = 0; k < head.length; k++) out[10 + k] = head.charCodeAt(k);
  const dv = new DataView(out.buffer, 10 + head.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    switch (dtype) {
      case 'u1': case 'b1': dv.setUint8(i, v); break;
      case 'i1': dv.setInt8(i, v); break;
      case 'u2': dv.setUint16(2 * i, v, true); break;
      case 'i2': dv.setInt16(2 * i, v, true); break;
      case 'u4': dv.setUint32(4 * i, v, true); break;
      case 'i4': dv.setInt32(4 * i, v, true); break;
      case 'u8': dv.setBigUint64(8 * i, BigInt(v), true); break;
      case 'i8': dv.setBigInt64(8 * i, BigInt(v), true); break;
      case 'f4': dv.setFloat32(4 * i, v, true); break;
      case 'f8': dv.setFloat64(8 * i, v, true); break;
      case 'f2': throw new Error('encodeNpy: float16 is not supported');
    }
  }
  return out;
}

// IDX file reader (the MNIST / Fashion-MNIST container): magic 0x00 0x00 <type> <ndims>, ndims big-endian uint32
// dimensions, then the data. Plain or gzip (fflate: same code in Node and browsers).
import { gunzipSync } from 'fflate';

export interface IdxArray {
  /** Dimensions, e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  /** The data (MNIST-style files are unsigned bytes). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  type: 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
}

const TYPES: Record<number, { type: IdxArray['type']; size: number }> = {
  0x08: { type: 'u8', size: 1 }, 0x09: { type: 'i8', size: 1 }, 0x0b: { type: 'i16', size: 2 },
  0x0c: { type: 'i32', size: 4 }, 0x0d: { type: 'f32', size: 4 }, 0x0e: { type: 'f64', size: 8 },
};

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Parses IDX bytes (gunzips first when they start with the gzip magic). `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  let b = bytes;
  if (isGzip(b)) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new Error(`${name}: gzip data is corrupt or truncated (${(e as Error).message}); re-download or re-install the file`);
    }
  }
  if (b.length < 4) throw new Error(`${name}: ${b.length} bytes is too short for an IDX header (truncated file?)`);
  if (b[0] !== 0 || b[1] !== 0) {
    throw new Error(`${name}: not an IDX file (magic ${hex(b, 4)}, expected 00 00 <type> <ndims>); pass an MNIST-format file (optionally .gz)`);
  }
  const t = TYPES[b[2]!];
  if (!t) throw new Error(`${name}: unknown IDX data type 0x${b[2]!.toString(16).padStart(2, '0')} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const ndims = b[3]!;
  if (ndims < 1) throw new Error(`${name}: IDX header declares 0 dimensions`);
  const head = 4 + 4 * ndims;
  if (b.length < head) throw new Error(`${name}: truncated IDX header (${b.length} of ${head} bytes)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, v) => a * v, 1);
  const need = head + count * t.size;
  if (b.length < need) {
    throw new Error(`${name}: truncated — header says ${shape.join('×')} ${t.type} values (${need} bytes) but the file has ${b.length}; re-download it`);
  }
  if (b.length > need) throw new Error(`${name}: ${b.length - need} unexpected trailing bytes after ${shape.join('×')} ${t.type} values; the file is not a valid IDX file`);
  const body = b.subarray(head, need);
  let data: IdxArray['data'];
  switch (t.type) {
    case 'u8': data = new Uint8Array(body); break;
    case 'i8': data = new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)); break;
    default: {
      const n = count;
      const out = t.type === 'i16' ? new Int16Array(n) : t.type === 'i32' ? new Int32Array(n) : t.type === 'f32' ? new Float32Array(n) : new Float64Array(n);
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      for (let i = 0; i < n; i++) {
        out[i] = t.type === 'i16' ? dv.getInt16(2 * i, false) : t.type === 'i32' ? dv.getInt32(4 * i, false)
          : t.type === 'f32' ? dv.getFloat32(4 * i, false) : dv.getFloat64(8 * i, false);
      }
      data = out;
    }
  }
  return { shape, data, type: t.type };
}

function hex(b: Uint8Array, n: number): string {
  return [...b.subarray(0, n)].map((v) => v.toString(16).padStart(2, '0')).join(' ');
}

/** Encodes an IDX array (u8 only; used by tests and to export derived datasets). */
export function encodeIdxU8(shape: number[], data: Uint8Array): Uint8Array {
  const head = 4 + 4 * shape.length;
  const out = new Uint8Array(head + data.length);
  out[2] = 0x08; out[3] = shape.length;
  const dv = new DataView(out.buffer);
  shape.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, head);
  return out;
}

/** Node: reads and parses an IDX file (plain or .gz). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read IDX file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

// The CIFAR-10 / CIFAR-100 binary format (the "binary version" archives): fixed-size records of label byte(s) and a
// 32×32×3 image stored channel by channel (1024 R, 1024 G, 1024 B bytes, rows top to bottom).
//   CIFAR-10:  data_batch_1.bin … data_batch_5.bin, test_batch.bin — 1 label byte (0–9) + 3072 pixel bytes
//   CIFAR-100: train.bin, test.bin — coarse label (0–19), fine label (0–99) + 3072 pixel bytes
import { DataError } from './errors.js';

export type CifarKind = 'cifar10' | 'cifar100';
export const CIFAR_PIXELS = 3072;

export interface CifarBatch {
  /** N×32×32×3 bytes, HWC per image. */
  pixels: Uint8Array;
  labels: Int32Array;
  n: number;
}

/** Parses one CIFAR binary file; `label` picks CIFAR-100's fine (default) or coarse label. */
export function parseCifar(bytes: Uint8Array, kind: CifarKind, name: string, label: 'fine' | 'coarse' = 'fine'): CifarBatch {
  const head = kind === 'cifar10' ? 1 : 2, rec = head + CIFAR_PIXELS;
  if (bytes.length === 0 || bytes.length % rec !== 0) {
    throw new DataError('cifar-length', `${name}: ${bytes.length} bytes is not a whole number of ${kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records (${rec} bytes each: ${head} label byte${head > 1 ? 's' : ''} + 3072 pixels); the file is truncated or of the other CIFAR format`);
  }
  const n = bytes.length / rec, classes = kind === 'cifar10' ? 10 : label === 'fine' ? 100 : 20;
  const pixels = new Uint8Array(n * CIFAR_PIXELS), labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const o = s * rec;
    const l = bytes[o + (kind === 'cifar100' && label === 'fine' ? 1 : 0)]!;
    if (l >= classes) {
      throw new DataError('label-range', `${name}: record ${s} has label ${l}, outside 0..${classes - 1}; the file is corrupt or ${kind === 'cifar10' ? 'a CIFAR-100 file' : 'not CIFAR-100'}`);
    }
    labels[s] = l;
    const src = o + head, dst = s * CIFAR_PIXELS;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) pixels[dst + p * 3 + c] = bytes[src + c * 1024 + p]!;
  }
  return { pixels, labels, n };
}

/** The files of a CIFAR directory, by name: which format, and which files make the train and test splits. */
export function cifarLayout(names: readonly string[]): { kind: CifarKind; train: string[]; test: string[] } | undefined {
  const batches = names.filter((f) => /^data_batch_\d+\.bin$/.test(f)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  if (batches.length || names.includes('test_batch.bin')) {
    return { kind: 'cifar10', train: batches, test: names.includes('test_batch.bin') ? ['test_batch.bin'] : [] };
  }
  if (names.includes('train.bin') || (names.includes('test.bin') && names.some((f) => /^(fine|coarse)_label_names\.txt$/.test(f)))) {
    return { kind: 'cifar100', train: names.includes('train.bin') ? ['train.bin'] : [], test: names.includes('test.bin') ? ['test.bin'] : [] };
  }
  return undefined;
}

/** Encodes CIFAR records from HWC pixels (tests; the inverse of parseCifar). */
export function encodeCifar(pixels: Uint8Array, labels: ArrayLike<number>, kind: CifarKind, coarse?: ArrayLike<number>): Uint8Array {
  const head = kind === 'cifar10' ? 1 : 2, rec = head + CIFAR_PIXELS, n = labels.length;
  const out = new Uint8Array(n * rec);
  for (let s = 0; s < n; s++) {
    const o = s * rec;
    if (kind === 'cifar10') out[o] = labels[s]!;
    else { out[o] = coarse?.[s] ?? 0; out[o + 1] = labels[s]!; }
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[o + head + c * 1024 + p] = pixels[s * CIFAR_PIXELS + p * 3 + c]!;
  }
  return out;
}

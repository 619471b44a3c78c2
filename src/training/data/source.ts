// Node: your own data from a path — an IDX directory (MNIST format), a CIFAR-10/100 binary directory, an .npz file,
// a directory of .npy files, or a .json data spec ({ "path": …, plus the DataOptions }) — as train/test Datasets.
// node:fs and node:path are imported when used, so that bundles of the dataset code for browsers still build.
import { checkDataOptions, datasetFromArrays, datasetFromBytes, labelsOf, type DataOptions } from './arrays.js';
import { cifarLayout, parseCifar } from './cifar.js';
import type { Dataset } from './datasets.js';
import { DataError } from './errors.js';
import { parseIdx } from './idx.js';
import { parseNpy, parseNpz, type NpyArray } from './npy.js';

export interface DataSource { name: string; train?: Dataset; test: Dataset }

/** True if a --data value names a file or directory rather than a built-in task. */
export const isDataPath = (s: string): boolean => /[\\/]/.test(s) || /\.(npz|npy|json|bin)$/i.test(s) || s === '.' || s === '..';

type PathModule = typeof import('node:path');
let pathMod: PathModule | undefined;
const nodePath = async (): Promise<PathModule> => (pathMod ??= await import('node:path'));
const join = (...p: string[]): string => pathMod!.join(...p);
const basename = (p: string): string => pathMod!.basename(p);

async function readBytes(path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (e) {
    throw new DataError('missing', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const IMAGE_KEYS = ['x', 'images', 'X', 'data', 'inputs'];
const LABEL_KEYS = ['y', 'labels', 'Y', 'targets'];

/** Picks the image/label arrays of each split from array names (x_train/y_train, train_images/train_labels, x/y …). */
function pickSplits(arrays: Map<string, NpyArray>, where: string): { train?: [NpyArray, NpyArray]; test?: [NpyArray, NpyArray] } {
  const find = (bases: string[], split?: string): NpyArray | undefined => {
    for (const b of bases) {
      for (const k of split ? [`${b}_${split}`, `${split}_${b}`] : [b]) if (arrays.has(k)) return arrays.get(k);
    }
    return undefined;
  };
  const pair = (split?: string): [NpyArray, NpyArray] | undefined => {
    const x = find(IMAGE_KEYS, split), y = find(LABEL_KEYS, split);
    if (!x && !y) return undefined;
    if (!x || !y) throw new DataError('missing', `${where}: ${split ?? 'the'} ${x ? 'images have no labels' : 'labels have no images'} (arrays: ${[...arrays.keys()].join(', ')})`);
    return [x, y];
  };
  const train = pair('train'), test = pair('test') ?? pair();
  if (!train && !test) {
    throw new DataError('missing', `${where}: no image/label arrays found among ${[...arrays.keys()].join(', ')}; name them x_train, y_train, x_test, y_test (or images, labels)`);
  }
  return { ...(train ? { train } : {}), ...(test ? { test } : {}) };
}

function fromArrays(splits: ReturnType<typeof pickSplits>, name: string, o: DataOptions): DataSource {
  const all = [splits.train, splits.test].filter((p): p is [NpyArray, NpyArray] => !!p);
  let classes = o.classes;
  if (classes === undefined) {
    classes = 0;
    for (const [x, y] of all) for (const v of labelsOf(y, x.shape[0] ?? 0, name)) classes = Math.max(classes, v + 1);
  }
  const mk = (p: [NpyArray, NpyArray], split: string): Dataset => datasetFromArrays(p[0], p[1], `${name} ${split}`, o, classes!);
  const train = splits.train ? mk(splits.train, 'train') : undefined;
  const test = splits.test ? mk(splits.test, 'test') : undefined;
  if (train && test && train.shape.join() !== test.shape.join()) {
    throw new DataError('shape', `${name}: train images are ${train.shape.join('×')} but test images ${test.shape.join('×')}`);
  }
  if (!test) return { name, train: train!, test: train! };
  return { name, test, ...(train ? { train } : {}) };
}

async function fromNpyDir(dir: string, files: string[], o: DataOptions): Promise<DataSource> {
  const arrays = new Map<string, NpyArray>();
  for (const f of files) arrays.set(f.replace(/\.npy$/i, ''), parseNpy(await readBytes(join(dir, f)), join(dir, f)));
  return fromArrays(pickSplits(arrays, dir), basename(dir), o);
}

async function fromCifar(dir: string, layout: NonNullable<ReturnType<typeof cifarLayout>>, o: DataOptions): Promise<DataSource> {
  const classes = layout.kind === 'cifar10' ? 10 : o.label === 'coarse' ? 20 : 100;
  if (o.classes !== undefined && o.classes !== classes) throw new DataError('option', `${dir}: ${layout.kind} has ${classes} classes, not ${o.classes}`);
  const load = async (files: string[], split: string): Promise<Dataset | undefined> => {
    if (!files.length) return undefined;
    const parts = [];
    for (const f of files) parts.push(parseCifar(await readBytes(join(dir, f)), layout.kind, join(dir, f), o.label));
    const n = parts.reduce((a, p) => a + p.n, 0), pixels = new Uint8Array(n * 3072), labels = new Int32Array(n);
    let at = 0;
    for (const p of parts) { pixels.set(p.pixels, at * 3072); labels.set(p.labels, at); at += p.n; }
    return datasetFromBytes(pixels, labels, [32, 32, 3], `${layout.kind} ${split}`, o, classes);
  };
  const train = await load(layout.train, 'train'), test = await load(layout.test, 'test');
  return { name: layout.kind, test: (test ?? train)!, ...(train ? { train } : {}) };
}

async function fromIdxDir(dir: string, names: string[], o: DataOptions): Promise<DataSource | undefined> {
  const pick = (base: string): string | undefined => names.find((f) => f === base || f === `${base}.gz` || f === base.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte') || f === `${base.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte')}.gz`);
  const split = async (img: string, lab: string, s: string): Promise<Dataset | undefined> => {
    const fi = pick(img), fl = pick(lab);
    if (!fi && !fl) return undefined;
    if (!fi || !fl) throw new DataError('missing', `${dir}: ${s} ${fi ? 'images have no label file' : 'labels have no image file'} (${lab} / ${img})`);
    const x = parseIdx(await readBytes(join(dir, fi)), join(dir, fi)), y = parseIdx(await readBytes(join(dir, fl)), join(dir, fl));
    if (x.type !== 'u8' || x.shape.length !== 3) throw new DataError('shape', `${join(dir, fi)}: images must be an N×H×W unsigned-byte IDX array, got ${x.type} ${x.shape.join('×')}`);
    const labels = labelsOf({ dtype: 'u1', shape: y.shape, data: y.data as Uint8Array }, x.shape[0]!, `${dir} ${s}`);
    return datasetFromBytes(x.data as Uint8Array, labels, [x.shape[1]!, x.shape[2]!, 1], `${basename(dir)} ${s}`, o, o.classes ?? 10);
  };
  const train = await split('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 'train');
  const test = await split('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'test');
  if (!train && !test) return undefined;
  return { name: basename(dir), test: (test ?? train)!, ...(train ? { train } : {}) };
}

/** Loads a data path (see the file header). Options in a .json spec are overridden by `opts`. */
export async function loadDataSource(path: string, opts: DataOptions = {}): Promise<DataSource> {
  const { stat, readdir } = await import('node:fs/promises');
  const { dirname, resolve } = await nodePath();
  let info;
  try { info = await stat(path); } catch {
    throw new DataError('missing', `data path ${path} does not exist; give an IDX or CIFAR directory, an .npz file, a directory of .npy files or a .json data spec`);
  }
  if (info.isFile() && /\.json$/i.test(path)) {
    let spec: DataOptions & { path?: unknown };
    try { spec = JSON.parse(new TextDecoder().decode(await readBytes(path))) as typeof spec; } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError('format', `${path}: not valid JSON (${(e as Error).message})`);
    }
    if (!spec || typeof spec.path !== 'string') throw new DataError('format', `${path}: a data spec needs "path" (the data, relative to the spec file)`);
    const unknown = Object.keys(spec).filter((k) => !['path', 'layout', 'scale', 'mean', 'std', 'classes', 'label'].includes(k));
    if (unknown.length) throw new DataError('option', `${path}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: path, layout, scale, mean, std, classes, label)`);
    const { path: inner, ...rest } = spec;
    return loadDataSource(resolve(dirname(path), inner as string), { ...rest, ...opts });
  }
  checkDataOptions(opts, path);
  if (info.isFile()) {
    if (/\.npz$/i.test(path)) return fromArrays(pickSplits(parseNpz(await readBytes(path), path), path), basename(path).replace(/\.npz$/i, ''), opts);
    throw new DataError('format', `${path}: a single file must be an .npz (images and labels) or a .json data spec; put .npy files in a directory (images.npy + labels.npy, or x_train.npy, y_train.npy, x_test.npy, y_test.npy)`);
  }
  const names = await readdir(path);
  const cifar = cifarLayout(names);
  if (cifar) return fromCifar(path, cifar, opts);
  const idx = await fromIdxDir(path, names, opts);
  if (idx) return idx;
  const npy = names.filter((f) => /\.npy$/i.test(f));
  if (npy.length) return fromNpyDir(path, npy, opts);
  const npz = names.filter((f) => /\.npz$/i.test(f));
  if (npz.length === 1) return loadDataSource(join(path, npz[0]!), opts);
  throw new DataError('missing', `${path}: no data found (looked for CIFAR data_batch_*.bin/test_batch.bin or train.bin/test.bin, IDX train-/t10k- files, .npy arrays or one .npz)`);
}

// Your own data (src/training/data/{npy,cifar,arrays,source}.ts): small files in each format, generated here in a
// temp dir, load as tasks with the right pixels, layout and labels; each kind of bad file is a named DataError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy, parseNpy, type NpyArray, type NpyDtype } from '../../src/training/data/npy.js';
import { encodeCifar } from '../../src/training/data/cifar.js';
import { encodeIdxU8 } from '../../src/training/data/idx.js';
import { loadDataSource } from '../../src/training/data/source.js';
import { loadTask } from '../../src/training/data/datasets.js';
import { DataError, type DataErrorCode } from '../../src/training/data/errors.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-data-'));
let k = 0;
const dir = (): string => { const d = join(root, `d${k++}`); mkdirSync(d); return d; };
const npy = (d: string, name: string, data: NpyArray['data'] | number[], dtype: NpyDtype, shape: number[]): void => {
  writeFileSync(join(d, `${name}.npy`), encodeNpy(data as NpyArray['data'], dtype, shape));
};
const seq = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

async function expectData(p: Promise<unknown>, code: DataErrorCode, re: RegExp): Promise<void> {
  let err: unknown;
  try { await p; } catch (e) { err = e; }
  assert.instance(err, DataError, `expected DataError ${code}, got ${String(err)}`);
  assert.is((err as DataError).code, code, (err as Error).message);
  assert.match((err as Error).message, re);
}

test('.npy round trip, incl. big-endian and Fortran-order arrays written by hand', () => {
  const a = parseNpy(encodeNpy(Float32Array.of(1.5, -2, 3), 'f4', [3]));
  assert.equal([a.dtype, a.shape, Array.from(a.data)], ['f4', [3], [1.5, -2, 3]]);
  // a 2×3 int16 array, big-endian, Fortran order: memory holds columns [0,3], [1,4], [2,5]
  const head = "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3), }";
  const h = head + ' '.repeat(63 - ((10 + head.length) % 64)) + '\n';
  const b = new Uint8Array(10 + h.length + 12);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(b.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) b[10 + i] = h.charCodeAt(i);
  [0, 3, 1, 4, 2, 5].forEach((v, i) => new DataView(b.buffer).setInt16(10 + h.length + 2 * i, v, false));
  const f = parseNpy(b);
  assert.equal([f.shape, Array.from(f.data)], [[2, 3], [0, 1, 2, 3, 4, 5]]);
});

test('.npz with x_train/y_train/x_test/y_test (uint8 NHWC): pixels ÷ 255, classes from the labels', async () => {
  const d = dir();
  const px = (n: number) => Uint8Array.from(seq(n * 48, (i) => (i * 37) % 256));
  const z = zipSync({
    'x_train.npy': encodeNpy(px(6), 'u1', [6, 4, 4, 3]), 'y_train.npy': encodeNpy(Int32Array.of(0, 1, 2, 3, 4, 0), 'i4', [6]),
    'x_test.npy': encodeNpy(px(2), 'u1', [2, 4, 4, 3]), 'y_test.npy': encodeNpy(Float64Array.of(4, 2), 'i8', [2]),
  }, { level: 6 });
  writeFileSync(join(d, 'small.npz'), z);
  const t = await loadTask(join(d, 'small.npz'), { valFraction: 0.2 });
  assert.equal(t.test.shape, [4, 4, 3]);
  assert.is(t.test.numClasses, 5);
  assert.is(t.train.n + t.val.n, 6);
  assert.equal(Array.from(t.test.labels), [4, 2]);
  assert.is(t.test.images[5], Math.fround(((5 * 37) % 256) / 255));
});

test('a directory of .npy (NCHW float32, inferred) is transposed to HWC; single split = test only', async () => {
  const d = dir();
  // pixel (c, h, w) of image s holds s·1000 + c·100 + h·10 + w
  npy(d, 'images', Float32Array.from(seq(2 * 3 * 4 * 5, (i) => { const s = Math.floor(i / 60), c = Math.floor(i / 20) % 3, h = Math.floor(i / 5) % 4, w = i % 5; return s * 1000 + c * 100 + h * 10 + w; })), 'f4', [2, 3, 4, 5]);
  npy(d, 'labels', Int32Array.of(1, 0), 'i4', [2]);
  const src = await loadDataSource(d);
  assert.is(src.train, undefined);
  assert.equal(src.test.shape, [4, 5, 3]);
  const at = (s: number, h: number, w: number, c: number) => src.test.images[((s * 4 + h) * 5 + w) * 3 + c];
  assert.equal([at(0, 0, 0, 0), at(0, 2, 3, 1), at(1, 3, 4, 2)], [0, 123, 1234]);
  await expectData(loadTask(d, { requireTrain: true }), 'missing', /has only a test split; training needs training data/);
});

test('layout: ambiguous shapes are refused unless given; a .json spec gives layout and normalization', async () => {
  const d = dir();
  npy(d, 'x', Uint8Array.from(seq(2 * 3 * 2 * 3, (i) => i)), 'u1', [2, 3, 2, 3]);
  npy(d, 'y', Uint8Array.of(0, 1), 'u1', [2]);
  await expectData(loadDataSource(d), 'layout', /cannot tell whether images of shape \(2, 3, 2, 3\) are NHWC or NCHW/);
  writeFileSync(join(d, 'spec.json'), JSON.stringify({ path: '.', layout: 'nchw', scale: 'none', mean: [1, 2, 3], std: [2, 2, 2] }));
  const s = await loadDataSource(join(d, 'spec.json'));
  assert.equal(s.test.shape, [2, 3, 3]);
  // image 0, pixel (h 0, w 1), channel 2 = stored x[0, 2, 0, 1] = 13 → (13 − 3) / 2
  assert.is(s.test.images[(0 * 3 + 1) * 3 + 2], 5);
  writeFileSync(join(d, 'bad.json'), JSON.stringify({ path: '.', layuot: 'nchw' }));
  await expectData(loadDataSource(join(d, 'bad.json')), 'option', /unknown field layuot/);
  await expectData(loadDataSource(d, { std: [0] }), 'option', /std values must be positive/);
});

test('CIFAR-10 binary: batches concatenated, channel planes → HWC, label ranges and file lengths checked', async () => {
  const d = dir();
  const pix = (n: number, o: number) => Uint8Array.from(seq(n * 3072, (i) => (i * 7 + o) % 251));
  writeFileSync(join(d, 'data_batch_1.bin'), encodeCifar(pix(3, 0), [0, 9, 4], 'cifar10'));
  writeFileSync(join(d, 'data_batch_2.bin'), encodeCifar(pix(2, 5), [1, 2], 'cifar10'));
  writeFileSync(join(d, 'test_batch.bin'), encodeCifar(pix(2, 9), [3, 8], 'cifar10'));
  const s = await loadDataSource(d);
  assert.equal([s.train!.n, s.test.n, s.test.numClasses], [5, 2, 10]);
  assert.equal(Array.from(s.train!.labels), [0, 9, 4, 1, 2]);
  assert.is(s.test.images[7], Math.fround(pix(2, 9)[7]! / 255));
  const t = await loadTask(`split:3,8@${d}`, { valFraction: 0.5 });
  assert.equal([t.test.n, t.test.numClasses], [2, 2]);
  writeFileSync(join(d, 'test_batch.bin'), encodeCifar(pix(2, 9), [3, 8], 'cifar10').subarray(0, 5000));
  await expectData(loadDataSource(d), 'cifar-length', /test_batch\.bin: 5000 bytes is not a whole number of CIFAR-10 records \(3073 bytes each/);
  writeFileSync(join(d, 'test_batch.bin'), encodeCifar(pix(1, 0), [12], 'cifar10'));
  await expectData(loadDataSource(d), 'label-range', /record 0 has label 12, outside 0\.\.9/);
});

test('CIFAR-100 binary: fine labels by default, coarse on request', async () => {
  const d = dir();
  writeFileSync(join(d, 'train.bin'), encodeCifar(new Uint8Array(2 * 3072), [57, 99], 'cifar100', [3, 19]));
  writeFileSync(join(d, 'test.bin'), encodeCifar(new Uint8Array(3072), [7], 'cifar100', [11]));
  const fine = await loadDataSource(d);
  assert.equal([Array.from(fine.train!.labels), fine.test.numClasses], [[57, 99], 100]);
  const coarse = await loadDataSource(d, { label: 'coarse' });
  assert.equal([Array.from(coarse.train!.labels), coarse.test.numClasses], [[3, 19], 20]);
});

test('an IDX directory given as a path', async () => {
  const d = dir();
  writeFileSync(join(d, 't10k-images-idx3-ubyte'), encodeIdxU8([2, 3, 3], Uint8Array.from(seq(18, (i) => i * 10))));
  writeFileSync(join(d, 't10k-labels-idx1-ubyte'), encodeIdxU8([2], Uint8Array.of(7, 1)));
  const s = await loadDataSource(d);
  assert.equal([s.test.shape, Array.from(s.test.labels), s.test.images[17]], [[3, 3, 1], [7, 1], Math.fround(170 / 255)]);
});

test('bad data: count mismatch, label dtype and shape, negative label, corrupt or truncated .npy', async () => {
  const d = dir();
  npy(d, 'images', new Uint8Array(3 * 4), 'u1', [3, 2, 2]);
  npy(d, 'labels', Int32Array.of(0, 1), 'i4', [2]);
  await expectData(loadDataSource(d), 'count-mismatch', /3 images but 2 labels/);
  npy(d, 'labels', Float32Array.of(0, 1, 2), 'f4', [3]);
  await expectData(loadDataSource(d), 'dtype', /labels are f4; they must be integers/);
  npy(d, 'labels', new Int32Array(9), 'i4', [3, 3]);
  await expectData(loadDataSource(d), 'shape', /labels have shape \(3, 3\); expected \(N,\) class indices \(not one-hot\)/);
  npy(d, 'labels', Int32Array.of(0, -1, 2), 'i4', [3]);
  await expectData(loadDataSource(d), 'label-range', /label -1 at index 1 is not a class index/);
  npy(d, 'labels', Int32Array.of(0, 1, 5), 'i4', [3]);
  await expectData(loadDataSource(d, { classes: 3 }), 'label-range', /label 5 at index 2 is outside 0\.\.2/);
  const good = encodeNpy(Int32Array.of(0, 1, 2), 'i4', [3]);
  writeFileSync(join(d, 'labels.npy'), good.subarray(0, good.length - 3));
  await expectData(loadDataSource(d), 'truncated', /needs 12 data bytes but the file has 9; it is truncated/);
  const broken = Uint8Array.from(good);
  broken[18] = '@'.charCodeAt(0); // the ':' after 'descr'
  writeFileSync(join(d, 'labels.npy'), broken);
  await expectData(loadDataSource(d), 'npy-header', /corrupt \.npy header/);
  writeFileSync(join(d, 'labels.npy'), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  await expectData(loadDataSource(d), 'npy-header', /not a \.npy file/);
  const obj = Uint8Array.from(good), at = Buffer.from(obj).indexOf("'<i4'");
  obj.set([...Buffer.from("'|O8'")], at); // an object array, as pickled Python objects would be
  writeFileSync(join(d, 'labels.npy'), obj);
  await expectData(loadDataSource(d), 'dtype', /dtype '\|O8' is not supported/);
  await expectData(loadDataSource(join(d, 'images.npy')), 'format', /a single file must be an \.npz/);
  await expectData(loadDataSource(join(d, 'nothing')), 'missing', /does not exist/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

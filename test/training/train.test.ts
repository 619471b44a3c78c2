import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/zoo.js';
import { evaluateAccuracy, train, type StepContext } from '../../src/training/train.js';
import { RefRng } from '../../src/reference/rng.js';
import type { Dataset } from '../../src/training/data/datasets.js';

function blobs(n: number, seed: number, flip = false): Dataset {
  const rng = new RefRng(seed, 9);
  const images = new Float32Array(n * 64), labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const c = s % 4; labels[s] = flip ? 3 - c : c;
    for (let i = 0; i < 64; i++) {
      const q = (i >= 32 ? 2 : 0) + (i % 8 >= 4 ? 1 : 0);
      images[s * 64 + i] = Math.min(1, Math.max(0, (q === c ? 0.8 : 0.1) + 0.15 * rng.normal()));
    }
  }
  return { name: 'blobs', images, labels, n, shape: [8, 8, 1], numClasses: 4 };
}
const mlp = (seed: number) => buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 4, seed });

test('trains, reports history, is deterministic for a seed', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const runs = [];
  for (let k = 0; k < 2; k++) {
    const m = mlp(1);
    const r = await train([{ name: 'b', model: m, train: blobs(128, 1), val: blobs(32, 2) }], { epochs: 2, batchSize: 16, learningRate: 0.005, seed: 4 });
    runs.push({ r, w: m.getWeights()[0]!.dataSync().slice(0, 20) });
    assert.is(r.history.length, 2);
    assert.ok(r.history[1]!.loss < r.history[0]!.loss);
    assert.ok(evaluateAccuracy(m, blobs(40, 5)) > 0.9);
  }
  assert.equal([...runs[0]!.w], [...runs[1]!.w]);
});

test('early stopping and best-weight restore', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = mlp(2);
  // validation labels are flipped, so validation accuracy cannot improve after the first epoch
  const r = await train([{ name: 'b', model: m, train: blobs(64, 1), val: blobs(32, 2, true) }], { epochs: 10, batchSize: 16, learningRate: 0.01, patience: 2 });
  assert.ok(r.stoppedEarly);
  assert.ok(r.epochsDone < 10);
  assert.is(evaluateAccuracy(m, blobs(32, 2, true)), r.bestValAccuracy);
});

test('resume continues from a saved state', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = mlp(3);
  const first = await train([{ name: 'b', model: m, train: blobs(64, 1), val: blobs(16, 2) }], { epochs: 1, batchSize: 16 });
  const seen: number[] = [];
  const second = await train([{ name: 'b', model: m, train: blobs(64, 1), val: blobs(16, 2) }], { epochs: 3, batchSize: 16, resumeFrom: first, onEpochEnd: (e) => { seen.push(e.epoch); } });
  assert.equal(seen, [2, 3]);
  assert.is(second.history.length, 3);
  assert.is(second.epochsDone, 3);
});

test('two tasks alternate; extra-loss and after-step hooks run (MMR-style tying)', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const a = mlp(5), b = mlp(6);
  const order: number[] = [];
  const wa = a.getLayer('fc2').weights[0]!, wb = b.getLayer('fc2').weights[0]!;
  let extraCalls = 0;
  await train([{ name: 'A', model: a, train: blobs(48, 1) }, { name: 'B', model: b, train: blobs(32, 2, true) }], {
    epochs: 1, batchSize: 16, learningRate: 0.005,
    extraLoss: (ctx: StepContext) => { extraCalls++; return tf.mul(0.01 * ctx.progress, tf.sum(tf.square(tf.sub(wa.read(), wb.read())))) as tf.Scalar; },
    afterStep: (ctx) => {
      order.push(ctx.task);
      // projection: tie fc2 of both models to their mean
      const mean = tf.tidy(() => tf.div(tf.add(wa.read(), wb.read()), 2));
      wa.write(mean); wb.write(mean.clone()); mean.dispose();
    },
  });
  assert.equal(order, [0, 1, 0, 1, 0]);
  assert.is(extraCalls, 5);
  assert.equal([...wa.read().dataSync()], [...wb.read().dataSync()]);
});

test('class-count mismatch is a clear error', async () => {
  const m = buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 10 });
  let msg = '';
  try { await train([{ name: 'b', model: m, train: blobs(16, 1) }], { epochs: 1 }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /10 outputs but the dataset has 4 classes/);
});

test.run();

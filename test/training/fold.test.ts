import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/zoo.js';
import { foldBatchNorm } from '../../src/training/fold.js';
import { RefRng } from '../../src/reference/rng.js';

const rng = new RefRng(11, 2);
/** Gives every BN layer non-trivial statistics and affine parameters. */
function randomizeBn(m: tf.LayersModel): void {
  for (const l of m.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    l.setWeights(l.getWeights().map((w, i) => {
      const n = w.size;
      // order: gamma, beta, moving_mean, moving_variance
      return tf.tensor1d(Float32Array.from({ length: n }, () => (i === 3 ? 0.5 + rng.uniform() : i === 0 ? 0.5 + rng.uniform() : 0.3 * rng.normal())));
    }));
  }
}

function maxDiff(a: tf.LayersModel, b: tf.LayersModel, shape: number[]): number {
  const x = tf.tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rng.uniform()), shape);
  const ya = (a.predict(x) as tf.Tensor).dataSync(), yb = (b.predict(x) as tf.Tensor).dataSync();
  let d = 0;
  for (let i = 0; i < ya.length; i++) d = Math.max(d, Math.abs(ya[i]! - yb[i]!));
  return d;
}

test('resnet: folded model has no BN and computes the same function', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = buildModel('resnet', { seed: 4 });
  randomizeBn(m);
  const f = await foldBatchNorm(m);
  assert.ok(!f.layers.some((l) => l.getClassName() === 'BatchNormalization'));
  assert.ok(f.layers.some((l) => l.getClassName() === 'Add'));
  assert.is(f.layers.filter((l) => l.getClassName() === 'Conv2D').length, m.layers.filter((l) => l.getClassName() === 'Conv2D').length);
  const d = maxDiff(m, f, [3, 28, 28, 1]);
  assert.ok(d < 1e-5, `max output difference ${d}`);
});

test('sequential conv-BN-relu folds; BN after a nonlinearity is refused', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const seq = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }), tf.layers.flatten(),
    tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }), tf.layers.batchNormalization(),
  ] });
  randomizeBn(seq);
  const f = await foldBatchNorm(seq);
  assert.is(f.layers.length, 4);
  assert.ok(maxDiff(seq, f, [2, 8, 8, 2]) < 1e-5);
  const bad = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tf.layers.batchNormalization()] });
  let msg = '';
  try { await foldBatchNorm(bad); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /applies relu before it/);
});

test.run();

// QAT: weights trained with fake quantization land exactly on the crossbar encoder's integers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/zoo.js';
import { applyQuantization, crossbarKernels, fakeQuantize, quantizedKernels } from '../../src/training/qat.js';
import { train } from '../../src/training/train.js';
import { quantizeWeights } from '../../src/hardware/quantize.js';
import { RefRng } from '../../src/reference/rng.js';
import type { Dataset } from '../../src/training/data/datasets.js';

function blobs(n: number, seed: number): Dataset {
  // 4 classes, 8×8 images: a bright quadrant per class plus noise
  const rng = new RefRng(seed, 9);
  const images = new Float32Array(n * 64), labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const c = s % 4; labels[s] = c;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const q = (y >= 4 ? 2 : 0) + (x >= 4 ? 1 : 0);
      images[s * 64 + y * 8 + x] = Math.min(1, Math.max(0, (q === c ? 0.8 : 0.1) + 0.15 * rng.normal()));
    }
  }
  return { name: 'blobs', images, labels, n, shape: [8, 8, 1], numClasses: 4 };
}

test('fakeQuantize reproduces quantizeWeights integers (layer and column scales)', () => {
  const rng = new RefRng(5, 1);
  const w = Float32Array.from({ length: 6 * 5 }, () => rng.normal() * 0.1);
  for (const scale of ['layer', 'column'] as const) {
    for (const weightBits of [2, 4, 8]) {
      const { values, q } = fakeQuantize(w, 6, 5, { weightBits, scale });
      const again = quantizeWeights(values, 6, 5, { weights: { weightBits, scale } });
      assert.equal([...again.ints], [...q.ints], `${scale} ${weightBits}-bit`);
      assert.ok(q.ints.some((v) => v !== 0));
    }
  }
});

for (const [model, scale] of [['conv', 'layer'], ['mlp', 'column']] as const) {
  test(`QAT-trained ${model} (${scale} scale) weights quantize to identical integers`, async () => {
    await setupBackend({ backend: 'wasm', log: null });
    const data = blobs(96, 1);
    // conv: a tiny LeNet-like model for 8×8 inputs (Conv2D + pooling + Dense)
    const net = model === 'conv'
      ? tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] })
      : buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 4, seed: 2 });
    const before = crossbarKernels(net).map((k) => k.variable.read().dataSync().slice());
    const opts = { weightBits: 4, scale };
    await train([{ name: 'blobs', model: net, train: data }], { epochs: 2, batchSize: 16, learningRate: 0.01, qat: { ...opts, noiseLsb: 0.3 }, seed: 3 });
    const ks = crossbarKernels(net);
    ks.forEach((k, i) => assert.not.equal([...k.variable.read().dataSync()], [...before[i]!], 'weights changed'));
    for (const { layer, q } of quantizedKernels(net, opts)) {
      const k = ks.find((x) => x.layer.name === layer)!;
      const w = k.variable.read().dataSync();
      // the trained weights ARE the dequantized integers (no noise left in the final weights)
      for (let i = 0; i < w.length; i++) {
        const s = q.scales[q.perColumn ? i % k.cols : 0]!;
        assert.ok(Math.abs(w[i]! - q.ints[i]! * s) <= 1e-6 * s * 8, `${layer}[${i}] = ${w[i]} is not on the grid`);
      }
      const levels = new Set(q.ints);
      assert.ok(levels.size <= 15, `${layer}: ${levels.size} levels for 4-bit weights`);
    }
    net.dispose();
  });
}

test('QAT training learns an easy task', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 4, seed: 4 });
  const r = await train([{ name: 'b', model: m, train: blobs(160, 2), val: blobs(40, 3) }], { epochs: 3, batchSize: 16, learningRate: 0.005, qat: { weightBits: 8 } });
  assert.ok(r.bestValAccuracy > 0.9, `val accuracy ${r.bestValAccuracy}`);
  m.dispose();
});

test('post-training quantization puts a float model on the grid', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 4, seed: 7 });
  const before = crossbarKernels(m)[0]!.variable.read().dataSync().slice();
  const qs = applyQuantization(m, { weightBits: 3 });
  const after = crossbarKernels(m)[0]!.variable.read().dataSync();
  assert.not.equal([...after], [...before]);
  assert.ok(new Set(qs[0]!.q.ints).size <= 7);
  assert.equal([...quantizedKernels(m, { weightBits: 3 })[0]!.q.ints], [...qs[0]!.q.ints]);
  m.dispose();
});

test('QAT steps leak no tensors or memory', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = buildModel('mlp', { inputShape: [8, 8, 1], numClasses: 4, seed: 4 });
  const data = blobs(32, 2);
  await train([{ name: 'b', model: m, train: data }], { epochs: 1, batchSize: 16, qat: { weightBits: 8, noiseLsb: 0.5 } });
  const t0 = tf.memory().numTensors, b0 = tf.memory().numBytes;
  await train([{ name: 'b', model: m, train: data }], { epochs: 3, batchSize: 16, qat: { weightBits: 8, noiseLsb: 0.5 } });
  assert.is(tf.memory().numTensors, t0);
  assert.is(tf.memory().numBytes, b0);
  m.dispose();
});

test.run();

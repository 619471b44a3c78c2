import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setupBackend } from '../../src/training/backend.js';
import { buildModel, assertMappable, cifarZooModels, zooModelNames } from '../../src/training/zoo.js';
import { loadModel, saveModel } from '../../src/training/checkpoint.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-ckpt-'));

test('checkpoint round-trips (topology, weights, predictions), atomically', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = buildModel('lenet5', { seed: 3 });
  const out = path.join(dir, 'lenet');
  await saveModel(m, out, { 'state.json': '{"epochsDone":1}' });
  assert.equal(readdirSync(out).sort(), ['model.json', 'state.json', 'weights.bin']);
  assert.equal(readdirSync(dir), ['lenet']); // no temp directories left behind
  await saveModel(m, out); // overwrite in place
  const back = await loadModel(out);
  assert.is(back.layers.length, m.layers.length);
  const a = m.getWeights(), b = back.getWeights();
  a.forEach((w, i) => assert.equal([...w.dataSync()], [...b[i]!.dataSync()]));
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
  assert.equal([...(m.predict(x) as tf.Tensor).dataSync()], [...(back.predict(x) as tf.Tensor).dataSync()]);
  assert.ok(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).weightsManifest[0].paths[0] === 'weights.bin');
});

test('truncated weights are detected', async () => {
  const out = path.join(dir, 'lenet');
  const wb = readFileSync(path.join(out, 'weights.bin'));
  writeFileSync(path.join(out, 'weights.bin'), wb.subarray(0, wb.length - 8));
  let msg = '';
  try { await loadModel(out); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /truncated or mismatched/);
  try { await loadModel(path.join(dir, 'nothing')); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /ENOENT/);
});

test('every zoo model builds from mappable layers and round-trips', async () => {
  for (const name of zooModelNames) {
    const m = buildModel(name, { seed: 1, ...(cifarZooModels.includes(name) ? { width: 1 / 8 } : {}) });
    assertMappable(m);
    const out = path.join(dir, name);
    await saveModel(m, out);
    const back = await loadModel(out);
    assert.is(back.countParams(), m.countParams(), name);
    assert.equal(back.outputs[0]!.shape, [null, 10]);
  }
  const bad = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, dilationRate: 2 })] });
  assert.throws(() => assertMappable(bad), /dilation 2×2 is not supported/);
  const bad2 = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [4, 4], units: 2 })] });
  assert.throws(() => assertMappable(bad2), /LSTM\) is not supported/);
});

test('same seed, same initial weights', () => {
  const a = buildModel('mlp', { seed: 9 }).getWeights()[0]!.dataSync();
  const b = buildModel('mlp', { seed: 9 }).getWeights()[0]!.dataSync();
  const c = buildModel('mlp', { seed: 10 }).getWeights()[0]!.dataSync();
  assert.equal([...a.subarray(0, 50)], [...b.subarray(0, 50)]);
  assert.not.equal([...a.subarray(0, 50)], [...c.subarray(0, 50)]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

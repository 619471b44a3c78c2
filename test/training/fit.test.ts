// A model is checked against the task it is scored on: a wrong output size (e.g. 2 outputs on 10-class MNIST, which
// would silently score ~20 %) or input shape is refused with both numbers, by the function, by `ha3m eval` and when a
// scenario loads its models.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli.js';
import { fileSaveHandler } from '../../src/mapping/load-node.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { modelOutputSize, modelTaskMismatch } from '../../src/training/data/fit.js';
import { loadScenarioModel } from '../../src/scenario/load.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-fit-'));
const mlp = (inputShape: number[], outputs: number) => tf.sequential({ name: 'm', layers: [
  tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 8, activation: 'relu' }), tf.layers.dense({ units: outputs }),
] });

test.before(async () => {
  await tf.setBackend('cpu');
  await mlp([28, 28, 1], 2).save(fileSaveHandler(join(root, 'two')));
});

test('modelTaskMismatch: outputs vs classes, input size and image shape', () => {
  const m = importLayersModel(mlp([28, 28, 1], 2));
  assert.is(modelOutputSize(m), 2);
  assert.is(modelTaskMismatch(m, { shape: [28, 28, 1], numClasses: 2 }, 'm', 't'), undefined);
  assert.match(modelTaskMismatch(m, { shape: [28, 28, 1], numClasses: 10 }, 'm', 'mnist')!, /model m has 2 outputs but task mnist has 10 classes/);
  assert.match(modelTaskMismatch(m, { shape: [32, 32, 3], numClasses: 2 }, 'm', 'c')!, /expects input \[28, 28, 1\] \(784 values\) but task c has 32×32×3 samples \(3072 values\)/);
  // same size, other image shape: refused for image inputs; a flat input takes any sample of its size
  assert.match(modelTaskMismatch(m, { shape: [14, 56, 1], numClasses: 2 }, 'm', 'c')!, /expects input \[28, 28, 1\]/);
  const flat = importLayersModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 3 })] }));
  assert.is(modelTaskMismatch(flat, { shape: [28, 28, 1], numClasses: 3 }, 'f', 't'), undefined);
});

test('ha3m eval refuses a 2-output model on 10-class MNIST (exit 2, both numbers)', async () => {
  const r = await runCli(['eval', '--model', join(root, 'two'), '--data', 'mnist', '--limit', '10', '--mode', 'ideal']);
  assert.is(r.code, 2, r.out);
  assert.match(r.err, /has 2 outputs but task mnist has 10 classes/);
  const ok = await runCli(['eval', '--model', join(root, 'two'), '--data', 'split-mnist:3,4', '--limit', '20', '--mode', 'ideal', '--json']);
  assert.is(ok.code, 0, ok.err);
});

test('a scenario model entry is checked the same way', async () => {
  let msg = '';
  try {
    await loadScenarioModel({ name: 'A', path: join(root, 'two'), task: 'mnist' }, { seed: 1, calibSamples: 8, evalSamples: 8 });
  } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /model A \(.*two\) has 2 outputs but task mnist has 10 classes/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

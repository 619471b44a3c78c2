// A BatchNormalization with a negative moving variance is refused at import, naming that layer — not later, with
// NaN weights blamed on the next layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli.js';
import { fileSaveHandler } from '../../src/mapping/load-node.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { ModelImportError } from '../../src/mapping/types.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-bn-'));

function model(variance: number[], folded: boolean): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [6], units: 3, activation: folded ? 'linear' : 'relu', name: 'fc1' }),
    tf.layers.batchNormalization({ name: 'bn1' }),
    tf.layers.dense({ units: 2, name: 'fc2' }),
  ] });
  const bn = m.getLayer('bn1');
  const w = bn.getWeights();
  bn.setWeights([w[0]!, w[1]!, w[2]!, tf.tensor1d(variance)]);
  return m;
}

test.before(async () => { await tf.setBackend('cpu'); });

test('negative moving_variance: import refuses it naming the layer and the channel, folded or not', () => {
  for (const folded of [true, false]) {
    const m = model([1, -0.5, 2], folded);
    assert.throws(() => importLayersModel(m), (e: Error) => e instanceof ModelImportError && /bn1/.test(e.message)
      && /moving_variance\[1\] is -0\.5/.test(e.message) && !/fc2/.test(e.message), `folded ${folded}`);
    m.dispose();
  }
  const ok = model([1, 0.5, 2], true);
  assert.is(importLayersModel(ok).ops.filter((o) => o.kind === 'dense').length, 2, 'a sound BatchNormalization still folds');
  ok.dispose();
});

test('CLI: ha3m map refuses the model with exit code 2 and names the BatchNormalization layer', async () => {
  const m = model([1, -0.5, 2], true);
  await m.save(fileSaveHandler(join(root, 'bad')));
  m.dispose();
  const r = await runCli(['map', '--model', join(root, 'bad')]);
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /bn1.*moving_variance\[1\] is -0\.5.*cannot be negative/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

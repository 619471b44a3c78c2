// `ha3m merge --out`: checked before the retraining; when the merged models cannot be written, the manifest is still
// printed (--json) with the path named and exit code 3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { saveModel } from '../../src/training/checkpoint.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-merge-out-'));

const mlp = (seed: number) => tf.sequential({ layers: [
  tf.layers.flatten({ inputShape: [28, 28, 1] }),
  tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'h' }),
  tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'out' }),
] });

const args = (out: string) => ['merge', '--model-a', path.join(dir, 'a'), '--data-a', 'mnist', '--model-b', path.join(dir, 'b'), '--data-b', 'mnist',
  '--share', '0.5', '--epochs', '0', '--finetune-epochs', '0', '--limit', '64', '--test-limit', '32', '--out', out, '--json', '--no-progress'];

test.before(async () => {
  await tf.setBackend('cpu');
  for (const [name, seed] of [['a', 1], ['b', 5]] as const) { const m = mlp(seed); await saveModel(m, path.join(dir, name)); m.dispose(); }
});

test('a bad --out is refused before the models and data are loaded', async () => {
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const [out, re] of [
    [file, /--out .*a-file: it is a file, not a directory/],
    [path.join(file, 'sub'), /a-file is a file, not a directory/],
    ['/proc/ha3m-merge', /--out \/proc\/ha3m-merge: cannot write there/],
  ] as const) {
    const r = await runCli(args(out));
    assert.is(r.code, 2, `${out}: ${r.err}`);
    assert.match(r.err, re);
    assert.not.match(r.err, /^data /m, 'refused before loading the data');
  }
});

test('merged models that cannot be written: the manifest is printed, the path named, exit 3', async () => {
  const out = path.join(dir, 'blocked');
  mkdirSync(path.join(out, 'merge.json', 'in-the-way'), { recursive: true });
  const r = await runCli(args(out));
  assert.is(r.code, 3, r.err);
  const manifest = JSON.parse(r.outLines.at(-1)!);
  assert.type(manifest.tiedFraction, 'number');
  assert.match(r.err, /could not write the merged models in .*blocked/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

// `ha3m program` exit codes: failed (stuck) cells are results — reported, exit 0 — in text and --json alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../../src/training/checkpoint.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ha3m-program-cli-'));

test.before(async () => {
  await tf.setBackend('cpu');
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [256], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  await saveModel(m, join(dir, 'm'));
  m.dispose();
});

test('failed cells (the default preset\'s stuck-at faults) are reported with exit code 0, text and --json', async () => {
  const json = await runCli(['program', '--model', join(dir, 'm'), '--json']);
  assert.is(json.code, 0, json.err);
  const j = JSON.parse(json.out);
  assert.ok(j.failures > 0, 'the default preset has stuck cells');
  assert.is(j.ok, false);
  const text = await runCli(['program', '--model', join(dir, 'm')]);
  assert.is(text.code, 0, text.err);
  assert.match(text.out, new RegExp(`failures\\s+${j.failures} `));
  const ideal = await runCli(['program', '--model', join(dir, 'm'), '--preset', 'ideal', '--json']);
  assert.is(ideal.code, 0, ideal.err);
  assert.equal([JSON.parse(ideal.out).failures, JSON.parse(ideal.out).ok], [0, true], 'the ideal preset programs every cell');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

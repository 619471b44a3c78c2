// `ha3m map` (src/cli/commands/map.ts), run in-process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli.js';
import { fileSaveHandler } from '../../src/mapping/load-node.js';
import { checkPlacement, type Placement } from '../../src/mapping/placement.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-cli-map-'));

const run = (...args: string[]) => runCli(args);

test.before(async () => {
  await tf.setBackend('cpu'); // no set-up; other suites may have registered wasm
  const m = tf.sequential({ name: 'lenet5', layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 120, activation: 'relu' }),
    tf.layers.dense({ units: 84, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  await m.save(fileSaveHandler(join(root, 'lenet')));
  m.dispose();
});

test('ha3m map prints layers, tiles, crossbars and utilization', async () => {
  const r = await run('map', '--model', join(root, 'lenet', 'model.json'));
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /400 × 120\s+32\s+32/);
  assert.match(r.out, /crossbars\s+42\n/);
  assert.match(r.out, /utilization\s+71\.46 %/);
});

test('ha3m map --xamm --json: crossbars, utilization and a valid placement', async () => {
  const r = await run('map', '--model', join(root, 'lenet'), '--xamm', '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Omit<Placement, 'layers'> & { baselineCrossbars: number; tiles: number; layers: Array<{ kind: string; rows: number; cols: number }> };
  assert.is(j.crossbars, 41);
  assert.is(j.baselineCrossbars, 42);
  assert.is(j.tiles, 42);
  assert.ok(j.utilization > 0.73 && j.utilization < 0.74);
  assert.equal(j.layers.map((l) => l.kind), ['conv2d', 'conv2d', 'dense', 'dense', 'dense']);
  checkPlacement({ ...j, layers: j.layers.map((l) => ({ name: '', rows: l.rows, cols: l.cols })) });
});

test('ha3m map: bad model path and bad preset exit 2 with a clear message', async () => {
  const r = await run('map', '--model', join(root, 'missing.json'));
  assert.is(r.code, 2);
  assert.match(r.err, /model file .*missing.json does not exist/);
  const r2 = await run('map', '--model', join(root, 'lenet'), '--preset', 'nope');
  assert.is(r2.code, 2);
  assert.match(r2.err, /unknown preset "nope"/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

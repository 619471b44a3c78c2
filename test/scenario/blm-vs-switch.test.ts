// `ha3m blm` and `ha3m switch` switch a pool the same way (one switch path): for the same models, pool size and seed,
// their A → B diff switch costs the same cycles, to the cycle. (Only diff is comparable: `ha3m blm` starts every run
// from A programmed in place, a scenario programs A under the strategy itself — for full an erase and a write.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli.js';
import { fileSaveHandler } from '../../src/mapping/load-node.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-blm-vs-switch-'));

async function tinyMlp(seed: number, dir: string): Promise<void> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  await m.save(fileSaveHandler(dir));
  m.dispose();
}

test.before(async () => {
  await tf.setBackend('cpu');
  await tinyMlp(1, join(root, 'a'));
  await tinyMlp(5, join(root, 'b'));
});

test.after(() => rmSync(root, { recursive: true, force: true }));

for (const mapping of ['baseline', 'xamm']) {
test(`ha3m blm and ha3m switch: the same diff cycles for the same models and pool (${mapping} mapping)`, async () => {
  const a = join(root, 'a'), b = join(root, 'b');
  const blm = await runCli(['blm', '--model-a', a, '--model-b', b, '--extra', '2', '--seed', '3', '--mapping', mapping, '--json']);
  assert.is(blm.code, 0, blm.err);
  const fromBlm = JSON.parse(blm.out) as { crossbars: number; results: Array<{ strategy: string; cycles: number }> };
  const cyclesOf = (name: string) => fromBlm.results.find((r) => r.strategy === name)!.cycles;
  assert.ok(cyclesOf('diff') < cyclesOf('full'));

  const sw = await runCli(['switch', '--model-a', a, '--data-a', 'mnist', '--model-b', b, '--data-b', 'mnist', '--rounds', '1',
    '--strategy', 'diff', '--pool', String(fromBlm.crossbars), '--seed', '3', '--eval-samples', '10', '--calib', '8',
    '--mapping', mapping, '--out', join(root, `switch-${mapping}`), '--json']);
  assert.is(sw.code, 0, sw.err);
  const results = JSON.parse(sw.out) as { scenario: { poolCrossbars: number }; strategies: Record<string, { switches: Array<{ from: string | null; to: string; cycles: number }> }> };
  assert.is(results.scenario.poolCrossbars, fromBlm.crossbars);
  const ab = results.strategies.diff!.switches[1]!;
  assert.equal([ab.from, ab.to], ['A', 'B']);
  assert.ok(ab.cycles > 0);
  assert.is(ab.cycles, cyclesOf('diff'), `switch ${ab.cycles} vs blm ${cyclesOf('diff')}`);
});
}

test.run();

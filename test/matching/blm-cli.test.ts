// `ha3m blm --candidates`: exact ('all'), pruned (k) and 'auto' pricing from the command line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli.js';
import { fileSaveHandler } from '../../src/mapping/load-node.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-blm-cli-'));

async function mlp(seed: number, dir: string): Promise<void> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 40, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  await m.save(fileSaveHandler(dir));
  m.dispose();
}

test.before(async () => {
  await tf.setBackend('cpu');
  await mlp(1, join(root, 'a'));
  await mlp(5, join(root, 'b'));
});
test.after(() => rmSync(root, { recursive: true, force: true }));

type Out = { results: Array<{ strategy: string; cycles: number; expectedCycles?: number; inPlaceExpectedCycles?: number }> };
const run = async (candidates: string) => {
  const r = await runCli(['blm', '--model-a', join(root, 'a'), '--model-b', join(root, 'b'), '--extra', '2', '--seed', '3', '--candidates', candidates, '--json']);
  assert.is(r.code, 0, r.err);
  return JSON.parse(r.out) as Out;
};

test('--candidates: all prices every pair, k prices k per block; both never above in place, auto equals all on a small pair', async () => {
  const exact = await run('all'), pruned = await run('2'), auto = await run('auto');
  for (const name of ['blm layer', 'blm global']) {
    const e = exact.results.find((r) => r.strategy === name)!, p = pruned.results.find((r) => r.strategy === name)!;
    const a = auto.results.find((r) => r.strategy === name)!;
    assert.ok(p.expectedCycles! <= p.inPlaceExpectedCycles!, name);
    assert.is(a.expectedCycles, e.expectedCycles, `${name}: auto is exact on a small pair`);
    assert.is(a.cycles, e.cycles);
  }
  assert.ok(exact.results.find((r) => r.strategy === 'blm global')!.expectedCycles! <= pruned.results.find((r) => r.strategy === 'blm global')!.expectedCycles!,
    'exact global matching is optimal');
  const bad = await runCli(['blm', '--model-a', join(root, 'a'), '--model-b', join(root, 'b'), '--candidates', 'many']);
  assert.ok(bad.code !== 0);
  assert.match(bad.err, /--candidates must be all, auto or an integer ≥ 1, got 'many'/);
});

test.run();

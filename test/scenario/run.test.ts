import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { tinyModel } from '../helpers/scenario.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { runScenario, type ScenarioSpec } from '../../src/scenario/index.js';

initSync();
test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });


test('full ≥ diff in cycles; per-switch records, heatmaps and accuracies are filled in', async () => {
  const cfg = resolveHardware({ crossbar: { rows: 16, cols: 32 } });
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B');
  const spec: ScenarioSpec = { name: 'tiny', config: cfg, models: [A, B], sequence: ['A', 'B', 'A'], mapping: 'baseline', strategies: ['full', 'diff'], seed: 3, evalSamples: 30 };
  const res = runScenario(spec, { createdAt: '2026-01-01T00:00:00Z' });
  const full = res.strategies.full!, diff = res.strategies.diff!;
  assert.is(full.switches.length, 3);
  assert.ok(full.cyclesPerSwitch >= diff.cyclesPerSwitch, `${full.cyclesPerSwitch} vs ${diff.cyclesPerSwitch}`);
  assert.ok(diff.cyclesPerSwitch > 0);
  for (const s of [...full.switches, ...diff.switches]) {
    assert.ok(s.heatmap.values.length === s.crossbarsUsed);
    assert.ok(s.perLayer.length === 2);
    assert.ok(s.accuracy[s.to]!.ideal !== null && s.accuracy[s.to]!.analog !== null);
    assert.is(s.accuracy[s.to]!.ideal, s.accuracy[s.to]!.quantized);
  }
  // switching back to A in place: the cycles are those of turning B's cells back into A's
  assert.ok(res.scenario.poolCrossbars >= res.scenario.models[0]!.crossbars);
  // same seed, same results
  const again = runScenario(spec, { createdAt: '2026-01-01T00:00:00Z' });
  assert.equal(JSON.parse(JSON.stringify(again)), JSON.parse(JSON.stringify(res)));
  arena.reset();
});

test('pareto entries each run the ha3m strategy and give one point per share, sorted', async () => {
  const cfg = resolveHardware({ crossbar: { rows: 16, cols: 32 } });
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B');
  const merged = (share: number) => ({ models: [A, B], tiedFraction: share, share });
  const res = runScenario({
    name: 'p', config: cfg, models: [A, B], sequence: ['A', 'B', 'A'], mapping: 'baseline', strategies: ['diff', 'ha3m'],
    seed: 3, evalSamples: 20, merged: merged(0.9), pareto: [merged(0.75), merged(0.5)],
  });
  assert.equal(res.pareto.map((p) => p.share), [0.5, 0.75, 0.9]); // the main merged pair is a point too
  assert.is(res.pareto[2]!.cyclesPerSwitch, res.strategies.ha3m!.cyclesPerSwitch);
  for (const p of res.pareto) {
    assert.ok(p.cyclesPerSwitch >= 0 && p.accuracy.A!.ideal !== null);
  }
  arena.reset();
});

test('bad scenarios: unknown model in the sequence, ha3m without merged models', async () => {
  const cfg = resolveHardware({ crossbar: { rows: 16, cols: 32 } });
  const A = await tinyModel(1, 'A');
  const base: ScenarioSpec = { name: 'bad', config: cfg, models: [A], sequence: ['A', 'C'], mapping: 'baseline', strategies: ['diff'], seed: 1 };
  assert.throws(() => runScenario(base), /sequence\[1\] is "C", which is not a model/);
  assert.throws(() => runScenario({ ...base, sequence: ['A', 'A'], strategies: ['ha3m'] }), /needs merged/);
  assert.throws(() => runScenario({ ...base, sequence: ['A', 'A'], poolCrossbars: 1 }), /needs \d+ crossbars but the pool has 1/);
});

test.run();

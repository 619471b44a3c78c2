import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { tinyModel } from '../helpers/scenario.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { programPool } from '../../src/programming/program.js';
import { estimateProgramming } from '../../src/scenario/estimate.js';
import { runScenario, type ScenarioSpec } from '../../src/scenario/index.js';

initSync();
test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

function randomLevels(n: number, seed: number, L: number): Uint8Array {
  const r = new RefRng(seed, 5);
  return Uint8Array.from({ length: n }, () => r.nextU32() % L);
}

test('estimate of a random reprogramming is within 3 % of simulation in cycles, energy and latency (cell and row); pool levels follow the targets', () => {
  const cfg = resolveHardware({ crossbar: { rows: 64, cols: 64 } });
  const sim = new CrossbarPool(cfg, { numCrossbars: 8, seed: 4 });
  const est = new CrossbarPool(cfg, { numCrossbars: 8, seed: 4 });
  const first = randomLevels(sim.numCells, 1, 4), second = randomLevels(sim.numCells, 2, 4);
  programPool(sim, first);
  estimateProgramming(est, first);
  const s = programPool(sim, second).report;
  const e = estimateProgramming(est, second);
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  assert.ok(rel(e.totals.cycles, s.totals.cycles) < 0.03, `cycles ${e.totals.cycles} vs ${s.totals.cycles}`);
  assert.ok(rel(e.totals.energyJ, s.totals.energyJ) < 0.03, `energy ${e.totals.energyJ} vs ${s.totals.energyJ}`);
  assert.ok(rel(e.latencyCellS, s.latencyCellS) < 0.03, `cell latency ${e.latencyCellS} vs ${s.latencyCellS}`);
  assert.ok(rel(e.latencyRowS, s.latencyRowS) < 0.03, `row latency ${e.latencyRowS} vs ${s.latencyRowS}`);
  assert.ok(e.latencyRowS <= e.latencyCellS);
  // stuck cells fail in both
  assert.ok(Math.abs(e.totals.failures - s.totals.failures) <= Math.max(3, 0.2 * s.totals.failures), `failures ${e.totals.failures} vs ${s.totals.failures}`);
  assert.equal(Array.from(est.levels().view), Array.from(second));
  // reprogramming to the same targets costs nothing
  const again = estimateProgramming(est, second);
  const stuck = est.faultCounts();
  assert.ok(again.totals.cycles <= (stuck.stuckHrs + stuck.stuckLrs) * cfg.programming.maxPulses);
  arena.reset();
});

test('failures leave cells unverified: the next operation re-prices them (FPPV with a tight pulse budget fails ~20 % of cells)', () => {
  const cfg = resolveHardware({ crossbar: { rows: 64, cols: 64 }, programming: { scheme: 'fppv', maxPulses: 60, readsPerVerify: 1 } });
  const sim = new CrossbarPool(cfg, { numCrossbars: 8, seed: 4 });
  const est = new CrossbarPool(cfg, { numCrossbars: 8, seed: 4 });
  const first = randomLevels(sim.numCells, 1, 4), other = randomLevels(sim.numCells, 2, 4);
  const second = first.map((t, i) => (i % 2 ? other[i]! : t)); // half the cells keep their target
  const s1 = programPool(sim, first).report, e1 = estimateProgramming(est, first);
  assert.ok(s1.totals.failures > 0.1 * sim.numCells, `the set-up should fail many cells (${s1.totals.failures})`);
  assert.ok(Math.abs(e1.totals.failures - s1.totals.failures) < 0.05 * s1.totals.failures, `failures ${e1.totals.failures} vs ${s1.totals.failures}`);
  const unverified = est.status().view.reduce((a, x) => a + x, 0);
  assert.ok(Math.abs(unverified - s1.totals.failures) < 0.05 * s1.totals.failures, `estimate left ${unverified} cells unverified`);
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  // switching back and forth: each operation finds the cells the one before left failed
  for (const [name, t] of [['to the second', second], ['back to the first', first], ['to the second again', second]] as const) {
    const s = programPool(sim, t).report, e = estimateProgramming(est, t);
    assert.ok(rel(e.totals.cycles, s.totals.cycles) < 0.03, `${name}: cycles ${e.totals.cycles} vs ${s.totals.cycles}`);
    assert.ok(rel(e.totals.energyJ, s.totals.energyJ) < 0.03, `${name}: energy ${e.totals.energyJ} vs ${s.totals.energyJ}`);
    assert.ok(rel(e.latencyRowS, s.latencyRowS) < 0.05, `${name}: row latency ${e.latencyRowS} vs ${s.latencyRowS}`);
  }
  arena.reset();
});

test('row latency stays finite whatever maxPulses (stuck cells with fractional mean counts)', () => {
  for (const maxPulses of [60, 100, 800]) {
    const cfg = resolveHardware({ programming: { maxPulses }, device: { faults: { stuckHrsRate: 0.01, stuckLrsRate: 0.01 } } });
    const pool = new CrossbarPool(cfg, { numCrossbars: 2, seed: 4 });
    const e = estimateProgramming(pool, randomLevels(pool.numCells, 3, 4));
    assert.ok(Number.isFinite(e.latencyRowS) && e.latencyRowS > 0 && e.latencyRowS <= e.latencyCellS, `maxPulses ${maxPulses}: ${e.latencyRowS}`);
  }
  arena.reset();
});

test('estimateProgramming rejects targets of the wrong size or level', () => {
  const cfg = resolveHardware({ crossbar: { rows: 8, cols: 8 } });
  const pool = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  assert.throws(() => estimateProgramming(pool, new Uint8Array(3)), /targets has 3 entries but the pool has 64 cells/);
  assert.throws(() => estimateProgramming(pool, new Uint8Array(64).fill(9)), /outside \[0, 4\)/);
  arena.reset();
});


test('runScenario with estimate: costs close to the simulated ones, ideal accuracy measured, analog not', async () => {
  const cfg = resolveHardware({ crossbar: { rows: 16, cols: 32 } });
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B');
  const spec: ScenarioSpec = { name: 'tiny', config: cfg, models: [A, B], sequence: ['A', 'B', 'A'], mapping: 'baseline', strategies: ['full', 'diff', 'blm'], seed: 3, evalSamples: 30 };
  const simulated = runScenario(spec);
  const estimated = runScenario(spec, { estimate: true });
  for (const s of ['full', 'diff', 'blm'] as const) {
    const a = estimated.strategies[s]!, b = simulated.strategies[s]!;
    assert.ok(Math.abs(a.cyclesPerSwitch - b.cyclesPerSwitch) / b.cyclesPerSwitch < 0.15, `${s}: ${a.cyclesPerSwitch} vs ${b.cyclesPerSwitch}`);
    for (const sw of a.switches) {
      assert.is(sw.accuracy[sw.to]!.analog, null);
      assert.is(sw.accuracy[sw.to]!.ideal, sw.accuracy[sw.to]!.quantized);
    }
  }
  assert.ok(estimated.notes.some((n) => /estimates from the expected-cost table/.test(n)));
  arena.reset();
});

test.run();

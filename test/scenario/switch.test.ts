import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { programsOnlyUnverified } from '../helpers/programming.js';
import * as tf from '@tensorflow/tfjs';
import { initSync } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { mapModel } from '../../src/mapping/map.js';
import { quantizeModel, programModel, CrossbarEngine, placementTargets, type QuantizedModel } from '../../src/inference/index.js';
import { NO_TARGET, emptyTotals } from '../../src/programming/index.js';
import { blmPlacement } from '../../src/matching/index.js';
import { switchModel, addTotals } from '../../src/scenario/index.js';

initSync();

test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const rand = (n: number, seed: number) => { const r = new RefRng(seed, 0); return Float32Array.from({ length: n }, () => r.uniform()); };
const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function convModel(seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 12, kernelSize: 2, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7, kernelInitializer: init(seed + 2) }));
  return m;
}

const cfg = resolveHardware({
  crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } },
} as DeepPartial<HardwareConfig>);

async function quantize(seed: number): Promise<QuantizedModel> {
  const model = await importLayersModel(convModel(seed));
  return quantizeModel(model, cfg, rand(16 * 200, 7), 16);
}

function residentPool(qmA: QuantizedModel, extra: number) {
  const pA = mapModel(qmA.model, cfg);
  const pool = new CrossbarPool(cfg, { numCrossbars: pA.crossbars + extra, seed: 5 });
  programModel(qmA, pA, pool);
  return { pool, pA };
}

function computes(qm: QuantizedModel, s: { placement: Parameters<typeof programModel>[1] }, pool: CrossbarPool): boolean {
  const e = new CrossbarEngine(qm, s.placement, pool);
  const x = rand(3 * 200, 9);
  const q = e.run(x, 3, 'quantized'), i = e.run(x, 3, 'ideal');
  return q.every((v, k) => v === i[k]);
}


test('switch A → B → A under full, diff and BLM: B then A computed exactly; costs ordered full ≥ diff ≥ blm', async () => {
  const A = await quantize(1), B = await quantize(2);
  const cycles: Record<string, number> = {};
  for (const [name, opts] of [
    ['full', { strategy: 'full' }], ['full-verify', { strategy: 'full', fullMode: 'verify-all' }], ['diff', { strategy: 'diff' }],
    ['blm-layer', { strategy: 'blm', blm: { mode: 'layer' } }], ['blm-global', { strategy: 'blm', blm: { mode: 'global', negate: true } }],
  ] as const) {
    const { pool, pA } = residentPool(A, 3);
    const ab = switchModel(pool, B, opts.strategy, { ...opts, resident: pA });
    assert.ok(computes(B, ab, pool), `${name}: B`);
    assert.ok(ab.totals.cycles > 0, name);
    if (name === 'full') {
      assert.ok(ab.erase && ab.erase.report.totals.cycles > 0, 'the erase is counted');
      assert.equal(ab.totals, addTotals(ab.erase!.report.totals, ab.write.report.totals));
      assert.is(ab.totals.cellsTargeted, 2 * ab.write.report.totals.cellsTargeted);
    }
    if (name.startsWith('blm')) {
      assert.ok(ab.blm && ab.matchMs > 0 && ab.blm.expectedCost <= ab.blm.inPlaceCost!, name);
      assert.is(ab.placement.scheme, 'blm');
    } else {
      assert.is(ab.placement.scheme, 'baseline');
    }
    cycles[name] = ab.totals.cycles;
    const ba = switchModel(pool, A, opts.strategy, { ...opts, resident: ab.placement });
    assert.ok(computes(A, ba, pool), `${name}: back to A`);
    // switching to the model the pool already holds, the same way, is free for the reuse strategies
    if (name !== 'full' && name !== 'full-verify') {
      if (name.startsWith('blm')) {
        const again = blmPlacement(A, pool, { ...(opts as unknown as { blm: object }).blm, resident: ba.placement });
        assert.is(again.expectedCost, 0, name);
        programsOnlyUnverified(A, again.placement, pool, name);
      } else {
        programsOnlyUnverified(A, ba.placement, pool, name);
      }
    }
  }
  assert.ok(cycles.full! > cycles.diff!, `full ${cycles.full} > diff ${cycles.diff}`);
  // (verify-all is not compared with diff: its extra verify reads change the random draws)
  console.log(cycles); assert.ok(cycles["blm-global"]! < cycles.diff!, `blm ${cycles["blm-global"]} < diff ${cycles.diff}`);
  assert.ok(cycles['blm-layer']! <= cycles.diff!, `blm layer ${cycles['blm-layer']} ≤ diff ${cycles.diff}`);
});

test('after a BLM switch, cells of A outside B\'s placement keep their levels (free slots for the next switch)', async () => {
  const A = await quantize(3), B = await quantize(4);
  const { pool } = residentPool(A, 4);
  const before = pool.levels().view.slice();
  const ab = switchModel(pool, B, 'blm');
  const { targets } = placementTargets(B, ab.placement, pool);
  const after = pool.levels().view;
  let kept = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === NO_TARGET) { assert.is(after[i], before[i]); kept++; } else assert.is(after[i], targets[i]);
  }
  assert.ok(kept > 0);
});

test('switch: bad strategy, pool too small', async () => {
  const A = await quantize(5);
  const { pool } = residentPool(A, 0);
  assert.throws(() => switchModel(pool, A, 'magic' as never), /strategy must be one of full, diff, blm/);
  assert.throws(() => switchModel(pool, A, 'full', { fullMode: 'nope' as never }), /fullMode must be/);
  const tiny = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  assert.throws(() => switchModel(tiny, A, 'diff'), /needs \d+ crossbars but the pool has 1/);
  assert.throws(() => switchModel(tiny, A, 'blm'), /bigger pool/);
});

test('one way of adding up: a switch\'s totals are its operations\' (simulated or estimated); touched = the cells that took pulses', async () => {
  const A = await quantize(6), B = await quantize(7);
  for (const engine of ['simulate', 'estimate'] as const) {
    const { pool } = residentPool(A, 2);
    const s = switchModel(pool, B, 'full', { engine, program: { perCell: true } });
    assert.is(s.operations.length, 2, engine);
    assert.equal(s.totals, addTotals(addTotals(emptyTotals(), s.operations[0]!.totals), s.operations[1]!.totals));
    assert.is(s.latency.s, s.operations[0]!.latencyS + s.operations[1]!.latencyS);
    assert.ok(s.totals.cycles > 0 && s.totals.cellsTargeted === 2 * s.operations[1]!.totals.cellsTargeted, engine);
    if (engine === 'simulate') {
      const pulsed = (r: typeof s.erase) => r!.perCell!.setPulses.map((v, i) => v + r!.perCell!.resetPulses[i]!);
      const e = pulsed(s.erase), w = pulsed(s.write);
      for (let i = 0; i < pool.numCells; i++) assert.is(s.touched[i], e[i]! + w[i]! > 0 ? 1 : 0);
    } else {
      assert.is(s.write, undefined);
      assert.ok(s.touched.some((v) => v === 1));
      assert.throws(() => switchModel(pool, B, 'full', { engine, fullMode: 'verify-all' }), /verify-all' needs the simulation engine/);
    }
  }
});

test.run();

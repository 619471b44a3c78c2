// Fault-aware BLM: stuck cells priced as the write-verify treats them steer blocks onto slots whose stuck cells
// already hold what the block needs — fewer failed cells, fewer wasted pulses, and an expected cost that predicts
// the simulated one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { mapModel } from '../../src/mapping/map.js';
import { quantizeModel, programModel } from '../../src/inference/index.js';
import { blmPlacement } from '../../src/matching/index.js';

initSync();
test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

async function dense(seed: number, cfg: ReturnType<typeof resolveHardware>) {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [64], units: 48, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  const model = await importLayersModel(m);
  const r = new RefRng(seed, 3);
  return { model, qm: quantizeModel(model, cfg, Float32Array.from({ length: 16 * 64 }, () => r.uniform()), 16) };
}

test('with stuck cells, fault-aware BLM fails fewer cells and spends fewer cycles than fault-blind BLM', async () => {
  // 2 % stuck cells each way (a worn array), 16-row blocks so BLM has many slots to choose from
  const cfg = resolveHardware({ crossbar: { rows: 64, cols: 64 }, device: { faults: { stuckHrsRate: 0.02, stuckLrsRate: 0.02 } } });
  const A = await dense(1, cfg), B = await dense(5, cfg);
  const run = (faultAware: boolean) => {
    const mark = arena.mark();
    try {
      const pool = new CrossbarPool(cfg, { numCrossbars: 2 * mapModel(A.model, cfg).crossbars + 2, seed: 9 });
      programModel(A.qm, mapModel(A.model, cfg), pool);
      const r = blmPlacement(B.qm, pool, { blockRows: 16, faultAware });
      const rep = programModel(B.qm, r.placement, pool).report;
      return { predicted: r.expectedCost, cycles: rep.totals.cycles, failures: rep.totals.failures };
    } finally { arena.release(mark); }
  };
  const blind = run(false), aware = run(true);
  assert.ok(aware.failures < blind.failures, `failures: aware ${aware.failures} vs blind ${blind.failures}`);
  assert.ok(aware.cycles < blind.cycles, `cycles: aware ${aware.cycles} vs blind ${blind.cycles}`);
  // the fault-aware expected cost predicts the simulation; the blind one misses every stuck cell's pulses
  assert.ok(Math.abs(aware.predicted - aware.cycles) / aware.cycles < 0.05, `aware predicted ${aware.predicted} vs ${aware.cycles}`);
  assert.ok(blind.predicted < 0.9 * blind.cycles, `blind predicted ${blind.predicted} vs ${blind.cycles}`);
});

test('without stuck cells fault awareness changes nothing', async () => {
  const cfg = resolveHardware({ crossbar: { rows: 64, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } });
  const A = await dense(1, cfg), B = await dense(5, cfg);
  const pool = new CrossbarPool(cfg, { numCrossbars: 2 * mapModel(A.model, cfg).crossbars, seed: 9 });
  programModel(A.qm, mapModel(A.model, cfg), pool);
  const a = blmPlacement(B.qm, pool, { blockRows: 16, faultAware: true }), b = blmPlacement(B.qm, pool, { blockRows: 16, faultAware: false });
  assert.equal(a.placement.blocks, b.placement.blocks);
  assert.is(a.expectedCost, b.expectedCost);
  arena.reset();
});

test.run();

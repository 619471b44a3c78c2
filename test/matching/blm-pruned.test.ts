// Pruned BLM (option `candidates`): sketch-priced candidates, exact prices for the kept ones, a sparse assignment.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { mapModel } from '../../src/mapping/map.js';
import { quantizeModel, programModel, CrossbarEngine, placementTargets, type QuantizedModel } from '../../src/inference/index.js';
import { NO_TARGET } from '../../src/programming/index.js';
import { blmPlacement, routingConflicts, AUTO_CANDIDATES } from '../../src/matching/index.js';

initSync();
test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const init = (seed: number) => tf.initializers.glorotUniform({ seed });
const TABLE = [0, 8.1865234375, 15.91748046875, 54.083984375, 34.85595703125, 0, 12.37109375, 53.12646484375,
  36.27294921875, 7.841796875, 0, 51.04541015625, 35.89892578125, 9.88818359375, 7.9404296875, 0];

function dense(seed: number, inputs = 40, hidden = 30): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [inputs], units: hidden, activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: init(seed + 2) }));
  return m;
}

async function quantize(m: tf.LayersModel, cfg: HardwareConfig): Promise<{ qm: QuantizedModel; inSize: number }> {
  const model = await importLayersModel(m);
  const inSize = model.inputShape.reduce((a, b) => a * b, 1);
  const r = new RefRng(7, 0);
  return { qm: quantizeModel(model, cfg, Float32Array.from({ length: 8 * inSize }, () => r.uniform()), 8), inSize };
}

const config = (o: DeepPartial<HardwareConfig> = {}) => resolveHardware({
  crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } }, ...o,
} as DeepPartial<HardwareConfig>);

function residentPool(qmA: QuantizedModel, extra: number, seed = 3) {
  const placementA = mapModel(qmA.model, qmA.config);
  const pool = new CrossbarPool(qmA.config, { numCrossbars: placementA.crossbars + extra, seed });
  programModel(qmA, placementA, pool);
  return { pool, placementA };
}

/** Σ table[present][target] over the cells the placement targets (the definition of the expected cost). */
function direct(qm: QuantizedModel, placement: ReturnType<typeof mapModel>, pool: CrossbarPool): number {
  const { targets, regions } = placementTargets(qm, placement, pool);
  const lv = pool.levels().view;
  let s = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET && regions[i]! < qm.layers.length) s += TABLE[lv[i]! * 4 + targets[i]!]!;
  return s;
}

test('with every slot a candidate the pruned matcher reaches the exact optimum (global; ± negation, ± stuck cells)', async () => {
  for (const faults of [0, 0.02]) {
    const cfg = config({ device: { faults: { stuckHrsRate: faults, stuckLrsRate: faults } } });
    const A = await quantize(dense(11, 60, 40), cfg), B = await quantize(dense(21, 60, 40), cfg);
    const mark = arena.mark();
    try {
      const { pool, placementA } = residentPool(A.qm, 3);
      for (const negate of [false, true]) {
        const o = { mode: 'global', negate, table: TABLE, resident: placementA, fallbackInPlace: false } as const;
        const exact = blmPlacement(B.qm, pool, { ...o, candidates: 'all' });
        const pruned = blmPlacement(B.qm, pool, { ...o, candidates: exact.slots });
        assert.is(exact.candidates, null);
        assert.is(pruned.candidates, exact.slots);
        assert.ok(Math.abs(pruned.expectedCost - exact.expectedCost) <= 1e-9 * exact.expectedCost, `faults ${faults} negate ${negate}: ${pruned.expectedCost} vs ${exact.expectedCost}`);
        assert.is(pruned.inPlaceCost, exact.inPlaceCost, 'the in-place price is the exact one');
      }
    } finally { arena.release(mark); }
  }
});

test('pruned placements are valid, priced exactly and never dearer than in place; a copy of the resident model costs 0', async () => {
  const cfg = config();
  const A = await quantize(dense(31), cfg), B = await quantize(dense(41), cfg);
  const x = Float32Array.from({ length: 3 * B.inSize }, (_, i) => (i % 7) / 7);
  for (const mode of ['global', 'layer'] as const) {
    for (const negate of [false, true]) {
      const mark = arena.mark();
      try {
        const { pool, placementA } = residentPool(A.qm, 2);
        const r = blmPlacement(B.qm, pool, { mode, negate, table: TABLE, resident: placementA, candidates: 2 });
        const what = `${mode} negate ${negate}`;
        assert.is(r.candidates, 2, what);
        assert.ok(r.pricedPairs < r.blocks * r.slots, `${what}: only candidates priced (${r.pricedPairs})`);
        assert.is(routingConflicts(r.placement.blocks).length, 0);
        assert.ok(r.expectedCost <= r.inPlaceCost!, what);
        if (!negate) assert.ok(Math.abs(direct(B.qm, r.placement, pool) - r.expectedCost) <= 1e-6 * r.expectedCost, what);
        if (mode === 'layer') assert.ok(r.layerPairs || r.notes.some((n) => /layer mode/.test(n)), what);
        programModel(B.qm, r.placement, pool);
        const e = new CrossbarEngine(B.qm, r.placement, pool);
        assert.equal(Array.from(e.run(x, 3, 'ideal')), Array.from(e.run(x, 3, 'quantized')), what);
        // the pool now holds B: matching B again finds it at zero cost in place
        const again = blmPlacement(B.qm, pool, { mode, negate, table: TABLE, resident: r.placement, candidates: 1 });
        assert.is(again.expectedCost, 0, `${what}: copy`);
      } finally { arena.release(mark); }
    }
  }
});

test('candidates: auto stays exact on small problems; bad values and unsupported block sizes are refused with the fix', async () => {
  const cfg = config();
  const A = await quantize(dense(51), cfg), B = await quantize(dense(61), cfg);
  const { pool } = residentPool(A.qm, 1);
  assert.is(blmPlacement(B.qm, pool, { table: TABLE }).candidates, null);
  assert.ok(AUTO_CANDIDATES >= 1);
  assert.throws(() => blmPlacement(B.qm, pool, { table: TABLE, candidates: 0 }), /candidates must be a positive integer, 'all' or 'auto', got 0/);
  assert.throws(() => blmPlacement(B.qm, pool, { table: TABLE, candidates: 'some' as never }), /candidates must be/);
  assert.throws(() => blmPlacement(B.qm, pool, { table: TABLE, candidates: 4, blockRows: 8 }), /needs whole-tile blocks or serial routing.*candidates: 'all'/);
  const serial = blmPlacement(B.qm, pool, { table: TABLE, candidates: 4, blockRows: 8, routing: 'serial' });
  assert.is(serial.candidates, 4);
  assert.is(blmPlacement(B.qm, pool, { table: TABLE, candidates: 'auto', blockRows: 8 }).candidates, null, 'auto: exact where pruning is unsupported');
});

test.run();

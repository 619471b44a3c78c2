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
import { PlacementError } from '../../src/mapping/placement.js';
import type { ImportedModel } from '../../src/mapping/types.js';
import { quantizeModel, programModel, CrossbarEngine, placementTargets, type QuantizedModel } from '../../src/inference/index.js';
import { expectedCostTable, NO_TARGET } from '../../src/programming/index.js';
import { blmPlacement, blockGrid, checkRouting, modelBlocks, placeBlocks, poolSlots, routingConflicts } from '../../src/matching/index.js';
import { makePlacement } from '../../src/mapping/placement.js';

initSync();

test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

function randomData(n: number, size: number, seed: number): Float32Array {
  const r = new RefRng(seed, 0);
  return Float32Array.from({ length: n * size }, () => r.uniform());
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function denseModel(seed: number, negate = false): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [40], units: 30, activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: init(seed + 2), biasInitializer: 'ones' }));
  if (negate) for (const l of m.layers) { const [k, b] = l.getWeights(); l.setWeights([tf.neg(k!), b!]); }
  return m;
}

function convModel(seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 12, kernelSize: 2, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7, kernelInitializer: init(seed + 2) }));
  return m;
}

const SIGNS: Array<[string, DeepPartial<HardwareConfig>]> = [['differential', {}], ['offset', { cells: { sign: 'offset' } }]];

async function quantize(m: tf.LayersModel, cfg: HardwareConfig): Promise<{ model: ImportedModel; qm: QuantizedModel; inSize: number }> {
  const model = await importLayersModel(m);
  const inSize = model.inputShape.reduce((a, b) => a * b, 1);
  return { model, qm: quantizeModel(model, cfg, randomData(16, inSize, 7), 16), inSize };
}

// the default device without stuck cells (so that a verified cell is never reprogrammed); 32 × 64 crossbars hold
// tiles of 32 × 8 weights
const config = (o: DeepPartial<HardwareConfig>) => resolveHardware({
  ...o, crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } },
} as DeepPartial<HardwareConfig>);

/** A pool holding model A (baseline mapping), with `extra` free crossbars. */
function residentPool(qmA: QuantizedModel, extra: number, seed = 3) {
  const placementA = mapModel(qmA.model, qmA.config);
  const pool = new CrossbarPool(qmA.config, { numCrossbars: placementA.crossbars + extra, seed });
  programModel(qmA, placementA, pool);
  return { pool, placementA };
}

/** Σ over the cells a placement targets of table[present level][target level] (tile area only). */
function directCost(qm: QuantizedModel, placement: ReturnType<typeof mapModel>, pool: CrossbarPool, table: ArrayLike<number>, L: number, mode: 'expected' | 'mismatch'): number {
  const { targets, regions } = placementTargets(qm, placement, pool);
  const lv = pool.levels().view;
  let s = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (t === NO_TARGET || regions[i]! >= qm.layers.length) continue; // skip the offset scheme's reference column
    s += mode === 'expected' ? table[lv[i]! * L + t]! : (lv[i] !== t ? 1 : 0);
  }
  return s;
}


test('BLM placement + routing: ideal on-crossbar outputs are bit-identical to the quantized model (dense and conv, both modes, ± negation, small blocks, both sign schemes)', async () => {
  const cases: Array<[string, (s: number) => tf.LayersModel]> = [['dense', (s) => denseModel(s)], ['conv', convModel]];
  let negatedSeen = 0, movedSeen = 0, smallMatched = 0;
  for (const [name, make] of cases) {
    for (const [sign, o] of SIGNS) {
      const cfg = config(o);
      const A = await quantize(make(11), cfg), B = await quantize(make(21), cfg);
      const x = randomData(4, B.inSize, 9);
      for (const mode of ['global', 'layer'] as const) {
        for (const negate of [false, true]) {
          for (const bs of [{}, { blockRows: 16, blockCols: sign === 'offset' ? 5 : 4 }]) { // offset: tiles of 32 × 15
            const { pool, placementA } = residentPool(A.qm, 2);
            const r = blmPlacement(B.qm, pool, { mode, negate, resident: placementA, ...bs });
            const what = `${name} ${sign} ${mode} negate=${negate} ${JSON.stringify(bs)}`;
            assert.is(r.placement.scheme, 'blm', what);
            assert.ok(r.inPlaceCost !== null && r.expectedCost <= r.inPlaceCost + 1e-9, `${what}: ${r.expectedCost} > ${r.inPlaceCost}`);
            assert.is(routingConflicts(r.placement.blocks).length, 0, what);
            if ('blockRows' in bs && !r.usedInPlace && !r.usedTiles) smallMatched++;
            negatedSeen += r.negatedBlocks;
            if (r.placement.blocks.some((b) => b.crossbar !== Math.floor(b.srcRow / 32) || b.negated)) movedSeen++;
            programModel(B.qm, r.placement, pool);
            const e = new CrossbarEngine(B.qm, r.placement, pool);
            const q = e.run(x, 4, 'quantized');
            assert.equal(Array.from(e.run(x, 4, 'ideal')), Array.from(q), what);
            // and A, switched back the same way, still computes A
            const back = blmPlacement(A.qm, pool, { mode, negate, resident: r.placement, ...bs });
            programModel(A.qm, back.placement, pool);
            const ea = new CrossbarEngine(A.qm, back.placement, pool);
            const xa = randomData(3, A.inSize, 10);
            assert.equal(Array.from(ea.run(xa, 3, 'ideal')), Array.from(ea.run(xa, 3, 'quantized')), `${what} (back to A)`);
          }
        }
      }
    }
  }
  assert.ok(negatedSeen > 0, 'some block was stored negated');
  assert.ok(movedSeen > 0, 'some placement differs from the baseline');
  assert.ok(smallMatched > 0, 'small blocks were matched (not only the in-place fallback)');
});

test('strict routing on a full pool: stuck repairs pin tiles in place, the rest is still matched, outputs bit-identical', async () => {
  const cfg = config({});
  const A = await quantize(denseModel(11), cfg), B = await quantize(denseModel(21), cfg);
  const { pool } = residentPool(A.qm, 0); // no free crossbar: small blocks of a layer run out of compatible slots
  // 'mismatch' cost: independent of the device calibration, so this case stays a pinning case
  const r = blmPlacement(B.qm, pool, { blockRows: 8, blockCols: 2, cost: 'mismatch', fallbackInPlace: false, tileGuard: false });
  assert.ok(r.pinnedTiles.length > 0 && r.repairs > 0, 'this case needs pinning');
  assert.ok(!r.usedInPlace && !r.usedTiles);
  assert.is(routingConflicts(r.placement.blocks).length, 0);
  // with the tile guard the result is never dearer than the whole-tile match
  const guarded = blmPlacement(B.qm, pool, { blockRows: 8, blockCols: 2, cost: 'mismatch', fallbackInPlace: false });
  const whole = blmPlacement(B.qm, pool, { cost: 'mismatch', fallbackInPlace: false });
  assert.ok(guarded.expectedCost <= Math.min(r.expectedCost, whole.expectedCost));
  assert.is(routingConflicts(guarded.placement.blocks).length, 0);
  const inc = modelBlocks(B.qm, r.grid);
  r.placement.blocks.forEach((b, i) => {
    const blk = inc.blocks[i]!;
    if (r.pinnedTiles.includes(blk.tile)) assert.equal([b.crossbar, b.rowOffset, b.colOffset], [blk.inPlace.crossbar, blk.inPlace.rowOffset, blk.inPlace.colOffset]);
  });
  assert.ok(r.placement.blocks.some((b, i) => b.crossbar !== inc.blocks[i]!.inPlace.crossbar), 'unpinned blocks moved');
  programModel(B.qm, r.placement, pool);
  const e = new CrossbarEngine(B.qm, r.placement, pool);
  const x = randomData(4, B.inSize, 14);
  assert.equal(Array.from(e.run(x, 4, 'ideal')), Array.from(e.run(x, 4, 'quantized')));
});

test('serial routing: any placement, extra MVM steps counted, outputs still bit-identical', async () => {
  const cfg = config({});
  const A = await quantize(denseModel(111), cfg), B = await quantize(denseModel(121), cfg);
  const { pool } = residentPool(A.qm, 2);
  const o = { blockRows: 8, blockCols: 2, cost: 'mismatch', fallbackInPlace: false } as const; // device-independent case
  const strict = blmPlacement(B.qm, pool, o);
  const r = blmPlacement(B.qm, pool, { ...o, routing: 'serial' });
  assert.ok(r.expectedCost <= strict.expectedCost + 1e-9, 'dropping the rule can only lower the cost');
  assert.is(strict.serialSteps, 0);
  assert.ok(routingConflicts(r.placement.blocks).length > 0 && r.serialSteps > 0, 'this case needs serial steps');
  assert.ok(strict.repairs > 0, 'this case needed routing repairs');
  programModel(B.qm, r.placement, pool);
  const e = new CrossbarEngine(B.qm, r.placement, pool);
  const x = randomData(4, B.inSize, 13);
  assert.equal(Array.from(e.run(x, 4, 'ideal')), Array.from(e.run(x, 4, 'quantized')));
  assert.throws(() => blmPlacement(B.qm, pool, { routing: 'loose' as never }), /routing must be 'strict' or 'serial'/);
});

test('a model that is exactly −A is found at zero cost when negation is allowed, and computes −A\'s function', async () => {
  const cfg = config({});
  const A = await quantize(denseModel(31), cfg), N = await quantize(denseModel(31, true), cfg);
  const { pool, placementA } = residentPool(A.qm, 1);
  const plain = blmPlacement(N.qm, pool, { negate: false });
  assert.ok(plain.expectedCost > 0);
  const r = blmPlacement(N.qm, pool, { negate: true, blockRows: 8, blockCols: 2 });
  assert.is(r.expectedCost, 0);
  assert.is(r.negatedBlocks, r.blocks);
  programsOnlyUnverified(N.qm, r.placement, pool, '−A');
  const e = new CrossbarEngine(N.qm, r.placement, pool);
  const x = randomData(5, N.inSize, 12);
  assert.equal(Array.from(e.run(x, 5, 'ideal')), Array.from(e.run(x, 5, 'quantized')));
  void placementA;
});

test('matching a model against a pool holding an identical copy: identity placement, 0 expected cost, 0 cycles', async () => {
  for (const [sign, o] of SIGNS) {
    const cfg = config(o);
    const A = await quantize(convModel(41), cfg);
    for (const mode of ['global', 'layer'] as const) {
      for (const bs of [{}, { blockRows: 8, blockCols: sign === 'offset' ? 3 : 2 }]) {
        const { pool, placementA } = residentPool(A.qm, 3);
        const r = blmPlacement(A.qm, pool, { mode, resident: placementA, negate: true, fallbackInPlace: false, ...bs });
        const what = `${sign} ${mode} ${JSON.stringify(bs)}`;
        assert.is(r.expectedCost, 0, what);
        assert.is(r.inPlaceCost, 0, what);
        const inc = modelBlocks(A.qm, r.grid);
        r.placement.blocks.forEach((b, i) => {
          const ip = inc.blocks[i]!.inPlace;
          assert.equal([b.crossbar, b.rowOffset, b.colOffset, b.negated], [ip.crossbar, ip.rowOffset, ip.colOffset, false], `${what} block ${i}`);
        });
        programsOnlyUnverified(A.qm, r.placement, pool, what);
      }
    }
  }
});

test('expected cost equals the cell-by-cell price of the placement; BLM is never above the in-place placement; cost modes', async () => {
  const cfg = config({});
  const A = await quantize(convModel(51), cfg), B = await quantize(denseModel(61), cfg);
  const C = await quantize(convModel(71), cfg);
  const t = expectedCostTable(cfg);
  for (const inc of [B, C]) {
    for (const bs of [{}, { blockRows: 16, blockCols: 2 }]) {
      const { pool, placementA } = residentPool(A.qm, 4);
      for (const mode of ['global', 'layer'] as const) {
        const r = blmPlacement(inc.qm, pool, { mode, resident: placementA, fallbackInPlace: false, ...bs });
        const direct = directCost(inc.qm, r.placement, pool, t.mean, t.levels, 'expected');
        assert.ok(Math.abs(direct - r.expectedCost) <= 1e-4 * Math.max(1, direct), `${direct} vs ${r.expectedCost}`);
        if (mode === 'global') assert.ok(r.expectedCost <= r.inPlaceCost! + 1e-9, `global: ${r.expectedCost} > ${r.inPlaceCost}`);
        const guarded = blmPlacement(inc.qm, pool, { mode, resident: placementA, ...bs });
        assert.ok(guarded.expectedCost <= guarded.inPlaceCost! + 1e-9);
        const inPlace = mapModel(inc.qm.model, cfg);
        const directInPlace = directCost(inc.qm, inPlace, pool, t.mean, t.levels, 'expected');
        assert.ok(Math.abs(directInPlace - r.inPlaceCost!) <= 1e-4 * Math.max(1, directInPlace));
      }
      const mm = blmPlacement(inc.qm, pool, { cost: 'mismatch', ...bs });
      assert.is(mm.expectedCost, directCost(inc.qm, mm.placement, pool, t.mean, t.levels, 'mismatch'));
      assert.ok(mm.expectedCost <= mm.inPlaceCost!);
      const l1 = blmPlacement(inc.qm, pool, { cost: 'l1', ...bs });
      assert.ok(l1.expectedCost >= mm.expectedCost, 'L1 ≥ mismatched cells');
    }
  }
});

test('layer mode pairs layers with resident layers and records the pairing', async () => {
  const cfg = config({});
  const A = await quantize(convModel(81), cfg), B = await quantize(convModel(91), cfg);
  const { pool, placementA } = residentPool(A.qm, 1);
  const r = blmPlacement(B.qm, pool, { mode: 'layer', resident: placementA });
  assert.ok(r.layerPairs);
  assert.is(r.layerPairs!.length, B.qm.layers.length);
  const paired = r.layerPairs!.filter((p) => p !== null);
  assert.is(new Set(paired).size, paired.length, 'a resident layer is paired at most once');
  // without a resident placement every slot is free: layer mode = global mode
  const g = blmPlacement(B.qm, pool, { mode: 'global' });
  const l = blmPlacement(B.qm, pool, { mode: 'layer' });
  assert.is(l.expectedCost, g.expectedCost);
});

test('bad input: blocks that do not divide the tile, a slot written twice, mixed routing, a pool too small', async () => {
  const cfg = config({});
  assert.throws(() => blockGrid(cfg, { blockRows: 5 }), /blockRows = 5 does not divide the tile's tileRows = 32.*1, 2, 4, 8, 16, 32/);
  assert.throws(() => blockGrid(cfg, { blockCols: 3 }), /blockCols = 3 does not divide the tile's tileCols = 8/);
  assert.throws(() => blockGrid(cfg, { blockCols: 0 }), /positive integer/);
  const A = await quantize(denseModel(101), cfg);
  const { pool } = residentPool(A.qm, 0);
  assert.throws(() => blmPlacement(A.qm, pool, { blockRows: 12 }), /does not divide/);
  const grid = blockGrid(cfg, { blockRows: 16, blockCols: 4 });
  const inc = modelBlocks(A.qm, grid), sl = poolSlots(pool, grid);
  const assign = inc.blocks.map((_, i) => i);
  assign[1] = assign[0]!;
  assert.throws(() => placeBlocks('blm', A.qm, grid, inc.blocks, sl.slots, assign), /slot 0 \(crossbar 0 at 0,0\) would be written twice, by blocks 0 and 1/);
  assert.throws(() => placeBlocks('blm', A.qm, grid, inc.blocks, sl.slots, inc.blocks.map(() => 99999)), /assigned to slot 99999/);
  // two blocks of layer 0 in one crossbar, same columns, different output columns → rejected
  const geometry = blmPlacement(A.qm, pool).placement.geometry;
  const layers = [{ name: 'x', rows: 16, cols: 8 }];
  const bad = makePlacement('t', geometry, layers, [
    { layer: 0, srcRow: 0, rows: 8, srcCol: 0, cols: 4, crossbar: 0, rowOffset: 0, colOffset: 0, negated: false },
    { layer: 0, srcRow: 8, rows: 8, srcCol: 4, cols: 4, crossbar: 0, rowOffset: 8, colOffset: 0, negated: false },
    { layer: 0, srcRow: 0, rows: 8, srcCol: 4, cols: 4, crossbar: 1, rowOffset: 0, colOffset: 0, negated: false },
    { layer: 0, srcRow: 8, rows: 8, srcCol: 0, cols: 4, crossbar: 1, rowOffset: 0, colOffset: 4, negated: false },
  ]);
  assert.is(routingConflicts(bad.blocks).length, 2);
  assert.throws(() => checkRouting(bad), (e: unknown) => e instanceof PlacementError && /share columns of crossbar 0 but feed different outputs/.test((e as Error).message));
  // the same blocks stacked as in a tile (same output columns) are fine
  const ok = makePlacement('t', geometry, layers, [
    { layer: 0, srcRow: 0, rows: 8, srcCol: 0, cols: 4, crossbar: 0, rowOffset: 0, colOffset: 0, negated: false },
    { layer: 0, srcRow: 8, rows: 8, srcCol: 0, cols: 4, crossbar: 0, rowOffset: 8, colOffset: 0, negated: false },
    { layer: 0, srcRow: 0, rows: 8, srcCol: 4, cols: 4, crossbar: 0, rowOffset: 0, colOffset: 4, negated: false },
    { layer: 0, srcRow: 8, rows: 8, srcCol: 4, cols: 4, crossbar: 0, rowOffset: 8, colOffset: 4, negated: false },
  ]);
  checkRouting(ok);
  const small = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  assert.throws(() => blmPlacement(A.qm, small), /blocks .* but the pool has only \d+ slots.*bigger pool/);
  assert.throws(() => blmPlacement(A.qm, pool, { mode: 'nope' as never }), /mode must be 'global' or 'layer'/);
});

test.run();

// Switching A → B (and back) on one pool under full, diff and BLM (layer and global mode, ± negation, whole-tile
// and smaller blocks): programming cycles, energy, cells touched, failures, and the time BLM took.
//
//   node --import tsx bench/blm.bench.ts [--a DIR/model] [--b DIR/model] [--preset default] [--extra 8] [--seed 1]
//
// Defaults: A = /work/notes/models/lenet5-mnist-qat8/model, B = /work/notes/models/lenet5-fashion-qat8/model when
// present, else /tmp/blm-a/model and /tmp/blm-b/model (train them with `ha3m train --model lenet5 --data mnist
// --epochs 1 --limit 6000 --qat --out /tmp/blm-a`, and --data fashion --out /tmp/blm-b).
// The pool = the baseline mapping's crossbars (the larger model) + `extra` free crossbars, fresh (reset) state, A
// programmed with its baseline mapping; every scenario starts from the same pool state (same seed). Calibration
// inputs are uniform random (the programming cost does not depend on them: weights are quantized per layer from
// the weights alone).
import { existsSync } from 'node:fs';
import { initSync } from '../src/wasm/index.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { CrossbarPool } from '../src/hardware/pool.js';
import { loadModelFile } from '../src/mapping/load-node.js';
import { mapModel } from '../src/mapping/map.js';
import { sizeOf } from '../src/mapping/hostops.js';
import { quantizeModel, CrossbarEngine } from '../src/inference/index.js';
import { expectedCostTable } from '../src/programming/cost-table.js';
import { RefRng } from '../src/reference/rng.js';
import { switchModel, type StrategyName, type SwitchOptions } from '../src/scenario/index.js';
import { blmPlacement } from '../src/matching/blm.js';

initSync();

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
const pick = (a: string, b: string) => (existsSync(a) ? a : b);
const pathA = arg('a', pick('/work/notes/models/lenet5-mnist-qat8/model/model.json', '/tmp/blm-a/model/model.json'));
const pathB = arg('b', pick('/work/notes/models/lenet5-fashion-qat8/model/model.json', '/tmp/blm-b/model/model.json'));
const preset = arg('preset', 'default');
const extra = Number(arg('extra', '8'));
const seed = Number(arg('seed', '1'));

const cfg = resolveHardware({}, preset);
const [mA, mB] = [await loadModelFile(pathA), await loadModelFile(pathB)];
const calib = (inSize: number) => { const r = new RefRng(7, 0); return Float32Array.from({ length: 64 * inSize }, () => r.uniform()); };
const qmA = quantizeModel(mA, cfg, calib(sizeOf(mA.inputShape)), 64);
const qmB = quantizeModel(mB, cfg, calib(sizeOf(mB.inputShape)), 64);
const pA = mapModel(mA, cfg), pB = mapModel(mB, cfg);
const numCrossbars = Math.max(pA.crossbars, pB.crossbars) + extra;
const pool = new CrossbarPool(cfg, { numCrossbars, seed });
const t0 = performance.now();
expectedCostTable(cfg);
const tableMs = performance.now() - t0;

console.log(`A = ${pathA}\nB = ${pathB}`);
console.log(`preset ${preset}, crossbars ${cfg.crossbar.rows} × ${cfg.crossbar.cols}, ${cfg.cells.cellBits}-bit cells, ${cfg.cells.sign} sign, ` +
  `${cfg.programming.scheme}; pool ${numCrossbars} crossbars (A needs ${pA.crossbars}, B needs ${pB.crossbars}, + ${extra} free), ` +
  `seed ${seed}; expected-cost table ${tableMs.toFixed(0)} ms (once, cached)`);

interface Row { name: string; opts: SwitchOptions & { strategy: StrategyName } }
const tile = {}, small = { blockRows: 32, blockCols: 4 };
const rows: Row[] = [
  { name: 'full (erase + write)', opts: { strategy: 'full' } },
  { name: 'full (verify-all)', opts: { strategy: 'full', fullMode: 'verify-all' } },
  { name: 'diff (in place)', opts: { strategy: 'diff' } },
  { name: 'blm layer, tile blocks', opts: { strategy: 'blm', blm: { mode: 'layer', ...tile } } },
  { name: 'blm global, tile blocks', opts: { strategy: 'blm', blm: { mode: 'global', ...tile } } },
  { name: 'blm global, tile blocks, negation', opts: { strategy: 'blm', blm: { mode: 'global', negate: true, ...tile } } },
  { name: 'blm layer, 32×4 blocks', opts: { strategy: 'blm', blm: { mode: 'layer', ...small } } },
  { name: 'blm global, 32×4 blocks', opts: { strategy: 'blm', blm: { mode: 'global', ...small } } },
  { name: 'blm global, 32×4 blocks, negation', opts: { strategy: 'blm', blm: { mode: 'global', negate: true, ...small } } },
  { name: 'blm global, 32×4 blocks, serial routing', opts: { strategy: 'blm', blm: { mode: 'global', routing: 'serial', ...small } } },
  { name: 'blm global, 16×2 blocks, serial routing', opts: { strategy: 'blm', blm: { mode: 'global', routing: 'serial', blockRows: 16, blockCols: 2 } } },
];

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
const x = calib(sizeOf(mB.inputShape)).subarray(0, 4 * sizeOf(mB.inputShape));
console.log('\n| strategy | A→B cycles | vs full | vs diff | expected | energy µJ | cells touched | failures | match ms | B→A cycles | ideal = quantized |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
let fullCycles = 0, diffCycles = 0;
const summary: Record<string, unknown>[] = [];
for (const r of rows) {
  pool.initialize(cfg.programming.initialState);
  switchModel(pool, qmA, 'diff'); // A in place (its baseline mapping pA) on the fresh pool
  const ab = switchModel(pool, qmB, r.opts.strategy, { ...r.opts, resident: pA });
  const e = new CrossbarEngine(qmB, ab.placement, pool);
  const q = e.run(x, 4, 'quantized');
  const same = Array.from(e.run(x, 4, 'ideal')).every((v, i) => v === q[i]);
  const ba = switchModel(pool, qmA, r.opts.strategy, { ...r.opts, resident: ab.placement });
  const c = ab.totals.cycles;
  if (r.name.startsWith('full (erase')) fullCycles = c;
  if (r.name.startsWith('diff')) diffCycles = c;
  const b = ab.blm;
  const expected = b ? fmt(b.expectedCost) + (b.usedInPlace ? ' (in place)' : '') + (b.usedTiles ? ' (whole-tile match)' : b.pinnedTiles.length ? ` (${b.pinnedTiles.length} tiles pinned)` : '') +
    (b.serialSteps ? ` (+${b.serialSteps} MVM steps)` : '') : '';
  console.log(`| ${r.name} | ${fmt(c)} | ${fullCycles ? (c / fullCycles).toFixed(3) : ''} | ${diffCycles ? (c / diffCycles).toFixed(3) : ''} | ${expected} | ` +
    `${(ab.totals.energyJ * 1e6).toFixed(2)} | ${fmt(ab.totals.cellsTouched)} | ${ab.totals.failures} | ${ab.blm ? ab.blm.matchMs.toFixed(1) : ''} | ` +
    `${fmt(ba.totals.cycles)} | ${same ? 'yes' : 'NO'} |`);
  summary.push({ strategy: r.name, cycles: c, backCycles: ba.totals.cycles, energyJ: ab.totals.energyJ, cellsTouched: ab.totals.cellsTouched,
    failures: ab.totals.failures, expected: ab.blm?.expectedCost, inPlaceExpected: ab.blm?.inPlaceCost, usedInPlace: ab.blm?.usedInPlace,
    negatedBlocks: ab.blm?.negatedBlocks, pinnedTiles: ab.blm?.pinnedTiles, usedTiles: ab.blm?.usedTiles, serialSteps: ab.blm?.serialSteps, blocks: ab.blm?.blocks, slots: ab.blm?.slots, repairs: ab.blm?.repairs, matchMs: ab.blm?.matchMs,
    costMs: ab.blm?.costMs, assignMs: ab.blm?.assignMs, layerPairs: ab.blm?.layerPairs, notes: ab.blm?.notes });
}

// Matching time alone (no programming), best of 5, on the pool holding A.
pool.initialize(cfg.programming.initialState);
switchModel(pool, qmA, 'diff');
console.log('\nBLM matching time on the pool holding A (best of 5; cost matrices + assignments):');
for (const [name, o] of [['layer, tile blocks', { mode: 'layer', ...tile }], ['global, tile blocks', { mode: 'global', ...tile }],
  ['layer, 32×4 blocks', { mode: 'layer', ...small }], ['global, 32×4 blocks', { mode: 'global', ...small }],
  ['global, 32×4, serial', { mode: 'global', routing: 'serial', ...small }]] as const) {
  let best: ReturnType<typeof blmPlacement> | null = null;
  for (let k = 0; k < 5; k++) { const r = blmPlacement(qmB, pool, { ...o, resident: pA }); if (!best || r.matchMs < best.matchMs) best = r; }
  console.log(`  ${name.padEnd(22)} ${best!.matchMs.toFixed(1)} ms  (${best!.blocks} blocks × ${best!.slots} slots; cost matrices ${best!.costMs.toFixed(1)} ms, ` +
    `assignments ${best!.assignMs.toFixed(1)} ms, ${best!.repairs} repair rounds)`);
}
if (args.includes('--json')) console.log(JSON.stringify(summary));

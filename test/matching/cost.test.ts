import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, type Backend } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { blockCostMatrix, blockCostPairs, type BlockCostMode } from '../../src/matching/cost.js';
import { forEachBackend } from '../helpers/backends.js';
import { refBlockCostDirect, refBlockCostMatrix, refLevelCounts, refTopKCols } from '../../src/reference/cost.js';
import { entityLevelCounts, levelCounts, topKQueries } from '../../src/matching/cost-kernel.js';
import { exactQuantum } from '../../src/matching/cost-plan.js';

initSync();

function cells(rng: RefRng, count: number, L: number, pSkip: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) out[k] = pSkip > 0 && rng.uniform() < pSkip ? 255 : Math.floor(rng.uniform() * L);
  return out;
}

const modes: BlockCostMode[] = ['expected', 'mismatch', 'l1'];

/** blockCostMatrix on one backend (the backend specs below use it under the same name, so their assertions read as before). */
const bind = (backend: Backend) => (...[blocks, nb, slots, ns, cpb, opts]: Parameters<typeof blockCostMatrix>) =>
  blockCostMatrix(blocks, nb, slots, ns, cpb, { ...opts, backend });

test('kernel equals the reference bit for bit in every mode, with negate, full blocks and 255 cells', () => {
  const rng = new RefRng(21, 0);
  const shapes: Array<[number, number, number, number]> = [
    // nb, ns, cellsPerBlock, L
    [5, 7, 256, 4], [3, 4, 2, 2], [6, 5, 300, 4], [4, 9, 130, 8], [2, 3, 1000, 16], [1, 1, 64, 2], [7, 3, 16384, 4],
    [13, 6, 512, 4], [9, 4, 128, 8],
  ];
  for (const [nb, ns, cpb, L] of shapes) {
    const table = Float32Array.from({ length: L * L }, (_, k) => (Math.floor(k / L) === k % L ? 0 : 0.5 + rng.uniform() * 30));
    // a mix of blocks that use every cell (priced with both levels eliminated) and blocks with 255 cells
    const blocks = new Uint8Array(nb * cpb);
    for (let b = 0; b < nb; b++) blocks.set(cells(rng, cpb, L, b % 3 === 1 ? 0 : 0.15), b * cpb);
    const slots = cells(rng, ns * cpb, L, 0);
    for (const mode of modes) {
      for (const negate of [false, true]) {
        const opts = { mode, table: mode === 'expected' ? table : undefined, levels: L, negate };
        const a = blockCostMatrix(blocks, nb, slots, ns, cpb, opts);
        const b = blockCostMatrix(blocks, nb, slots, ns, cpb, { ...opts, backend: 'reference' });
        const tag = `${nb}×${ns} cpb ${cpb} L ${L} ${mode} negate ${negate}`;
        assert.is(a.cost.length, nb * ns, tag);
        for (let k = 0; k < a.cost.length; k++) assert.ok(Object.is(a.cost[k], b.cost[k]), `${tag} [${k}]: ${a.cost[k]} vs ${b.cost[k]}`);
        if (negate) {
          assert.equal(Array.from(a.negated!), Array.from(b.negated!), tag);
          for (let k = 0; k < a.cost.length; k++) {
            assert.is(a.cost[k], Math.min(a.plain![k], a.negatedCost![k]));
            assert.is(a.negated![k], a.negatedCost![k] < a.plain![k] ? 1 : 0);
          }
        } else assert.is(a.negated, undefined);
        // against the definition, cell by cell
        const W = mode === 'expected' ? table : Float64Array.from({ length: L * L }, (_, k) => {
          const f = Math.floor(k / L), t = k % L; return mode === 'l1' ? Math.abs(f - t) : f === t ? 0 : 1;
        });
        for (let bIdx = 0; bIdx < nb; bIdx++) {
          for (let s = 0; s < ns; s++) {
            const want = refBlockCostDirect(blocks, bIdx, slots, s, cpb, W, L, false);
            const got = negate ? a.plain![bIdx * ns + s] : a.cost[bIdx * ns + s];
            if (mode === 'expected') assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, want), `${tag}: ${got} vs ${want}`);
            else assert.is(got, want, tag);
            if (negate) {
              const wantN = refBlockCostDirect(blocks, bIdx, slots, s, cpb, W, L, true);
              const gotN = a.negatedCost![bIdx * ns + s];
              assert.ok(Math.abs(gotN - wantN) <= 1e-6 * Math.max(1, wantN), `${tag} negated: ${gotN} vs ${wantN}`);
            }
          }
        }
      }
    }
  }
});

forEachBackend('identical block costs 0; negate finds a block stored with its pairs swapped; 255 cells are free', (backend) => {
  const blockCostMatrix = bind(backend);
  const rng = new RefRng(22, 0);
  const L = 4, cpb = 512;
  const table = Float32Array.from({ length: 16 }, (_, k) => (Math.floor(k / L) === k % L ? 0 : 1 + (k % 7)));
  const slot = cells(rng, cpb, L, 0);
  const swapped = new Uint8Array(cpb);
  for (let c = 0; c < cpb; c++) swapped[c] = slot[c ^ 1];
  const skip = new Uint8Array(cpb).fill(255);
  const blocks = new Uint8Array(3 * cpb);
  blocks.set(slot, 0); blocks.set(swapped, cpb); blocks.set(skip, 2 * cpb);
  for (const mode of modes) {
    const r = blockCostMatrix(blocks, 3, slot, 1, cpb, { mode, table: mode === 'expected' ? table : undefined, levels: L, negate: true });
    assert.is(r.plain![0], 0, `${mode}: identical`);
    assert.ok(r.plain![1] > 0, `${mode}: swapped pairs differ`);
    assert.is(r.negatedCost![1], 0, `${mode}: negated swapped block matches`);
    assert.is(r.cost[1], 0);
    assert.is(r.negated![1], 1);
    assert.is(r.negated![0], 0, 'tie keeps the plain form');
    assert.is(r.cost[2], 0, `${mode}: an all-255 block costs nothing`);
  }
});

forEachBackend('levels default to √table.length, else the highest level present + 1', (backend) => {
  const blockCostMatrix = bind(backend);
  const blocks = Uint8Array.from([0, 5, 255, 1]), slots = Uint8Array.from([5, 5, 0, 0]);
  const r = blockCostMatrix(blocks, 1, slots, 1, 4, { mode: 'l1' });
  assert.is(r.levels, 6);
  assert.is(r.cost[0], 5 + 0 + 1);
  const t = blockCostMatrix(Uint8Array.from([1, 0]), 1, Uint8Array.from([0, 0]), 1, 2, { mode: 'expected', table: [0, 2.5, 1, 0] });
  assert.is(t.levels, 2);
  assert.is(t.cost[0], 2.5);
});

test('exact sums: the kernel\'s own decomposition (rare slot levels corrected cell by cell) is bit-identical to the fixed one', () => {
  const rng = new RefRng(23, 0);
  // fault-aware-like: 4 real levels, two rare slot pseudo-levels (4, 5) with expensive rows, blocks never hold them
  for (const [nb, ns, cpb, rare] of [[9, 7, 2048, 0.01], [5, 11, 16384, 0.0015], [6, 5, 300, 0.05], [4, 3, 128, 0]] as const) {
    const L = 6;
    const table = new Float64Array(L * L);
    for (let f = 0; f < L; f++) {
      for (let t = 0; t < 4; t++) table[f * L + t] = f >= 4 ? 200 + f * 3.25 : f === t ? 0 : Math.fround(Math.round((0.5 + rng.uniform() * 50) * 4096) / 4096);
    }
    assert.ok(exactQuantum(table, cpb) !== null, 'dyadic table: exact');
    const blocks = new Uint8Array(nb * cpb);
    for (let b = 0; b < nb; b++) blocks.set(cells(rng, cpb, 4, b % 2 ? 0.2 : 0), b * cpb);
    const slots = cells(rng, ns * cpb, 4, 0);
    for (let k = 0; k < slots.length; k++) if (rng.uniform() < rare) slots[k] = 4 + (rng.uniform() < 0.5 ? 1 : 0);
    for (const negate of [false, true]) {
      const a = blockCostMatrix(blocks, nb, slots, ns, cpb, { mode: 'expected', table, levels: L, negate });
      const W = Float64Array.from(table, (x) => Math.fround(x));
      const plain = refBlockCostMatrix(blocks, nb, slots, ns, cpb, W, L, false);
      const neg = refBlockCostMatrix(blocks, nb, slots, ns, cpb, W, L, true);
      const tag = `${nb}×${ns} cpb ${cpb} rare ${rare} negate ${negate}`;
      for (let k = 0; k < plain.length; k++) {
        assert.ok(Object.is(negate ? a.plain![k] : a.cost[k], plain[k]), `${tag} [${k}]: ${a.cost[k]} vs ${plain[k]}`);
        if (negate) assert.ok(Object.is(a.negatedCost![k], neg[k]), `${tag} negated [${k}]`);
      }
    }
  }
});

test('sums that may round: the kernel keeps the fixed decomposition, bit-identical to its twin', () => {
  const rng = new RefRng(24, 0);
  const L = 4, nb = 6, ns = 5, cpb = 16384;
  const table = Float32Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 0 : k === 1 ? 1e-7 : 3 + rng.uniform() * 190));
  assert.is(exactQuantum(table, cpb), null, 'a tiny entry beside large ones: not provably exact');
  const blocks = new Uint8Array(nb * cpb);
  for (let b = 0; b < nb; b++) blocks.set(cells(rng, cpb, L, b % 2 ? 0.1 : 0), b * cpb);
  const slots = cells(rng, ns * cpb, L, 0);
  const a = blockCostMatrix(blocks, nb, slots, ns, cpb, { mode: 'expected', table, levels: L });
  const want = refBlockCostMatrix(blocks, nb, slots, ns, cpb, Float64Array.from(table), L, false);
  for (let k = 0; k < want.length; k++) assert.ok(Object.is(a.cost[k], want[k]), `[${k}]: ${a.cost[k]} vs ${want[k]}`);
  // integer tables (mismatch, L1) are always exact; powers of two as fine as the sums allow are too
  assert.is(exactQuantum([0, 1, 2, 0], 1 << 40), 1);
  assert.is(exactQuantum([0, 0.25, 8, 0], 16384), 0.25);
  assert.is(exactQuantum([0, 2 ** -40, 8, 0], 16384), null);
});

test('listed pairs cost exactly what the matrix says (exact and fixed decompositions, rare levels, negation), twin bit for bit', () => {
  const rng = new RefRng(25, 0);
  for (const [nb, ns, cpb, L, tiny] of [[7, 9, 2048, 6, false], [13, 5, 300, 4, false], [6, 8, 16384, 4, true], [3, 2, 64, 2, false]] as const) {
    const table = Float32Array.from({ length: L * L }, (_, k) => (k % (L + 1) === 0 ? 0 : tiny && k === 1 ? 1e-7 : Math.round((1 + rng.uniform() * 60) * 64) / 64));
    const real = L === 6 ? 4 : L;
    const blocks = new Uint8Array(nb * cpb);
    for (let b = 0; b < nb; b++) blocks.set(cells(rng, cpb, real, b % 3 ? 0.1 : 0), b * cpb);
    const slots = cells(rng, ns * cpb, real, 0);
    if (L === 6) for (let k = 0; k < slots.length; k++) if (rng.uniform() < 0.01) slots[k] = 4 + (k & 1);
    const start = new Int32Array(nb + 1), list: number[] = [];
    for (let b = 0; b < nb; b++) {
      for (let s = 0; s < ns; s++) if (rng.uniform() < 0.5) list.push(s);
      start[b + 1] = list.length;
    }
    const slotList = Int32Array.from(list);
    const opts = { mode: 'expected' as const, table, levels: L, negate: true };
    const m = blockCostMatrix(blocks, nb, slots, ns, cpb, opts);
    const p = blockCostPairs(blocks, nb, slots, ns, cpb, start, slotList, opts);
    const r = blockCostPairs(blocks, nb, slots, ns, cpb, start, slotList, { ...opts, backend: 'reference' });
    const tag = `${nb}×${ns} cpb ${cpb} L ${L}${tiny ? ' (fixed decomposition)' : ''}`;
    for (let b = 0; b < nb; b++) {
      for (let k = start[b]!; k < start[b + 1]!; k++) {
        const at = b * ns + slotList[k]!;
        assert.ok(Object.is(p.plain![k], m.plain![at]) && Object.is(p.negatedCost![k], m.negatedCost![at]), `${tag}: pair ${k}`);
        assert.ok(Object.is(r.plain![k], p.plain![k]) && Object.is(r.negatedCost![k], p.negatedCost![k]), `${tag}: twin, pair ${k}`);
        assert.is(p.negated![k], m.negated![at]);
      }
    }
  }
  const one = new Uint8Array(4);
  assert.throws(() => blockCostPairs(one, 1, one, 1, 4, Int32Array.from([0, 1]), Int32Array.from([3]), { mode: 'l1', levels: 4 }), /candidate 0 is slot 3, outside 0..0/);
  assert.throws(() => blockCostPairs(one, 1, one, 1, 4, Int32Array.from([0, 2]), Int32Array.from([0]), { mode: 'l1', levels: 4 }), /candStart must be/);
});

test('top-k over listed columns (quickselect in wasm) equals a full sort, ties to the lower column', () => {
  const rng = new RefRng(26, 0);
  const nb = 37, ns = 300;
  // few distinct values: many ties
  const m = Float32Array.from({ length: nb * ns }, () => Math.floor(rng.uniform() * 20) / 4);
  const queries = [
    { rowFrom: 0, rowTo: nb, cols: Int32Array.from({ length: ns }, (_, i) => i), keep: 16 },
    { rowFrom: 5, rowTo: 29, cols: Int32Array.from({ length: 90 }, (_, i) => 3 * i + 1), keep: 128 },
    { rowFrom: 2, rowTo: 3, cols: Int32Array.from([7, 3, 250]), keep: 5 },
    { rowFrom: 0, rowTo: nb, cols: Int32Array.from({ length: ns }, (_, i) => ns - 1 - i), keep: 1 },
  ];
  const got = topKQueries(m, ns, queries);
  queries.forEach((q, i) => {
    const want = refTopKCols(m, ns, q.rowFrom, q.rowTo, q.cols, q.keep);
    assert.equal(Array.from(got[i]!.count), Array.from(want.count), `query ${i} counts`);
    assert.equal(Array.from(got[i]!.slot), Array.from(want.slot), `query ${i} slots`);
    assert.equal(Array.from(got[i]!.val), Array.from(want.val), `query ${i} values`);
    assert.equal(Array.from(got[i]!.sum), Array.from(want.sum), `query ${i} sums`);
  });
});

test('level counts (wasm histogram), per entity too, equal a plain count', () => {
  const rng = new RefRng(27, 0);
  const cells = Uint8Array.from({ length: 100003 }, () => (rng.uniform() < 0.1 ? 255 : Math.floor(rng.uniform() * 6)));
  assert.equal(Array.from(levelCounts(cells)), Array.from(refLevelCounts(cells)));
  const per = entityLevelCounts(cells.subarray(0, 999 * 100), 999, 100, 6);
  for (const e of [0, 1, 500, 998]) {
    const want = refLevelCounts(cells.subarray(e * 100, (e + 1) * 100));
    assert.equal(Array.from(per.subarray(e * 6, (e + 1) * 6)), Array.from(want.subarray(0, 6)), `entity ${e}`);
  }
});

forEachBackend('bad input gives clear errors', (backend) => {
  const blockCostMatrix = bind(backend);
  const b = new Uint8Array(8), s = new Uint8Array(8);
  assert.throws(() => blockCostMatrix(b, 2, s, 2, 5, { mode: 'mismatch' }), /blocks has 8 cells, expected nb × cellsPerBlock = 2 × 5 = 10/);
  assert.throws(() => blockCostMatrix(b, 2, s, 1, 4, { mode: 'mismatch' }), /slots has 8 cells, expected ns × cellsPerBlock = 1 × 4 = 4/);
  assert.throws(() => blockCostMatrix(b, 2, s, 2, 4, { mode: 'expected' }), /needs opts.table/);
  assert.throws(() => blockCostMatrix(b, 2, s, 2, 4, { mode: 'expected', table: [0, 1, 2] }), /levels must be an integer|table has 3 entries/);
  assert.throws(() => blockCostMatrix(b, 2, s, 2, 4, { mode: 'expected', table: [0, 1, 2, NaN] }), /table\[1·L \+ 1\] is NaN/);
  assert.throws(() => blockCostMatrix(b, 2, s, 2, 4, { mode: 'nope' as BlockCostMode }), /mode must be/);
  assert.throws(() => blockCostMatrix(new Uint8Array(6), 2, new Uint8Array(6), 2, 3, { mode: 'l1', negate: true }), /cellsPerBlock = 3 is odd/);
  assert.throws(() => blockCostMatrix(Uint8Array.from([0, 7, 0, 0]), 1, new Uint8Array(4), 1, 4, { mode: 'l1', levels: 4 }),
    /block 0 cell 1 has level 7, but levels = 4/);
  assert.throws(() => blockCostMatrix(new Uint8Array(4), 1, Uint8Array.from([0, 0, 255, 0]), 1, 4, { mode: 'l1', levels: 4 }),
    /slot 0 cell 2 has level 255/);
});

test.run();

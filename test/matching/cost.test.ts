import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, type Backend } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { blockCostMatrix, type BlockCostMode } from '../../src/matching/cost.js';
import { forEachBackend } from '../helpers/backends.js';
import { refBlockCostDirect } from '../../src/reference/cost.js';

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

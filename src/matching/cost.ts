// Block cost matrices for BLM (DESIGN §3.2): cost[b·ns + s] = price of turning candidate slot s's present cell
// levels into incoming block b's levels.
//
//   const { cost, negated } = blockCostMatrix(blocks, nb, slots, ns, cellsPerBlock,
//                                             { mode: 'expected', table: expectedCostTable(cfg).mean, negate: true });
//
// blocks: nb × cellsPerBlock u8 levels (255 = the block does not use this cell: costs 0); slots: ns ×
// cellsPerBlock u8 levels, same cell order (every slot cell must hold a real level). Modes:
//   expected  Σ_cells table[slotLevel·L + blockLevel]   (table = expected programming cycles, L × L, f32)
//   mismatch  number of used cells whose level differs
//   l1        Σ_cells |slotLevel − blockLevel|
// Computed as Σ_{from,to} W[from][to]·count(from, to) from exact bit-plane counts, summed in f64 and rounded once
// to f32 (see assembly/cost.ts); mismatch and l1 are exact integers.
// negate: also price each block stored negated — cells come in differential pairs (even = positive, odd =
// negative), and the negated block's cell i takes the level of cell i ^ 1. Then `cost` is the cheaper of the two
// per (block, slot), `negated[b·ns + s]` = 1 where the negated form is strictly cheaper (ties keep the plain form),
// and `plain` / `negatedCost` hold both full matrices.
// Speed: one-hot planes + popcount, ≤ (L−1)·L·cellsPerBlock/64 popcounts per pair ((L−1)² for blocks that use every
// cell, 2(L−1) for mismatch).
import { arena, reference, resolveBackend, wasmKernels, type Backend } from '../wasm/index.js';
import { constantTerm, costPlan } from './cost-plan.js';

export type BlockCostMode = 'expected' | 'mismatch' | 'l1';

export interface BlockCostOptions {
  mode: BlockCostMode;
  /** L × L row-major, table[from·L + to] (required for 'expected'; e.g. expectedCostTable(cfg).mean). */
  table?: ArrayLike<number>;
  /** Levels per cell L (default: √table.length, else the highest level present + 1). */
  levels?: number;
  /** Also price every block stored negated (differential pair swapped). */
  negate?: boolean;
  /** 'wasm' (default): the SIMD kernel; 'reference': its plain-TS twin (bit-identical; slow: for tests). */
  backend?: Backend;
}

export interface BlockCostResult {
  /** nb × ns, row-major: cost[b·ns + s] (with negate: the cheaper of plain and negated). */
  cost: Float32Array;
  /** With negate: 1 where the negated block is strictly cheaper in that slot. */
  negated?: Uint8Array;
  /** With negate: the plain and the negated matrices. */
  plain?: Float32Array;
  negatedCost?: Float32Array;
  /** L used. */
  levels: number;
}

export const MAX_LEVELS = 64;

interface Checked { L: number; W: Float64Array; negate: boolean }

function check(blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cpb: number, opts: BlockCostOptions): Checked {
  for (const [name, x] of [['nb', nb], ['ns', ns], ['cellsPerBlock', cpb]] as const) {
    if (!Number.isInteger(x) || x < 0) throw new Error(`blockCostMatrix: ${name} must be a non-negative integer, got ${x}`);
  }
  if (!(blocks instanceof Uint8Array) || !(slots instanceof Uint8Array)) {
    throw new Error('blockCostMatrix: blocks and slots must be Uint8Arrays of cell levels');
  }
  if (blocks.length !== nb * cpb) {
    throw new Error(`blockCostMatrix: blocks has ${blocks.length} cells, expected nb × cellsPerBlock = ${nb} × ${cpb} = ${nb * cpb}`);
  }
  if (slots.length !== ns * cpb) {
    throw new Error(`blockCostMatrix: slots has ${slots.length} cells, expected ns × cellsPerBlock = ${ns} × ${cpb} = ${ns * cpb}`);
  }
  const mode = opts?.mode;
  if (mode !== 'expected' && mode !== 'mismatch' && mode !== 'l1') {
    throw new Error(`blockCostMatrix: mode must be 'expected', 'mismatch' or 'l1', got ${String(mode)}`);
  }
  const negate = !!opts.negate;
  if (negate && cpb % 2 !== 0) {
    throw new Error(`blockCostMatrix: negate needs differential pairs, but cellsPerBlock = ${cpb} is odd`);
  }
  let L = opts.levels;
  if (L === undefined) {
    if (opts.table) L = Math.round(Math.sqrt(opts.table.length));
    else {
      let mx = 0;
      for (const x of blocks) if (x !== 255 && x > mx) mx = x;
      for (const x of slots) if (x > mx && x !== 255) mx = x;
      L = Math.max(2, mx + 1);
    }
  }
  if (!Number.isInteger(L) || L < 2 || L > MAX_LEVELS) {
    throw new Error(`blockCostMatrix: levels must be an integer in [2, ${MAX_LEVELS}], got ${L}`);
  }
  const W = new Float64Array(L * L);
  if (mode === 'expected') {
    const table = opts.table;
    if (!table) throw new Error("blockCostMatrix: mode 'expected' needs opts.table (L × L, e.g. expectedCostTable(cfg).mean)");
    if (table.length !== L * L) {
      throw new Error(`blockCostMatrix: table has ${table.length} entries, expected levels² = ${L}² = ${L * L}`);
    }
    for (let k = 0; k < L * L; k++) {
      const x = table[k];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new Error(`blockCostMatrix: table[${Math.floor(k / L)}·L + ${k % L}] is ${String(x)}; every entry must be finite`);
      }
      W[k] = Math.fround(x);
    }
  } else {
    for (let f = 0; f < L; f++) for (let t = 0; t < L; t++) W[f * L + t] = mode === 'l1' ? Math.abs(f - t) : f === t ? 0 : 1;
  }
  for (let k = 0; k < blocks.length; k++) {
    const x = blocks[k];
    if (x >= L && x !== 255) {
      throw new Error(`blockCostMatrix: block ${Math.floor(k / cpb)} cell ${k % cpb} has level ${x}, but levels = ${L} ` +
        '(use 0..L−1, or 255 for a cell the block does not use)');
    }
  }
  for (let k = 0; k < slots.length; k++) {
    const x = slots[k];
    if (x >= L) {
      throw new Error(`blockCostMatrix: slot ${Math.floor(k / cpb)} cell ${k % cpb} has level ${x}, but levels = ${L}; ` +
        'every slot cell must hold a real level 0..L−1');
    }
  }
  return { L, W, negate };
}

/** Cost of every (block, slot) pair, in wasm (SIMD) unless opts.backend is 'reference'. */
export function blockCostMatrix(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number, opts: BlockCostOptions,
): BlockCostResult {
  if (resolveBackend(opts?.backend, 'blockCostMatrix') === 'reference') return referenceCostMatrix(blocks, nb, slots, ns, cellsPerBlock, opts);
  const { L, W, negate } = check(blocks, nb, slots, ns, cellsPerBlock, opts);
  const w = wasmKernels('cost');
  const stride = Math.max(128, Math.ceil(cellsPerBlock / 128) * 128);
  const pb = stride / 8;
  const dec = costPlan(W, L);
  // blocks that use every cell can drop their last level too (fewer codes): put them first, the rest after
  const full = new Uint8Array(nb);
  let nFull = 0;
  if (dec.useFull) {
    for (let b = 0; b < nb; b++) {
      const cells = blocks.subarray(b * cellsPerBlock, (b + 1) * cellsPerBlock);
      if (cells.indexOf(255) < 0) { full[b] = 1; nFull++; }
    }
  }
  const order: number[] = [];
  for (let b = 0; b < nb; b++) if (full[b]) order.push(b);
  for (let b = 0; b < nb; b++) if (!full[b]) order.push(b);
  return arena.scoped((a) => {
    const pack = (cells: Uint8Array, count: number, neg: boolean, perm?: number[]) => {
      const planes = a.alloc('u8', count * L * pb);
      const totals = a.alloc('i32', count * L);
      a.scoped((s) => {
        const staged = s.alloc('u8', count * stride);
        const v = staged.view;
        v.fill(255);
        for (let e = 0; e < count; e++) {
          const src = perm ? perm[e] : e;
          v.set(cells.subarray(src * cellsPerBlock, (src + 1) * cellsPerBlock), e * stride);
        }
        w.costPackPlanes(staged.ptr, count, stride, L, neg ? 1 : 0, planes.ptr, pb, totals.ptr);
      });
      return { planes, totals };
    };
    const slotP = pack(slots, ns, false);
    const slotConst = a.alloc('f64', ns);
    {
      const tv = slotP.totals.view, sv = slotConst.view;
      for (let s = 0; s < ns; s++) sv[s] = constantTerm(dec.slotRow, tv.subarray(s * L, (s + 1) * L));
    }
    const forms = [dec.full, dec.partial].map((f) => ({ codes: a.from('i32', f.codes), weights: a.from('f64', f.weights), n: f.weights.length }));
    const run = (neg: boolean): Float32Array => {
      const blockP = pack(blocks, nb, neg, order);
      const consts = a.alloc('f64', nb);
      const tv = blockP.totals.view, cv = consts.view;
      for (let e = 0; e < nb; e++) cv[e] = constantTerm(dec.lastRow, tv.subarray(e * L, (e + 1) * L));
      const out = a.alloc('f32', nb * ns);
      // one call per 4 blocks (the kernel's register blocking): lets V8 switch to optimized code after the first
      // few calls (a single long call would run to the end in the baseline tier)
      const entity = L * pb;
      for (let e = 0; e < nb;) {
        const isFull = e < nFull;
        const cnt = Math.min(4, (isFull ? nFull : nb) - e);
        const f = forms[isFull ? 0 : 1];
        w.costMatrix(blockP.planes.ptr + e * entity, cnt, slotP.planes.ptr, ns, L, pb, f.codes.ptr, f.weights.ptr, f.n,
          consts.ptr + 8 * e, isFull ? slotConst.ptr : 0, out.ptr + 4 * ns * e);
        e += cnt;
      }
      const ov = out.view;
      const result = new Float32Array(nb * ns);
      for (let e = 0; e < nb; e++) result.set(ov.subarray(e * ns, (e + 1) * ns), order[e] * ns);
      return result;
    };
    const plain = run(false);
    if (!negate) return { cost: plain, levels: L };
    const negatedCost = run(true);
    return { ...combine(plain, negatedCost), plain, negatedCost, levels: L };
  });
}

function referenceCostMatrix(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number, opts: BlockCostOptions,
): BlockCostResult {
  const { L, W, negate } = check(blocks, nb, slots, ns, cellsPerBlock, opts);
  const { refBlockCostMatrix } = reference('cost');
  const plain = refBlockCostMatrix(blocks, nb, slots, ns, cellsPerBlock, W, L, false);
  if (!negate) return { cost: plain, levels: L };
  const negatedCost = refBlockCostMatrix(blocks, nb, slots, ns, cellsPerBlock, W, L, true);
  return { ...combine(plain, negatedCost), plain, negatedCost, levels: L };
}

function combine(plain: Float32Array, neg: Float32Array): { cost: Float32Array; negated: Uint8Array } {
  const cost = new Float32Array(plain.length), negated = new Uint8Array(plain.length);
  for (let k = 0; k < plain.length; k++) {
    if (neg[k] < plain[k]) { cost[k] = neg[k]; negated[k] = 1; } else cost[k] = plain[k];
  }
  return { cost, negated };
}

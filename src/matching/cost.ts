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
import { reference, resolveBackend, type Backend } from '../wasm/index.js';
import { exactQuantum } from './cost-plan.js';
import { costKernel, levelCounts, withCostKernel } from './cost-kernel.js';

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

interface Checked { L: number; W: Float64Array; negate: boolean; counts: { blocks: Float64Array; slots: Float64Array } }

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
  const counts = { blocks: levelCounts(blocks), slots: levelCounts(slots) };
  checkLevels(blocks, counts.blocks, cpb, L, true);
  checkLevels(slots, counts.slots, cpb, L, false);
  return { L, W, negate, counts };
}

/** Names the first cell whose level is out of range, when the level counts show one. */
function checkLevels(cells: Uint8Array, counts: Float64Array, cpb: number, L: number, isBlock: boolean): void {
  let bad = 0;
  for (let v = L; v < 256; v++) if (!(isBlock && v === 255)) bad += counts[v]!;
  if (!bad) return;
  for (let k = 0; k < cells.length; k++) {
    const x = cells[k]!;
    if (x < L || (isBlock && x === 255)) continue;
    throw new Error(isBlock
      ? `blockCostMatrix: block ${Math.floor(k / cpb)} cell ${k % cpb} has level ${x}, but levels = ${L} (use 0..L−1, or 255 for a cell the block does not use)`
      : `blockCostMatrix: slot ${Math.floor(k / cpb)} cell ${k % cpb} has level ${x}, but levels = ${L}; every slot cell must hold a real level 0..L−1`);
  }
}

/** Cost of every (block, slot) pair, in wasm (SIMD) unless opts.backend is 'reference'. */
export function blockCostMatrix(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number, opts: BlockCostOptions,
): BlockCostResult {
  const backend = resolveBackend(opts?.backend, 'blockCostMatrix');
  const { L, W, negate, counts } = check(blocks, nb, slots, ns, cellsPerBlock, opts);
  const run = (neg: boolean) => backend === 'reference' ? referenceCosts(blocks, nb, slots, ns, cellsPerBlock, W, L, neg)
    : costKernel(blocks, nb, slots, ns, cellsPerBlock, W, L, neg, counts);
  const plain = run(false);
  if (!negate) return { cost: plain, levels: L };
  const negatedCost = run(true);
  return { ...combine(plain, negatedCost), plain, negatedCost, levels: L };
}

/** The twin: the exact cell-by-cell sum when the kernel's sums are exact, else the fixed decomposition's steps. */
function referenceCosts(blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cpb: number, W: Float64Array, L: number, neg: boolean): Float32Array {
  const { refBlockCostMatrix, refBlockCostMatrixExact } = reference('cost');
  return (exactQuantum(W, cpb) !== null ? refBlockCostMatrixExact : refBlockCostMatrix)(blocks, nb, slots, ns, cpb, W, L, neg);
}

/**
 * The costs of listed (block, slot) pairs only — block b with slots candSlot[candStart[b] .. candStart[b + 1]) —
 * each exactly the value blockCostMatrix gives for that pair (one entry per listed pair, in list order).
 */
export function blockCostPairs(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number, candStart: Int32Array, candSlot: Int32Array,
  opts: BlockCostOptions,
): BlockCostResult {
  const backend = resolveBackend(opts?.backend, 'blockCostPairs');
  const { L, W, negate, counts } = check(blocks, nb, slots, ns, cellsPerBlock, opts);
  checkCandidates(nb, ns, candStart, candSlot);
  const run = (neg: boolean) => backend === 'reference' ? referencePairs(blocks, nb, slots, cellsPerBlock, W, L, neg, candStart, candSlot)
    : withCostKernel(blocks, nb, slots, ns, cellsPerBlock, W, L, neg, counts, (k) => k.pairs(candStart, candSlot));
  const plain = run(false);
  if (!negate) return { cost: plain, levels: L };
  const negatedCost = run(true);
  return { ...combine(plain, negatedCost), plain, negatedCost, levels: L };
}

function referencePairs(blocks: Uint8Array, nb: number, slots: Uint8Array, cpb: number, W: Float64Array, L: number, neg: boolean,
  candStart: Int32Array, candSlot: Int32Array): Float32Array {
  const out = new Float32Array(candSlot.length);
  for (let b = 0; b < nb; b++) {
    for (let k = candStart[b]!; k < candStart[b + 1]!; k++) {
      const s = candSlot[k]!;
      out[k] = referenceCosts(blocks.subarray(b * cpb, (b + 1) * cpb), 1, slots.subarray(s * cpb, (s + 1) * cpb), 1, cpb, W, L, neg)[0]!;
    }
  }
  return out;
}

function checkCandidates(nb: number, ns: number, candStart: Int32Array, candSlot: Int32Array): void {
  if (!(candStart instanceof Int32Array) || candStart.length !== nb + 1 || candStart[0] !== 0 || !(candSlot instanceof Int32Array) || candStart[nb] !== candSlot.length) {
    throw new Error(`blockCostPairs: candStart must be an Int32Array of nb + 1 = ${nb + 1} offsets from 0 to candSlot.length`);
  }
  for (let b = 0; b < nb; b++) {
    if (candStart[b + 1]! < candStart[b]!) throw new Error(`blockCostPairs: candStart decreases at block ${b}`);
  }
  for (let k = 0; k < candSlot.length; k++) {
    const s = candSlot[k]!;
    if (!Number.isInteger(s) || s < 0 || s >= ns) throw new Error(`blockCostPairs: candidate ${k} is slot ${s}, outside 0..${ns - 1}`);
  }
}

function combine(plain: Float32Array, neg: Float32Array): { cost: Float32Array; negated: Uint8Array } {
  const cost = new Float32Array(plain.length), negated = new Uint8Array(plain.length);
  for (let k = 0; k < plain.length; k++) {
    if (neg[k] < plain[k]) { cost[k] = neg[k]; negated[k] = 1; } else cost[k] = plain[k];
  }
  return { cost, negated };
}

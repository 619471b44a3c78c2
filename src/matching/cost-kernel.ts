// Runs the block cost kernels (assembly/cost.ts) for blockCostMatrix: one-hot planes of the blocks and slots, then
// the pair counts weighted and summed per (block, slot). When every sum is exact in f64 (cost-plan.ts) the planes,
// codes and constants come from costPlan (fewest plane pairs, rare slot levels corrected cell by cell); otherwise
// from the fixed decomposition below, whose f64 rounding src/reference/cost.ts reproduces step by step.
import { arena, wasmKernels, type Arena, type WasmArray } from '../wasm/index.js';
import { constantTerm, costPlan, exactPlan, exactQuantum, planBlockConst, planSlotConst } from './cost-plan.js';

type CostExports = ReturnType<typeof wasmKernels<'cost'>>;

/** How many cells hold each byte value (256 counts), in wasm; a WasmArray is read in place. */
export function levelCounts(cells: Uint8Array | WasmArray<'u8'>): Float64Array {
  const w = wasmKernels('cost');
  return arena.scoped((a) => {
    const counts = a.alloc('i32', 1024);
    if (cells instanceof Uint8Array) {
      const chunk = 1 << 24;
      const buf = a.alloc('u8', Math.min(chunk, Math.max(1, cells.length)), false);
      for (let i = 0; i < cells.length; i += chunk) {
        const part = cells.subarray(i, i + chunk);
        buf.view.set(part);
        w.costHistogram(buf.ptr, part.length, counts.ptr);
      }
    } else w.costHistogram(cells.ptr, cells.length, counts.ptr);
    return Float64Array.from(counts.view.subarray(0, 256));
  });
}

/** Cells at each level 0..levels−1 of every entity (count × levels). */
export function entityLevelCounts(cells: Uint8Array, count: number, cpb: number, levels: number): Int32Array {
  const w = wasmKernels('cost');
  const stride = Math.max(128, Math.ceil(cpb / 128) * 128);
  return arena.scoped((a) => pack(a, w, cells, count, cpb, stride, levels, false, new Int32Array(levels).fill(-1), 0).totals.copy());
}

/** Rows rowFrom..rowTo−1 of a matrix, restricted to the listed columns: the `keep` lowest entries per row. */
export interface TopKQuery { rowFrom: number; rowTo: number; cols: Int32Array; keep: number }
/** Per row of the query (row − rowFrom): `keep` slots and values by ascending (value, column), valid up to count; Σ of the listed entries. */
export interface TopK { keep: number; slot: Int32Array; val: Float32Array; count: Int32Array; sum: Float64Array }

/** Answers top-k queries on one row-major nb × ns f32 matrix (copied into wasm once), in wasm. */
export function topKQueries(m: Float32Array, ns: number, queries: readonly TopKQuery[]): TopK[] {
  const w = wasmKernels('cost');
  return arena.scoped((a) => {
    const mm = a.from('f32', m);
    return queries.map((q) => a.scoped((t) => {
      const rows = q.rowTo - q.rowFrom, n = q.cols.length;
      const cols = t.from('i32', n ? q.cols : [0]), scratch = t.alloc('u8', 8 * Math.max(1, n), false);
      const slot = t.alloc('i32', Math.max(1, rows * q.keep)), val = t.alloc('f32', Math.max(1, rows * q.keep));
      const count = t.alloc('i32', Math.max(1, rows)), sum = t.alloc('f64', Math.max(1, rows));
      // one call per 64 rows: lets V8 tier the kernel up early
      for (let r = q.rowFrom; r < q.rowTo; r += 64) {
        const o = r - q.rowFrom;
        w.costTopKCols(mm.ptr, ns, r, Math.min(q.rowTo, r + 64), cols.ptr, n, q.keep, slot.ptr + 4 * o * q.keep, val.ptr + 4 * o * q.keep,
          count.ptr + 4 * o, sum.ptr + 8 * o, scratch.ptr);
      }
      return { keep: q.keep, slot: slot.copy().subarray(0, rows * q.keep), val: val.copy().subarray(0, rows * q.keep), count: count.copy().subarray(0, rows), sum: sum.copy().subarray(0, rows) };
    }));
  });
}

/** Plane pairs, weights and constants of one way of writing Σ_cells W[s][b] (see cost-plan.ts and below). */
interface Decomposition {
  slotPlaneOf: Int32Array; nSlotPlanes: number; blockPlaneOf: Int32Array; nBlockPlanes: number;
  full: { codes: Int32Array; weights: Float64Array } | null;
  partial: { codes: Int32Array; weights: Float64Array };
  blockConst(totals: Int32Array, full: boolean): number;
  /** Constant of a slot for blocks that use every cell. */
  slotConst(totals: Int32Array): number;
  sparseRowOf?: Int32Array;
  corr?: Float64Array;
}

/** The fixed plan (cost-plan.ts: costPlan): every level a plane, the last one eliminated. */
function fixedDecomposition(W: Float64Array, L: number): Decomposition {
  const plan = costPlan(W, L);
  const ident = Int32Array.from({ length: L }, (_, i) => i);
  return {
    slotPlaneOf: ident, nSlotPlanes: L, blockPlaneOf: ident, nBlockPlanes: L,
    full: plan.useFull ? plan.full : null, partial: plan.partial,
    blockConst: (tot) => constantTerm(plan.lastRow, tot),
    slotConst: (tot) => constantTerm(plan.slotRow, tot),
  };
}

function planDecomposition(W: Float64Array, L: number, blockCounts: Float64Array, slotCounts: Float64Array, cpb: number): Decomposition {
  const plan = exactPlan(W, L, slotCounts.subarray(0, L), blockCounts.subarray(0, L));
  return {
    ...plan,
    blockConst: (tot, full) => planBlockConst(W, L, plan, tot, full),
    slotConst: (tot) => planSlotConst(W, L, plan, tot, cpb),
  };
}

interface Packed { planes: WasmArray<'u8'>; totals: WasmArray<'i32'>; staged: WasmArray<'u8'> }

function pack(a: Arena, w: CostExports, cells: Uint8Array, count: number, cpb: number, stride: number, L: number, neg: boolean,
  planeOf: Int32Array, nPlanes: number, perm?: Int32Array): Packed {
  const pb = stride / 8;
  // the kernel writes every plane byte and every total
  const planes = a.alloc('u8', Math.max(1, count * nPlanes * pb), false);
  const totals = a.alloc('i32', count * L, false);
  const staged = a.alloc('u8', count * stride, false);
  const v = staged.view;
  v.fill(255);
  for (let e = 0; e < count; e++) {
    const src = perm ? perm[e]! : e;
    v.set(cells.subarray(src * cpb, (src + 1) * cpb), e * stride);
  }
  a.scoped((s) => w.costPackPlanes(staged.ptr, count, stride, L, neg ? 1 : 0, s.from('i32', planeOf).ptr, nPlanes, planes.ptr, pb, totals.ptr));
  return { planes, totals, staged };
}

/** Each slot's cells at levels without a plane: CSR runs of (cell index, correction row), in wasm memory. */
function sparseLists(a: Arena, w: CostExports, staged: WasmArray<'u8'>, ns: number, stride: number, rowOf: Int32Array) {
  const rowOfLevel = new Int32Array(256).fill(-1);
  rowOf.forEach((r, f) => { rowOfLevel[f] = r; });
  const rl = a.from('i32', rowOfLevel), start = a.alloc('i32', ns + 1);
  w.costRareCells(staged.ptr, ns, stride, rl.ptr, start.ptr, 0, 0);
  const n = start.view[ns]!;
  const cell = a.alloc('i32', Math.max(1, n)), row = a.alloc('i32', Math.max(1, n));
  if (n) w.costRareCells(staged.ptr, ns, stride, rl.ptr, start.ptr, cell.ptr, row.ptr);
  return { start, cell, row, n };
}

/** Slot tile of the matrix loop: its planes stay in L2 while every block group streams over them. */
const SLOT_TILE_BYTES = 256 * 1024;
/** Blocks per kernel call (a multiple of 4; many short calls let V8 tier the kernel up early). */
const BLOCK_CHUNK = 64;

/** Costs of a prepared (blocks, slots) pair of sets: the whole matrix, or listed pairs only. */
export interface PreparedCost {
  /** nb × ns, row-major. */
  matrix(): Float32Array;
  /** Block b with slots candSlot[candStart[b] .. candStart[b + 1]): one cost per listed pair, the matrix's value. */
  pairs(candStart: Int32Array, candSlot: Int32Array): Float32Array;
}

/**
 * Packs blocks (stored as is, or negated) and slots into planes once and hands `fn` a PreparedCost; everything
 * lives in wasm scratch memory until `fn` returns.
 */
export function withCostKernel<T>(blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cpb: number, W: Float64Array, L: number,
  negate: boolean, counts: { blocks: Float64Array; slots: Float64Array }, fn: (k: PreparedCost) => T): T {
  const exact = exactQuantum(W, cpb) !== null;
  const dec = exact ? planDecomposition(W, L, counts.blocks, counts.slots, cpb) : fixedDecomposition(W, L);
  return runKernel(blocks, nb, slots, ns, cpb, L, negate, dec, fn);
}

function runKernel<T>(blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cpb: number, L: number, negate: boolean,
  dec: Decomposition, fn: (k: PreparedCost) => T): T {
  const w = wasmKernels('cost');
  const stride = Math.max(128, Math.ceil(cpb / 128) * 128), pb = stride / 8;
  // blocks that use every cell take the full form: put them first, the rest after
  const isFull = new Uint8Array(nb);
  let nFull = 0;
  if (dec.full) for (let b = 0; b < nb; b++) if (blocks.subarray(b * cpb, (b + 1) * cpb).indexOf(255) < 0) { isFull[b] = 1; nFull++; }
  const order = new Int32Array(nb);
  for (let b = 0, k = 0, j = nFull; b < nb; b++) order[isFull[b] ? k++ : j++] = b;
  return arena.scoped((a) => {
    const sp = pack(a, w, slots, ns, cpb, stride, L, false, dec.slotPlaneOf, dec.nSlotPlanes);
    const slotConst = a.alloc('f64', ns);
    for (let s = 0; s < ns; s++) slotConst.view[s] = dec.slotConst(sp.totals.view.subarray(s * L, (s + 1) * L));
    const bp = pack(a, w, blocks, nb, cpb, stride, L, negate, dec.blockPlaneOf, dec.nBlockPlanes, order);
    const consts = a.alloc('f64', nb);
    for (let e = 0; e < nb; e++) consts.view[e] = dec.blockConst(bp.totals.view.subarray(e * L, (e + 1) * L), e < nFull);
    const forms = [dec.full, dec.partial].map((f) => f && ({ codes: a.from('i32', f.codes.length ? f.codes : [0]), weights: a.from('f64', f.weights.length ? f.weights : [0]), n: f.weights.length }));
    const sparse = dec.corr && dec.corr.length ? sparseLists(a, w, sp.staged, ns, stride, dec.sparseRowOf!) : null;
    const corr = sparse && sparse.n ? a.from('f64', dec.corr!) : null;
    const sArgs = [corr ? sparse!.cell.ptr : 0, corr ? sparse!.row.ptr : 0] as const;
    const bEnt = dec.nBlockPlanes * pb, sEnt = dec.nSlotPlanes * pb;
    /** Block chunks in packed order, each of one form. */
    const chunks = (size: number, each: (e: number, cnt: number, f: NonNullable<typeof forms[0]>, full: boolean) => void) => {
      for (let e = 0; e < nb;) {
        const full = e < nFull;
        const cnt = Math.min(size, (full ? nFull : nb) - e);
        each(e, cnt, forms[full ? 0 : 1]!, full);
        e += cnt;
      }
    };
    const matrix = (): Float32Array => a.scoped((t) => {
      const out = t.alloc('f32', nb * ns, false);
      const tile = Math.max(1, Math.floor(SLOT_TILE_BYTES / Math.max(1, sEnt)));
      for (let s0 = 0; s0 < ns; s0 += tile) {
        const sn = Math.min(tile, ns - s0);
        chunks(BLOCK_CHUNK, (e, cnt, f, full) => w.costMatrix(bp.planes.ptr + e * bEnt, cnt, dec.nBlockPlanes, sp.planes.ptr + s0 * sEnt, sn,
          dec.nSlotPlanes, pb, f.codes.ptr, f.weights.ptr, f.n, consts.ptr + 8 * e, full ? slotConst.ptr + 8 * s0 : 0, out.ptr + 4 * (e * ns + s0), ns,
          corr ? sparse!.start.ptr + 4 * s0 : 0, ...sArgs, bp.staged.ptr + e * stride, stride, negate ? 1 : 0, corr ? corr.ptr : 0));
      }
      const ov = out.view;
      const result = new Float32Array(nb * ns);
      for (let e = 0; e < nb; e++) result.set(ov.subarray(e * ns, (e + 1) * ns), order[e]! * ns);
      return result;
    });
    const pairs = (candStart: Int32Array, candSlot: Int32Array): Float32Array => a.scoped((t) => {
      // candidate lists in packed block order
      const start = new Int32Array(nb + 1), slotsP = new Int32Array(candSlot.length), back = new Int32Array(candSlot.length);
      for (let e = 0, k = 0; e < nb; e++) {
        const b = order[e]!;
        for (let q = candStart[b]!; q < candStart[b + 1]!; q++, k++) { slotsP[k] = candSlot[q]!; back[k] = q; }
        start[e + 1] = k;
      }
      const cs = t.from('i32', start), cl = t.from('i32', slotsP.length ? slotsP : [0]), out = t.alloc('f32', Math.max(1, slotsP.length), false);
      chunks(BLOCK_CHUNK * 8, (e, cnt, f, full) => w.costPairs(bp.planes.ptr + e * bEnt, cnt, dec.nBlockPlanes, sp.planes.ptr, dec.nSlotPlanes, pb,
        f.codes.ptr, f.weights.ptr, f.n, consts.ptr + 8 * e, full ? slotConst.ptr : 0, cs.ptr + 4 * e, cl.ptr, out.ptr,
        corr ? sparse!.start.ptr : 0, ...sArgs, bp.staged.ptr + e * stride, stride, negate ? 1 : 0, corr ? corr.ptr : 0));
      const result = new Float32Array(candSlot.length), ov = out.view;
      for (let k = 0; k < slotsP.length; k++) result[back[k]!] = ov[k]!;
      return result;
    });
    return fn({ matrix, pairs });
  });
}

/** The nb × ns f32 cost matrix for blocks stored as is (negate = false) or negated. */
export function costKernel(blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cpb: number, W: Float64Array, L: number, negate: boolean,
  counts: { blocks: Float64Array; slots: Float64Array }): Float32Array {
  return withCostKernel(blocks, nb, slots, ns, cpb, W, L, negate, counts, (k) => k.matrix());
}

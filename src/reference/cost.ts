// Plain-TS twins of assembly/cost.ts (block cost matrices), counting cell by cell instead of with bit planes.
// - refBlockCostMatrixExact: when every sum is exact in f64 (src/matching/cost-plan.ts: exactQuantum), the kernel's
//   result is the exact Σ_cells W[slotLevel][blockLevel] rounded once to f32, whatever decomposition it used; so is
//   this cell-by-cell sum.
// - refBlockCostMatrix: otherwise the kernel uses a fixed decomposition (last level eliminated); this twin combines
//   the counts with exactly the same f64 operations in the same order, so the result is bit-identical.
//   costDecomposition() and the helpers below are the twin's own: the wasm path plans its codes and constants
//   separately (src/matching/cost-plan.ts), so the comparison checks that plan too.
// - refTopKCols, refLevelCounts: twins of the candidate-selection and histogram kernels.

export interface CostForm {
  /** (slotLevel f, blockLevel t) pairs in f-major order, only those with a non-zero weight. */
  codes: Int32Array;
  /** Weight of each code (f64). */
  weights: Float64Array;
}

export interface CostDecomposition {
  /** Every block: Σ_{f,t} W·count = Σ_t lastRow[t]·total(t) + Σ_{codes} weight·count, codes f < L − 1. */
  partial: CostForm;
  /** Blocks that use every cell: … + Σ_f slotRow[f]·slotTotal(f) + Σ_{codes} weight·count, codes f, t < L − 1. */
  full: CostForm;
  /** Use `full` for blocks without 255 cells (it has fewer codes). */
  useFull: boolean;
  /** W[L−1][t]. */
  lastRow: Float64Array;
  /** D[f][L−1] = W[f][L−1] − W[L−1][L−1], f < L − 1. */
  slotRow: Float64Array;
}

/**
 * Rewrites Σ_{f,t} W[f][t]·count(f,t) with Σ_f count(f,t) = blockTotal(t) (always), and, for blocks that use
 * every cell, Σ_t count(f,t) = slotTotal(f): see assembly/cost.ts.
 */
export function costDecomposition(W: ArrayLike<number>, L: number): CostDecomposition {
  const lastRow = new Float64Array(L);
  for (let t = 0; t < L; t++) lastRow[t] = W[(L - 1) * L + t];
  const D = (f: number, t: number): number => W[f * L + t] - lastRow[t];
  const slotRow = new Float64Array(L - 1);
  for (let f = 0; f < L - 1; f++) slotRow[f] = D(f, L - 1);
  const pc: number[] = [], pw: number[] = [], fc: number[] = [], fw: number[] = [];
  for (let f = 0; f < L - 1; f++) {
    for (let t = 0; t < L; t++) {
      const w = D(f, t);
      if (w !== 0) { pc.push(f, t); pw.push(w); }
      if (t < L - 1) {
        const w2 = w - slotRow[f];
        if (w2 !== 0) { fc.push(f, t); fw.push(w2); }
      }
    }
  }
  const partial = { codes: Int32Array.from(pc), weights: Float64Array.from(pw) };
  const full = { codes: Int32Array.from(fc), weights: Float64Array.from(fw) };
  return { partial, full, useFull: fw.length < pw.length, lastRow, slotRow };
}

/** Constant term of one block: Σ_t lastRow[t]·total(t), t ascending. */
export function blockConstant(lastRow: Float64Array, totals: ArrayLike<number>): number {
  let acc = 0;
  for (let t = 0; t < lastRow.length; t++) acc += lastRow[t] * totals[t];
  return acc;
}

/** Constant term of one slot (full blocks only): Σ_{f<L−1} slotRow[f]·slotTotal(f), f ascending. */
export function slotConstant(slotRow: Float64Array, totals: ArrayLike<number>): number {
  let acc = 0;
  for (let f = 0; f < slotRow.length; f++) acc += slotRow[f] * totals[f];
  return acc;
}

/** Level of cell c of a block as priced: with negate, the differential pair is swapped (cell c ↔ c ^ 1). */
const cellOf = (negate: boolean, c: number): number => (negate ? c ^ 1 : c);

/** counts[f·L + t] = #cells with slot level f and (possibly negated) block level t; 255 block cells skipped. */
export function refPairCounts(
  blocks: Uint8Array, b: number, slots: Uint8Array, s: number, cellsPerBlock: number, L: number, negate: boolean,
): Int32Array {
  const counts = new Int32Array(L * L);
  const bo = b * cellsPerBlock, so = s * cellsPerBlock;
  for (let c = 0; c < cellsPerBlock; c++) {
    const t = blocks[bo + cellOf(negate, c)];
    if (t === 255) continue;
    counts[slots[so + c] * L + t]++;
  }
  return counts;
}

/** The kernel's result for every (block, slot) pair, from cell-by-cell counts. */
export function refBlockCostMatrix(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number,
  W: ArrayLike<number>, L: number, negate: boolean,
): Float32Array {
  const dec = costDecomposition(W, L);
  const slotConsts = new Float64Array(ns);
  for (let s = 0; s < ns; s++) {
    const totals = new Int32Array(L);
    for (let c = 0; c < cellsPerBlock; c++) totals[slots[s * cellsPerBlock + c]]++;
    slotConsts[s] = slotConstant(dec.slotRow, totals);
  }
  const out = new Float32Array(nb * ns);
  for (let b = 0; b < nb; b++) {
    const totals = new Int32Array(L);
    let full = true;
    for (let c = 0; c < cellsPerBlock; c++) {
      const t = blocks[b * cellsPerBlock + c];
      if (t !== 255) totals[t]++; else full = false;
    }
    const useFull = full && dec.useFull;
    const { codes, weights } = useFull ? dec.full : dec.partial;
    const base = blockConstant(dec.lastRow, totals);
    for (let s = 0; s < ns; s++) {
      const counts = refPairCounts(blocks, b, slots, s, cellsPerBlock, L, negate);
      let acc = base;
      if (useFull) acc += slotConsts[s];
      for (let k = 0; k < weights.length; k++) acc += weights[k] * counts[codes[2 * k] * L + codes[2 * k + 1]];
      out[b * ns + s] = acc;
    }
  }
  return out;
}

/** The definition, cell by cell in f64 (for tests: equals the kernel up to f32 rounding). */
export function refBlockCostDirect(
  blocks: Uint8Array, b: number, slots: Uint8Array, s: number, cellsPerBlock: number,
  W: ArrayLike<number>, L: number, negate: boolean,
): number {
  let acc = 0;
  for (let c = 0; c < cellsPerBlock; c++) {
    const t = blocks[b * cellsPerBlock + cellOf(negate, c)];
    if (t === 255) continue;
    acc += W[slots[s * cellsPerBlock + c] * L + t];
  }
  return acc;
}

/** The kernel's result when every sum is exact: Σ_cells W[slotLevel][blockLevel] in cell order, rounded to f32. */
export function refBlockCostMatrixExact(
  blocks: Uint8Array, nb: number, slots: Uint8Array, ns: number, cellsPerBlock: number,
  W: ArrayLike<number>, L: number, negate: boolean,
): Float32Array {
  const out = new Float32Array(nb * ns);
  for (let b = 0; b < nb; b++) {
    for (let s = 0; s < ns; s++) out[b * ns + s] = refBlockCostDirect(blocks, b, slots, s, cellsPerBlock, W, L, negate);
  }
  return out;
}

/** Twin of costTopKCols: per row, the `keep` lowest listed entries by (value, column), ascending, and the f64 sum in list order. */
export function refTopKCols(m: Float32Array, stride: number, rowFrom: number, rowTo: number, cols: Int32Array, keep: number) {
  const rows = rowTo - rowFrom, K = Math.min(keep, cols.length);
  const slot = new Int32Array(rows * keep), val = new Float32Array(rows * keep), count = new Int32Array(rows), sum = new Float64Array(rows);
  for (let r = rowFrom; r < rowTo; r++) {
    const o = r - rowFrom;
    const items = Array.from(cols, (c) => [m[r * stride + c]!, c] as [number, number]);
    for (const [x] of items) sum[o] += x;
    items.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (let i = 0; i < K; i++) { val[o * keep + i] = items[i]![0]; slot[o * keep + i] = items[i]![1]; }
    count[o] = K;
  }
  return { slot, val, count, sum };
}

/** Twin of costHistogram: how many bytes hold each value. */
export function refLevelCounts(cells: Uint8Array): Float64Array {
  const h = new Float64Array(256);
  for (let i = 0; i < cells.length; i++) h[cells[i]!]++;
  return h;
}

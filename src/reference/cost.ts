// Plain-TS twin of assembly/cost.ts (block cost matrices). Counts cell-level pairs cell by cell instead of with bit
// planes, then combines the counts with exactly the same f64 operations in the same order as the kernel, so the
// result is bit-identical. costDecomposition() is shared with the host (src/matching/cost.ts).

export interface CostDecomposition {
  /** (slotLevel f, blockLevel t) pairs, f < L − 1, in f-major order, only those with a non-zero weight. */
  codes: Int32Array;
  /** W[f][t] − W[L−1][t] for each code (f64). */
  weights: Float64Array;
  /** W[L−1][t] (f64), multiplied by the block's count of cells at level t to give its constant term. */
  lastRow: Float64Array;
}

/** Rewrites Σ_{f,t} W[f][t]·count(f,t) using Σ_f count(f,t) = total(t): see assembly/cost.ts. */
export function costDecomposition(W: ArrayLike<number>, L: number): CostDecomposition {
  const codes: number[] = [], weights: number[] = [];
  const lastRow = new Float64Array(L);
  for (let t = 0; t < L; t++) lastRow[t] = W[(L - 1) * L + t];
  for (let f = 0; f < L - 1; f++) {
    for (let t = 0; t < L; t++) {
      const w = W[f * L + t] - lastRow[t];
      if (w !== 0) { codes.push(f, t); weights.push(w); }
    }
  }
  return { codes: Int32Array.from(codes), weights: Float64Array.from(weights), lastRow };
}

/** Constant term of one block: Σ_t lastRow[t]·total(t), t ascending. */
export function blockConstant(lastRow: Float64Array, totals: ArrayLike<number>): number {
  let acc = 0;
  for (let t = 0; t < lastRow.length; t++) acc += lastRow[t] * totals[t];
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
  const { codes, weights, lastRow } = costDecomposition(W, L);
  const out = new Float32Array(nb * ns);
  for (let b = 0; b < nb; b++) {
    const totals = new Int32Array(L);
    for (let c = 0; c < cellsPerBlock; c++) { const t = blocks[b * cellsPerBlock + c]; if (t !== 255) totals[t]++; }
    const base = blockConstant(lastRow, totals);
    for (let s = 0; s < ns; s++) {
      const counts = refPairCounts(blocks, b, slots, s, cellsPerBlock, L, negate);
      let acc = base;
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

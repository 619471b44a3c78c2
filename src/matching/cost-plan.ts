// Host-side plan of the wasm block-cost kernel (assembly/cost.ts): which (slot level, block level) codes it counts
// and with which weights, and the per-block and per-slot constant terms. The kernel computes
// Σ_{f,t} W[f][t]·count(f,t) without counting every pair: since Σ_f count(f,t) = blockTotal(t) for every block,
// subtracting the last row W[L−1][·] drops the codes f = L−1 (their part becomes Σ_t W[L−1][t]·blockTotal(t), the
// block constant); for a block that uses every cell, Σ_t count(f,t) = slotTotal(f) also drops t = L−1 (the slot
// constant). This file is the wasm path's own: the TS twin (src/reference/cost.ts) plans separately, so a mistake
// here shows up as a wasm ≠ reference difference instead of being shared by both.

/** Codes (f, t pairs, f-major) with a non-zero weight, and their weights. */
export interface CostCodes { codes: Int32Array; weights: Float64Array }

export interface CostPlan {
  /** For every block: codes f < L − 1, all t. */
  partial: CostCodes;
  /** For blocks without unused (255) cells: codes f, t < L − 1. */
  full: CostCodes;
  /** The full form has fewer codes (worth sorting those blocks first). */
  useFull: boolean;
  /** W[L−1][t]: weights of the block constant. */
  lastRow: Float64Array;
  /** W[f][L−1] − W[L−1][L−1], f < L − 1: weights of the slot constant. */
  slotRow: Float64Array;
}

/** The kernel's codes and constants for an L × L weight table W (row = slot level, column = block level). */
export function costPlan(W: ArrayLike<number>, L: number): CostPlan {
  const lastRow = Float64Array.from({ length: L }, (_, t) => W[(L - 1) * L + t]!);
  const slotRow = Float64Array.from({ length: L - 1 }, (_, f) => W[f * L + L - 1]! - lastRow[L - 1]!);
  const partial = { codes: [] as number[], weights: [] as number[] };
  const full = { codes: [] as number[], weights: [] as number[] };
  for (let f = 0; f + 1 < L; f++) {
    for (let t = 0; t < L; t++) {
      const reduced = W[f * L + t]! - lastRow[t]!; // W[f][t] − W[L−1][t]
      if (reduced !== 0) { partial.codes.push(f, t); partial.weights.push(reduced); }
      if (t === L - 1) continue;
      const twice = reduced - slotRow[f]!; // … − (W[f][L−1] − W[L−1][L−1])
      if (twice !== 0) { full.codes.push(f, t); full.weights.push(twice); }
    }
  }
  const pack = (c: { codes: number[]; weights: number[] }): CostCodes => ({ codes: Int32Array.from(c.codes), weights: Float64Array.from(c.weights) });
  return { partial: pack(partial), full: pack(full), useFull: full.weights.length < partial.weights.length, lastRow, slotRow };
}

/** Σ_k row[k]·totals[k], k ascending (the kernel adds the constants in this order). */
export function constantTerm(row: Float64Array, totals: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += row[k]! * totals[k]!;
  return sum;
}

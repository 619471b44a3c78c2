// Host-side plans of the wasm block-cost kernel (assembly/cost.ts): which (slot level, block level) codes it counts
// and with which weights, and the per-block and per-slot constant terms. Two plans: the fixed one (first), whose
// f64 rounding the TS twin reproduces step by step, and the exact one (below), used when every sum is exact.
// The fixed plan computes
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

// The exact plan: Σ_cells W[slotLevel][blockLevel] when every sum the kernel forms is exact in f64 — then any
// decomposition gives the same f64 value, rounded once to the same f32, and we pick the cheapest one:
//
// Exactness. Every entry of W is an f32 value, hence a multiple of q = the largest power of two that divides all
// of them. Every quantity the kernel forms (constants, weight × count, partial sums, corrections) is a signed sum of
// table entries over at most cellsPerBlock cells with at most 9 entries per cell, so it is a multiple of q of
// magnitude ≤ 9·maxAbs·cells. When 16·maxAbs·cells ≤ 2^53·q, each of them is exactly representable and no f64
// operation rounds, whatever the order. (Mismatch and L1 tables are small integers: always exact.)
//
// Decomposition. With f0 the most frequent slot level and t0 the most frequent block level, for a block that uses
// every cell
//   cost = slotConst[s] + blockConst[b] + Σ_{f≠f0, t≠t0} D[f][t]·count(f, t),
//   D[f][t] = W[f][t] − W[f][t0] − W[f0][t] + W[f0][t0],  slotConst = Σ_c W[s_c][t0],  blockConst = Σ_c W[f0][b_c] − W[f0][t0],
// i.e. (F−1)(T−1) plane pairs for F slot and T block levels present; a block with unused cells (255) is priced as
//   cost = Σ_t W[f0][t]·total_b(t) + Σ_{f≠f0, t} (W[f][t] − W[f0][t])·count(f, t).
// Rare slot levels (under 1/64 of the slot cells, e.g. the stuck-cell pseudo-levels of fault-aware pricing) get no
// plane: their cells count as f0 in the planes and are corrected one by one, corr[p][t] = W[p][t] − W[f0][t], so a
// few stuck cells cost a few lookups instead of a plane per pseudo-level in every pair.

/** Largest power of two dividing x (x finite, non-zero). */
function lowBit(x: number): number {
  let k = 0;
  let m = Math.abs(x);
  while (!Number.isInteger(m)) { m *= 2; k++; }
  while (m % 2 === 0) { m /= 2; k--; }
  return 2 ** -k;
}

/**
 * q when every sum the kernel forms over `cells` cells with table W is exact in f64 (see the top comment), else
 * null (then the caller keeps the fixed decomposition whose rounding the reference reproduces).
 */
export function exactQuantum(W: ArrayLike<number>, cells: number): number | null {
  let q = Infinity, maxAbs = 0;
  for (let k = 0; k < W.length; k++) {
    const x = W[k]!;
    if (x === 0) continue;
    maxAbs = Math.max(maxAbs, Math.abs(x));
    q = Math.min(q, lowBit(x));
  }
  if (maxAbs === 0) return 1;
  return 16 * maxAbs * Math.max(1, cells) <= 2 ** 53 * q ? q : null;
}

export interface ExactPlan {
  /** Plane index of each slot level (−1: none). */
  slotPlaneOf: Int32Array;
  nSlotPlanes: number;
  /** Plane index of each block level (−1: none). */
  blockPlaneOf: Int32Array;
  nBlockPlanes: number;
  /** Plane pairs (slot plane, block plane) and weights, for blocks that use every cell and for the others. */
  full: { codes: Int32Array; weights: Float64Array };
  partial: { codes: Int32Array; weights: Float64Array };
  /** Correction row of each slot level (−1: the level has a plane or is absent). */
  sparseRowOf: Int32Array;
  /** rows × 256: corr[row·256 + blockLevel]; 0 at 255 (a cell the block does not use). */
  corr: Float64Array;
  f0: number;
  t0: number;
}

const argmax = (h: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < h.length; i++) if (h[i]! > h[b]!) b = i; return b; };

/** The plan for L-level table W, from the level histograms of all slots and all blocks (255 excluded). */
export function exactPlan(W: ArrayLike<number>, L: number, slotHist: ArrayLike<number>, blockHist: ArrayLike<number>): ExactPlan {
  let slotCells = 0;
  for (let f = 0; f < L; f++) slotCells += slotHist[f]!;
  const f0 = argmax(slotHist), t0 = argmax(blockHist);
  const slotPlaneOf = new Int32Array(L).fill(-1), sparseRowOf = new Int32Array(L).fill(-1), blockPlaneOf = new Int32Array(L).fill(-1);
  const dense: number[] = [], sparse: number[] = [], tset: number[] = [];
  for (let f = 0; f < L; f++) {
    if (f === f0 || slotHist[f] === 0) continue;
    if (slotHist[f]! * 64 < slotCells) { sparseRowOf[f] = sparse.length; sparse.push(f); } else { slotPlaneOf[f] = dense.length; dense.push(f); }
  }
  for (let t = 0; t < L; t++) if (blockHist[t]! > 0) { blockPlaneOf[t] = tset.length; tset.push(t); }
  const w = (f: number, t: number) => W[f * L + t]!;
  const fc: number[] = [], fw: number[] = [], pc: number[] = [], pw: number[] = [];
  for (const f of dense) {
    for (const t of tset) {
      const d = w(f, t) - w(f0, t);
      if (d !== 0) { pc.push(slotPlaneOf[f]!, blockPlaneOf[t]!); pw.push(d); }
      const dd = d - (w(f, t0) - w(f0, t0));
      if (t !== t0 && dd !== 0) { fc.push(slotPlaneOf[f]!, blockPlaneOf[t]!); fw.push(dd); }
    }
  }
  const corr = new Float64Array(sparse.length * 256);
  sparse.forEach((p, r) => { for (let t = 0; t < L; t++) corr[r * 256 + t] = w(p, t) - w(f0, t); });
  return {
    slotPlaneOf, nSlotPlanes: dense.length, blockPlaneOf, nBlockPlanes: tset.length,
    full: { codes: Int32Array.from(fc), weights: Float64Array.from(fw) }, partial: { codes: Int32Array.from(pc), weights: Float64Array.from(pw) },
    sparseRowOf, corr, f0, t0,
  };
}

/** Constant of a block: full blocks Σ_t (W[f0][t] − W[f0][t0])·total(t), others Σ_t W[f0][t]·total(t). */
export function planBlockConst(W: ArrayLike<number>, L: number, plan: ExactPlan, totals: ArrayLike<number>, full: boolean): number {
  let acc = 0;
  const ref = full ? W[plan.f0 * L + plan.t0]! : 0;
  for (let t = 0; t < L; t++) acc += (W[plan.f0 * L + t]! - ref) * totals[t]!;
  return acc;
}

/** Constant of a slot (full blocks only): Σ_c W[s_c][t0] with sparse cells counted at f0. */
export function planSlotConst(W: ArrayLike<number>, L: number, plan: ExactPlan, totals: ArrayLike<number>, cells: number): number {
  let acc = 0, rest = cells;
  for (let f = 0; f < L; f++) {
    if (plan.slotPlaneOf[f]! < 0) continue;
    acc += W[f * L + plan.t0]! * totals[f]!;
    rest -= totals[f]!;
  }
  return acc + W[plan.f0 * L + plan.t0]! * rest;
}

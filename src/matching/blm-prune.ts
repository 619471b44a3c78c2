// BLM, pruned pricing: instead of the exact cost of every (block, slot) pair, price every pair on a sketch — the
// cells of one row in SKETCH_ROW_STEP of each block, the same rows of each slot — keep the best slots per block and
// region by that estimate, and price only those exactly. The sketch is a uniform sample of the cells, so a block's
// estimate, scaled by (cells it uses) / (cells it uses in the sample), is an unbiased estimate of its exact cost; a
// slot that already holds the block (cost 0) also costs 0 on the sketch, so reuse is never pruned away.
import type { BlockGrid, IncomingBlocks, PoolSlots } from './blocks.js';
import { blockCostMatrix, blockCostPairs } from './cost.js';
import { entityLevelCounts, levelCounts, topKQueries } from './cost-kernel.js';
import type { PriceTable } from './blm-price.js';

/** One row in SKETCH_ROW_STEP (rows 0, 32, 64, 96 of a 128-row block) is priced for every pair. */
export const SKETCH_ROW_STEP = 32;

/** The sampled rows' cells of every entity (n × rows × physCols, row-major per entity). */
function sketchCells(levels: Uint8Array, n: number, grid: BlockGrid): { cells: Uint8Array; perEntity: number } {
  const rows: number[] = [];
  for (let r = 0; r < grid.blockRows; r += SKETCH_ROW_STEP) rows.push(r);
  const pc = grid.physCols, per = rows.length * pc, cpb = grid.cellsPerBlock;
  const cells = new Uint8Array(n * per);
  for (let e = 0; e < n; e++) {
    rows.forEach((r, i) => cells.set(levels.subarray(e * cpb + r * pc, e * cpb + (r + 1) * pc), e * per + i * pc));
  }
  return { cells, perEntity: per };
}

const argmax = (h: ArrayLike<number>, n: number): number => { let b = 0; for (let i = 1; i < n; i++) if (h[i]! > h[b]!) b = i; return b; };

/** Σ_c W[s_c][t0] of every entity from its level counts. */
function ownTerm(counts: Int32Array, n: number, W: Float64Array, levels: number, t0: number): Float64Array {
  const out = new Float64Array(n);
  for (let e = 0; e < n; e++) for (let f = 0; f < levels; f++) out[e] += W[f * levels + t0]! * counts[e * levels + f]!;
  return out;
}

/**
 * Sketch estimates of every pair, nb × ns (with negation the cheaper of the block and its negated form):
 *   est = S(s) + scale_b·(sketch(b, s) − S_sample(s))
 * S(s) = Σ_cells W[s_c][t0] is the slot's own term (t0 the most common block level), exact over all cells and over
 * the sampled ones (a control variate: most of what makes one slot dearer than another is how many of its cells are
 * not at the common level, which S measures without sampling); scale_b = cells the block uses / cells it uses in the
 * sample (row 0 is always sampled). Blocks with unused cells use the scaled sample alone. Stuck cells (the
 * fault-aware pseudo-levels) count here at the most common slot level f0; stuckCorrection prices them.
 */
export function sketchEstimates(inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, negate: boolean, common: CommonLevels): Float32Array {
  const grid = inc.grid, nb = inc.blocks.length, ns = sl.slots.length, cpb = grid.cellsPerBlock, Lv = pt.levels;
  const W = tableOf(pt);
  const { f0, t0 } = common;
  const s = sketchCells(sl.levels, ns, grid);
  for (let i = 0; i < s.cells.length; i++) if (s.cells[i]! >= pt.L) s.cells[i] = f0;
  const slotCounts = entityLevelCounts(sl.levels, ns, cpb, Lv);
  for (let j = 0; j < ns; j++) for (let p = pt.L; p < Lv; p++) { slotCounts[j * Lv + f0] += slotCounts[j * Lv + p]!; slotCounts[j * Lv + p] = 0; }
  const S = ownTerm(slotCounts, ns, W, Lv, t0), Ssamp = ownTerm(entityLevelCounts(s.cells, ns, s.perEntity, Lv), ns, W, Lv, t0);
  const price = (levels: Uint8Array): Float32Array => {
    const b = sketchCells(levels, nb, grid);
    const est = blockCostMatrix(b.cells, nb, s.cells, ns, b.perEntity, { mode: pt.costMode, table: pt.table, levels: Lv }).cost;
    for (let i = 0; i < nb; i++) {
      const full = levels.subarray(i * cpb, (i + 1) * cpb).indexOf(255) < 0;
      const scale = used(levels, i * cpb, cpb) / used(b.cells, i * b.perEntity, b.perEntity);
      for (let j = 0, k = i * ns; j < ns; j++, k++) est[k] = full ? S[j]! + scale * (est[k]! - Ssamp[j]!) : est[k]! * scale;
    }
    return est;
  };
  const est = price(inc.levels);
  if (negate) {
    const neg = price(inc.negatedLevels);
    for (let k = 0; k < est.length; k++) if (neg[k]! < est[k]!) est[k] = neg[k]!;
  }
  return est;
}

/** The pricing table as f32 values, whatever the cost mode. */
function tableOf(pt: PriceTable): Float64Array {
  const Lv = pt.levels;
  return Float64Array.from({ length: Lv * Lv }, (_, k) => {
    if (pt.table) return Math.fround(pt.table[k]!);
    const f = Math.floor(k / Lv), t = k % Lv;
    return pt.costMode === 'l1' ? Math.abs(f - t) : f === t ? 0 : 1;
  });
}

/** The most common real level among the slots' cells (f0) and among the blocks' (t0). */
export interface CommonLevels { f0: number; t0: number }
export const commonLevels = (inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable): CommonLevels =>
  ({ f0: argmax(levelCounts(sl.levels), pt.L), t0: argmax(levelCounts(inc.levels), pt.L) });

/**
 * What the slots' stuck cells (the fault-aware pseudo-levels) add to the sketch estimates of listed pairs — all of
 * them, exactly: they are few and expensive (a mismatched stuck cell costs maxPulses), so a sample would miss most.
 * With negation, the cheaper of the two signs' corrections.
 */
export function stuckCorrection(inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, negate: boolean, f0: number, start: Int32Array, slot: Int32Array): Float32Array | null {
  if (!pt.faultAware) return null;
  const nb = inc.blocks.length, ns = sl.slots.length, cpb = inc.grid.cellsPerBlock, Lv = pt.levels;
  const W = tableOf(pt);
  // each slot's stuck cells (CSR): cell index and pseudo-level
  const sStart = new Int32Array(ns + 1), sCell: number[] = [], sLevel: number[] = [];
  for (let j = 0; j < ns; j++) {
    for (let c = j * cpb, e = c + cpb; c < e; c++) if (sl.levels[c]! >= pt.L) { sCell.push(c - j * cpb); sLevel.push(sl.levels[c]!); }
    sStart[j + 1] = sCell.length;
  }
  // corr[p·256 + t] = W[p][t] − W[f0][t]; 0 for a cell the block does not use (255)
  const corrOf = new Float64Array(Lv * 256);
  for (let p = pt.L; p < Lv; p++) for (let t = 0; t < Lv; t++) corrOf[p * 256 + t] = W[p * Lv + t]! - W[f0 * Lv + t]!;
  const out = new Float32Array(slot.length);
  for (let b = 0; b < nb; b++) {
    for (let q = start[b]!; q < start[b + 1]!; q++) {
      const j = slot[q]!;
      let plain = 0, neg = 0;
      for (let k = sStart[j]!; k < sStart[j + 1]!; k++) {
        const c = sCell[k]!, p = sLevel[k]! * 256;
        plain += corrOf[p + inc.levels[b * cpb + c]!]!;
        if (negate) neg += corrOf[p + inc.negatedLevels[b * cpb + c]!]!;
      }
      out[q] = negate && neg < plain ? neg : plain;
    }
  }
  return out;
}

const used = (cells: Uint8Array, from: number, n: number): number => {
  let u = 0;
  for (let c = from; c < from + n; c++) if (cells[c] !== 255) u++;
  return u;
};

/** Per (block, region): the `keep` slots with the lowest estimates (ties: lower slot), and the estimates' sum. */
export interface RegionTops {
  nRegions: number;
  keep: number;
  /** nb × nRegions × keep slot indices by ascending estimate; valid up to `count`. */
  slot: Int32Array;
  est: Float32Array;
  count: Int32Array;
  /** nb × nRegions: Σ estimate over the region's slots. */
  sum: Float64Array;
  /** Slots per region. */
  size: Int32Array;
}

/** Per block and region (regionOf[s] in 0..nRegions−1): the `keep` lowest estimates and the region's sum. */
export function regionTops(est: Float32Array, nb: number, ns: number, regionOf: Int32Array, nRegions: number, keep: number): RegionTops {
  const size = new Int32Array(nRegions);
  const cols: number[][] = Array.from({ length: nRegions }, () => []);
  regionOf.forEach((r, s) => { size[r]++; cols[r]!.push(s); });
  const res = topKQueries(est, ns, cols.map((c) => ({ rowFrom: 0, rowTo: nb, cols: Int32Array.from(c), keep })));
  const out: RegionTops = {
    nRegions, keep, slot: new Int32Array(nb * nRegions * keep), est: new Float32Array(nb * nRegions * keep),
    count: new Int32Array(nb * nRegions), sum: new Float64Array(nb * nRegions), size,
  };
  res.forEach((t, r) => {
    for (let b = 0; b < nb; b++) {
      const br = b * nRegions + r;
      out.slot.set(t.slot.subarray(b * keep, (b + 1) * keep), br * keep);
      out.est.set(t.val.subarray(b * keep, (b + 1) * keep), br * keep);
      out.count[br] = t.count[b]!;
      out.sum[br] = t.sum[b]!;
    }
  });
  return out;
}

/** Per block, the `keep` lowest estimates among the slots its group allows (groups: consecutive rows, column lists); one region. */
export function groupTops(est: Float32Array, nb: number, ns: number, groups: ReadonlyArray<{ from: number; to: number; cols: Int32Array }>, keep: number): RegionTops {
  const res = topKQueries(est, ns, groups.map((g) => ({ rowFrom: g.from, rowTo: g.to, cols: g.cols, keep })));
  const out: RegionTops = {
    nRegions: 1, keep, slot: new Int32Array(nb * keep), est: new Float32Array(nb * keep), count: new Int32Array(nb),
    sum: new Float64Array(nb), size: Int32Array.of(ns),
  };
  res.forEach((t, g) => {
    const { from, to } = groups[g]!;
    out.slot.set(t.slot, from * keep); out.est.set(t.val, from * keep); out.count.set(t.count, from); out.sum.set(t.sum, from);
    void to;
  });
  return out;
}

/**
 * Adds each kept pair's correction (stuckCorrection over the tops as CSR) and keeps the `keep` best per (block,
 * region) by the corrected estimate (ties: lower slot).
 */
export function correctTops(t: RegionTops, nb: number, keep: number, correct: (start: Int32Array, slot: Int32Array) => Float32Array | null): RegionTops {
  const start = new Int32Array(nb + 1), slots: number[] = [];
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < t.nRegions; r++) { const br = b * t.nRegions + r; for (let i = 0; i < t.count[br]!; i++) slots.push(t.slot[br * t.keep + i]!); }
    start[b + 1] = slots.length;
  }
  const corr = correct(start, Int32Array.from(slots));
  if (!corr) return t;
  const out: RegionTops = { ...t, keep, slot: new Int32Array(nb * t.nRegions * keep), est: new Float32Array(nb * t.nRegions * keep), count: new Int32Array(nb * t.nRegions) };
  const items: Array<[number, number]> = [];
  for (let b = 0, q = 0; b < nb; b++) {
    for (let r = 0; r < t.nRegions; r++) {
      const br = b * t.nRegions + r;
      items.length = 0;
      for (let i = 0; i < t.count[br]!; i++, q++) items.push([Math.fround(t.est[br * t.keep + i]! + corr[q]!), t.slot[br * t.keep + i]!]);
      items.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      const n = Math.min(keep, items.length);
      for (let i = 0; i < n; i++) { out.est[br * keep + i] = items[i]![0]; out.slot[br * keep + i] = items[i]![1]; }
      out.count[br] = n;
    }
  }
  return out;
}

/** Candidate lists (CSR): per block the first k of its (one-region) tops, plus `extra` slots (−1: none), each once. */
export function candidateLists(t: RegionTops, nb: number, k: number, extra: (b: number) => readonly number[]): { start: Int32Array; slot: Int32Array } {
  const start = new Int32Array(nb + 1), out: number[] = [];
  for (let b = 0; b < nb; b++) {
    const from = out.length;
    for (let i = 0; i < Math.min(k, t.count[b]!); i++) out.push(t.slot[b * t.keep + i]!);
    for (const e of extra(b)) if (e >= 0 && out.indexOf(e, from) < 0) out.push(e);
    start[b + 1] = out.length;
  }
  return { start, slot: Int32Array.from(out) };
}

/** Exact costs of the candidates: plain, the cheaper sign, and where the negated block is strictly cheaper. */
export interface PricedCandidates { start: Int32Array; slot: Int32Array; plain: Float32Array; cost: Float32Array; negated: Uint8Array | null }

export function priceCandidates(inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, negate: boolean, start: Int32Array, slot: Int32Array): PricedCandidates {
  const nb = inc.blocks.length, ns = sl.slots.length, cpb = inc.grid.cellsPerBlock;
  const opts = { mode: pt.costMode, table: pt.table, levels: pt.levels };
  const plain = blockCostPairs(inc.levels, nb, sl.levels, ns, cpb, start, slot, opts).cost;
  if (!negate) return { start, slot, plain, cost: plain, negated: null };
  const neg = blockCostPairs(inc.negatedLevels, nb, sl.levels, ns, cpb, start, slot, opts).cost;
  const cost = new Float32Array(plain.length), negated = new Uint8Array(plain.length);
  for (let k = 0; k < plain.length; k++) if (neg[k]! < plain[k]!) { cost[k] = neg[k]!; negated[k] = 1; } else cost[k] = plain[k]!;
  return { start, slot, plain, cost, negated };
}

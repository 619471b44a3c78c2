// BLM, pruned matching: the phases of src/matching/blm.ts on candidate lists instead of dense matrices.
//   price     sketch estimates of every (block, slot) pair (blm-prune.ts);
//   restrict  layer mode: C[i][a] is the optimal assignment of layer i's blocks over their best few sketched slots
//             in region a plus the free slots, each block also allowed a private stand-in priced at its mean
//             estimate over those slots (so C is finite whenever the layer fits: a block whose candidates are taken
//             costs what an average slot would); then the same layer pairing as the exact matcher. A complete
//             assignment within the pairing (the witness: a maximum flow of blocks from layers to regions) must
//             exist; when it does not (the pairing asked more of the shared free slots than there are), the layers
//             are paired again with stricter capacities, and in the end matched globally;
//   assign    per block the k best allowed slots by the sketch (with stuck cells, PRESELECT·k by the sketch and then
//             k by the sketch plus their exact stuck-cell price), the witness's slot and the in-place slot, all
//             priced exactly in one pass; one sparse assignment over them (the witness makes it feasible).
// Every reported cost is exact; only the choice of slots is approximate.
import { AssignmentError, linearAssignment } from './assignment.js';
import { sparseAssignment } from './assignment-sparse.js';
import { slotIndex, type BlockGrid, type IncomingBlocks, type PoolSlots } from './blocks.js';
import { slotRegions, type AssignClock } from './blm-layer.js';
import { candidateLists, commonLevels, correctTops, groupTops, priceCandidates, regionTops, sketchEstimates, stuckCorrection, type PricedCandidates, type RegionTops } from './blm-prune.js';
import type { PriceTable } from './blm-price.js';
import type { Placement } from '../mapping/placement.js';

/** With stuck cells, the sketch preselects this many times k per block and region before their exact correction. */
const PRESELECT = 2;
/** Candidates per block and region that price a layer pairing (estimates only). */
const PAIRING_CANDIDATES = 16;

export interface PrunedInput {
  inc: IncomingBlocks;
  sl: PoolSlots;
  pt: PriceTable;
  mode: 'global' | 'layer';
  negate: boolean;
  resident?: Placement;
  k: number;
  numCrossbars: number;
  nLayersB: number;
}

export interface PrunedMatch {
  /** Slot per block, or null when no assignment over the allowed slots exists. */
  assign: Int32Array | null;
  total: number;
  /** Per block: stored negated. */
  negated: Uint8Array;
  inPlace: Int32Array;
  inPlaceCost: number | null;
  layerPairs?: Array<number | null>;
  /** Exactly priced (block, slot) pairs. */
  priced: number;
  sketchMs: number;
  costMs: number;
}

/** Optimal cost of rows over their best few tops in `regions`, each row also allowed a stand-in at its mean estimate there. */
function standInCost(t: RegionTops, rows: readonly number[], regions: readonly number[], ns: number, clock: AssignClock): number {
  if (rows.length === 0) return 0;
  const start = new Int32Array(rows.length + 1), cols: number[] = [], cost: number[] = [];
  rows.forEach((b, i) => {
    let sum = 0, size = 0;
    for (const r of regions) {
      const br = b * t.nRegions + r, at = br * t.keep;
      for (let q = 0; q < Math.min(PAIRING_CANDIDATES, t.count[br]!); q++) { cols.push(t.slot[at + q]!); cost.push(t.est[at + q]!); }
      sum += t.sum[br]!; size += t.size[r]!;
    }
    cols.push(ns + i); cost.push(size ? sum / size : 0);
    start[i + 1] = cols.length;
  });
  const ta = performance.now();
  try { return sparseAssignment(rows.length, ns + rows.length, { rowStart: start, colIdx: Int32Array.from(cols), cost: Float64Array.from(cost) }).total; } finally {
    clock.assignMs += performance.now() - ta;
  }
}

/**
 * Layer pairing over the candidates (see the top comment); null when no pairing fits. Strictness 0 prices a layer on
 * its partner region plus the free slots (as the exact matcher does); since every layer is priced as if it had the
 * free slots to itself, the pairing can ask more of them than there are — then strictness 1 requires the partner
 * region alone to hold the layer, and 2 also drops "no partner" for every layer.
 */
function pairLayers(inp: PrunedInput, t: RegionTops, clock: AssignClock, strictness: 0 | 1 | 2): Array<number | null> | null {
  const nA = t.nRegions - 1, nB = inp.nLayersB, F = nA, ns = inp.sl.slots.length;
  const layerBlocks: number[][] = Array.from({ length: nB }, () => []);
  inp.inc.blocks.forEach((b, i) => layerBlocks[b.layer]!.push(i));
  const W = nA + nB, C = new Float64Array(nB * W);
  for (let i = 0; i < nB; i++) {
    const n = layerBlocks[i]!.length;
    for (let a = 0; a < nA; a++) {
      C[i * W + a] = n > t.size[a]! + (strictness ? 0 : t.size[F]!) ? Infinity : standInCost(t, layerBlocks[i]!, [a, F], ns, clock);
    }
    const alone = n > t.size[F]! || strictness === 2 ? Infinity : standInCost(t, layerBlocks[i]!, [F], ns, clock);
    for (let d = 0; d < nB; d++) C[i * W + nA + d] = alone;
  }
  try {
    const ta = performance.now();
    const pairs = linearAssignment(C, nB, W).rowToCol;
    clock.assignMs += performance.now() - ta;
    return Array.from(pairs, (a) => (a < nA ? a : null));
  } catch (e) {
    if (e instanceof AssignmentError) return null;
    throw e;
  }
}

/** The pruned match (no guards); `notes` collects what fell back. */
export function prunedMatch(inp: PrunedInput, notes: string[], clock: AssignClock): PrunedMatch {
  const { inc, sl, pt, negate } = inp, grid: BlockGrid = inc.grid;
  const nb = inc.blocks.length, ns = sl.slots.length;
  const t0 = performance.now();
  const common = commonLevels(inc, sl, pt);
  const est = sketchEstimates(inc, sl, pt, negate, common);
  const region = inp.mode === 'layer' ? slotRegions(grid, ns, inp.numCrossbars, inp.resident) : new Int32Array(ns).fill(-1);
  const nA = inp.mode === 'layer' && inp.resident ? inp.resident.layers.length : 0;
  const regionOf = Int32Array.from(region, (r) => (r < 0 ? nA : r));
  const sketchMs = performance.now() - t0;
  const inPlace = new Int32Array(nb).fill(-1);
  for (let b = 0; b < nb; b++) inPlace[b] = slotIndex(grid, inp.numCrossbars, inc.blocks[b]!.inPlace);
  // the allowed regions of each incoming layer, and a complete assignment within them (the witness)
  const everyRegion = Array.from({ length: nA + 1 }, (_, r) => r);
  let allowed: (layer: number) => readonly number[] = () => everyRegion;
  let layerPairs: Array<number | null> | undefined;
  let w: Int32Array | null = null;
  if (inp.mode === 'layer' && nA > 0) {
    const pairTops = regionTops(est, nb, ns, regionOf, nA + 1, PAIRING_CANDIDATES);
    for (const strictness of [0, 1, 2] as const) {
      const pairs = pairLayers(inp, pairTops, clock, strictness);
      if (!pairs) continue;
      const paired = new Set(pairs.filter((a): a is number => a !== null));
      const open = [nA, ...everyRegion.slice(0, nA).filter((a) => !paired.has(a))];
      const lists = pairs.map((p) => (p === null ? open : [p, ...open]));
      w = witness(inc, regionOf, nA + 1, (layer) => lists[layer]!);
      if (!w) continue;
      if (strictness) notes.push(`layer mode: the pairing that lets every layer use the free slots asks more of them than there are; paired again with ${strictness === 1 ? 'each partner region holding its whole layer' : 'every layer paired with a region that holds it whole'}`);
      layerPairs = pairs;
      allowed = (layer) => lists[layer]!;
      break;
    }
    if (!w) notes.push('layer mode: no layer pairing leaves room for every block; fell back to global matching');
  }
  if (!w) w = witness(inc, regionOf, nA + 1, allowed);
  // candidates: the k best allowed slots by the sketch (stuck cells, priced exactly, can reorder the best few: the
  // sketch preselects PRESELECT·k, then their correction picks k), the witness's slot and the in-place slot (priced
  // even when not allowed: it prices the in-place guard), all priced exactly in one pass
  const t2 = performance.now();
  const groups = layerGroups(inc, regionOf, allowed);
  const pre = groupTops(est, nb, ns, groups, pt.faultAware ? PRESELECT * inp.k : inp.k);
  const tops = correctTops(pre, nb, inp.k, (start, slot) => stuckCorrection(inc, sl, pt, negate, common.f0, start, slot));
  const tc = performance.now();
  const sketchTotal = sketchMs + (tc - t2);
  const lists = candidateLists(tops, nb, inp.k, (b) => [inPlace[b]!, w ? w[b]! : -1]);
  const c = priceCandidates(inc, sl, pt, negate, lists.start, lists.slot);
  const costMs = performance.now() - tc;
  let inPlaceCost: number | null = inPlace.every((s) => s >= 0) ? 0 : null;
  const ok = new Uint8Array(c.slot.length);
  for (let b = 0; b < nb; b++) {
    const allow = allowed(inc.blocks[b]!.layer);
    for (let q = c.start[b]!; q < c.start[b + 1]!; q++) {
      ok[q] = allow.includes(regionOf[c.slot[q]!]!) ? 1 : 0;
      if (inPlaceCost !== null && c.slot[q] === inPlace[b]) inPlaceCost += c.plain[q]!;
    }
  }
  const negated = new Uint8Array(nb);
  const base = { negated, inPlace, inPlaceCost, layerPairs, priced: c.slot.length, sketchMs: sketchTotal, costMs };
  if (!w) return { ...base, assign: null, total: 0 };
  const { pick, assign } = solveCandidates(c, ok, nb, ns, clock);
  let total = 0;
  for (let b = 0; b < nb; b++) {
    total += c.cost[pick[b]!]!;
    if (c.negated) negated[b] = c.negated[pick[b]!]!;
  }
  return { ...base, assign, total };
}

/** Runs of consecutive blocks of one layer, with the slots (ascending) of the regions that layer may use. */
function layerGroups(inc: IncomingBlocks, regionOf: Int32Array, allowed: (layer: number) => readonly number[]) {
  const groups: Array<{ from: number; to: number; cols: Int32Array }> = [];
  const colsOf = new Map<number, Int32Array>();
  for (let b = 0; b < inc.blocks.length;) {
    const layer = inc.blocks[b]!.layer;
    let e = b + 1;
    while (e < inc.blocks.length && inc.blocks[e]!.layer === layer) e++;
    let cols = colsOf.get(layer);
    if (!cols) {
      const ok = new Uint8Array(regionOf.length ? Math.max(...regionOf) + 1 : 0);
      for (const r of allowed(layer)) ok[r] = 1;
      const list: number[] = [];
      regionOf.forEach((r, s) => { if (ok[r]) list.push(s); });
      cols = Int32Array.from(list);
      colsOf.set(layer, cols);
    }
    groups.push({ from: b, to: e, cols });
    b = e;
  }
  return groups;
}

/** Sparse assignment over the allowed priced candidates; the witness among them makes it feasible. */
function solveCandidates(c: PricedCandidates, ok: Uint8Array, nb: number, ns: number, clock: AssignClock): { pick: Int32Array; assign: Int32Array } {
  const start = new Int32Array(nb + 1), at: number[] = [];
  for (let b = 0; b < nb; b++) {
    for (let q = c.start[b]!; q < c.start[b + 1]!; q++) if (ok[q]) at.push(q);
    start[b + 1] = at.length;
  }
  const idx = Int32Array.from(at);
  const ta = performance.now();
  const r = sparseAssignment(nb, ns, { rowStart: start, colIdx: Int32Array.from(idx, (q) => c.slot[q]!), cost: Float64Array.from(idx, (q) => c.cost[q]!) });
  clock.assignMs += performance.now() - ta;
  const pick = new Int32Array(nb);
  for (let b = 0; b < nb; b++) for (let q = start[b]!; q < start[b + 1]!; q++) if (c.slot[idx[q]!] === r.rowToCol[b]) { pick[b] = idx[q]!; break; }
  return { pick, assign: r.rowToCol };
}

/**
 * A complete assignment of blocks to distinct slots of their layers' allowed regions, if one exists (null
 * otherwise): a maximum flow from layers (demand = their blocks) to regions (capacity = their slots), then the flow
 * between a layer and a region handed out slot by slot. Added to the candidate lists, it guarantees that the sparse
 * assignment has a solution.
 */
function witness(inc: IncomingBlocks, regionOf: Int32Array, nR: number, allow: (layer: number) => readonly number[]): Int32Array | null {
  const nb = inc.blocks.length;
  const nL = inc.blocks.reduce((m, b) => Math.max(m, b.layer + 1), 0);
  const demand = new Int32Array(nL), cap = new Int32Array(nR);
  for (const b of inc.blocks) demand[b.layer]++;
  for (const r of regionOf) cap[r]++;
  const flow = new Int32Array(nL * nR);
  const used = new Int32Array(nR);
  // augmenting paths, breadth first: layer → allowed region; a full region → a layer that sends flow there
  for (let i = 0; i < nL; i++) {
    while (demand[i]! > 0) {
      const prevOfRegion = new Int32Array(nR).fill(-1), prevOfLayer = new Int32Array(nL).fill(-1);
      const queue: number[] = [i];
      prevOfLayer[i] = nR; // the root
      let end = -1;
      for (let q = 0; q < queue.length && end < 0; q++) {
        const l = queue[q]!;
        for (const r of allow(l)) {
          if (prevOfRegion[r] !== -1) continue;
          prevOfRegion[r] = l;
          if (used[r]! < cap[r]!) { end = r; break; }
          for (let l2 = 0; l2 < nL; l2++) if (prevOfLayer[l2] === -1 && flow[l2 * nR + r]! > 0) { prevOfLayer[l2] = r; queue.push(l2); }
        }
      }
      if (end < 0) return null;
      let amount = Math.min(demand[i]!, cap[end]! - used[end]!);
      for (let r = end; ;) {
        const l = prevOfRegion[r]!;
        if (l === i) break;
        r = prevOfLayer[l]!;
        amount = Math.min(amount, flow[l * nR + r]!);
      }
      used[end] += amount;
      for (let r = end; ;) {
        const l = prevOfRegion[r]!;
        flow[l * nR + r] += amount;
        if (l === i) break;
        r = prevOfLayer[l]!;
        flow[l * nR + r] -= amount;
      }
      demand[i] -= amount;
    }
  }
  const slotsOf: number[][] = Array.from({ length: nR }, () => []);
  regionOf.forEach((r, s) => slotsOf[r]!.push(s));
  const next = new Int32Array(nR), out = new Int32Array(nb);
  const left = Array.from(flow);
  for (let b = 0; b < nb; b++) {
    const l = inc.blocks[b]!.layer;
    let r = 0;
    while (left[l * nR + r]! === 0) r++;
    left[l * nR + r]--;
    out[b] = slotsOf[r]![next[r]++]!;
  }
  return out;
}

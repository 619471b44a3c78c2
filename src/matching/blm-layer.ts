// BLM, phase 2 — restrict (layer mode): pair every incoming layer with at most one resident layer's region, then
// forbid every block the slots of regions paired with other layers. See src/matching/blm.ts.
import type { Placement } from '../mapping/placement.js';
import { AssignmentError, linearAssignment } from './assignment.js';
import type { BlockGrid } from './blocks.js';
import type { Priced } from './blm-price.js';

/** Accumulates the time spent in assignments. */
export interface AssignClock { assignMs: number }

/** Slot → resident layer that covers most of its cells (−1 = free). */
export function slotRegions(grid: BlockGrid, numSlots: number, numCrossbars: number, resident?: Placement): Int32Array {
  const region = new Int32Array(numSlots).fill(-1);
  if (!resident) return region;
  const area = new Map<number, Map<number, number>>();
  for (const b of resident.blocks) {
    if (b.crossbar >= numCrossbars) continue;
    const r0 = Math.floor(b.rowOffset / grid.blockRows), r1 = Math.floor((b.rowOffset + b.rows - 1) / grid.blockRows);
    const c0 = Math.floor(b.colOffset / grid.blockCols), c1 = Math.floor((b.colOffset + b.cols - 1) / grid.blockCols);
    for (let r = r0; r <= Math.min(r1, grid.slotRows - 1); r++) {
      for (let c = c0; c <= Math.min(c1, grid.slotCols - 1); c++) {
        const rows = Math.min(b.rowOffset + b.rows, (r + 1) * grid.blockRows) - Math.max(b.rowOffset, r * grid.blockRows);
        const cols = Math.min(b.colOffset + b.cols, (c + 1) * grid.blockCols) - Math.max(b.colOffset, c * grid.blockCols);
        const s = (b.crossbar * grid.slotRows + r) * grid.slotCols + c;
        let m = area.get(s);
        if (!m) { m = new Map(); area.set(s, m); }
        m.set(b.layer, (m.get(b.layer) ?? 0) + rows * cols);
      }
    }
  }
  for (const [s, m] of area) {
    let best = -1, bestA = -1;
    for (const [l, a] of m) if (a > bestA || (a === bestA && l < best)) { best = l; bestA = a; }
    region[s] = best;
  }
  return region;
}

/** Optimal cost of assigning the given blocks to the given slots (+Infinity when they do not fit / infeasible). */
function subAssignmentCost(cost: Float32Array, ns: number, rows: readonly number[], cols: readonly number[]): number {
  if (rows.length === 0) return 0;
  if (rows.length > cols.length) return Infinity;
  const sub = new Float32Array(rows.length * cols.length);
  rows.forEach((b, i) => { for (let j = 0; j < cols.length; j++) sub[i * cols.length + j] = cost[b * ns + cols[j]!]!; });
  try {
    return linearAssignment(sub, rows.length, cols.length).total;
  } catch (e) {
    if (e instanceof AssignmentError) return Infinity;
    throw e;
  }
}

export interface LayerRestriction {
  /** The cost matrix with every pair outside the pairing set to +Infinity; null when no pairing fits. */
  work: Float32Array | null;
  /** Partner region (resident layer) of every incoming layer, null = free slots only. */
  layerPairs?: Array<number | null>;
}

/**
 * Layer pairing: C[i][a] = optimal cost of incoming layer i's blocks on region a plus the free slots, and extra
 * "no partner" columns price layer i on the free slots alone; one assignment pairs every incoming layer with at most
 * one resident layer. Then block b of layer i may use its partner's region, the free slots and the regions paired
 * with nobody.
 */
export function restrictToLayers(p: Priced, nLayersB: number, numCrossbars: number, resident: Placement | undefined, clock: AssignClock): LayerRestriction {
  const { nb, ns, cost } = p;
  const ta = performance.now();
  const region = slotRegions(p.grid, ns, numCrossbars, resident);
  const nA = resident ? resident.layers.length : 0, nB = nLayersB;
  const regionSlots: number[][] = Array.from({ length: nA }, () => []);
  const free: number[] = [];
  region.forEach((r, s) => { if (r < 0) free.push(s); else regionSlots[r]!.push(s); });
  const layerBlocks: number[][] = Array.from({ length: nB }, () => []);
  p.inc.blocks.forEach((b, i) => layerBlocks[b.layer]!.push(i));
  const W = nA + nB;
  const C = new Float64Array(nB * W);
  for (let i = 0; i < nB; i++) {
    for (let a = 0; a < nA; a++) C[i * W + a] = subAssignmentCost(cost, ns, layerBlocks[i]!, [...regionSlots[a]!, ...free]);
    const alone = subAssignmentCost(cost, ns, layerBlocks[i]!, free);
    for (let d = 0; d < nB; d++) C[i * W + nA + d] = alone;
  }
  clock.assignMs += performance.now() - ta;
  let pairs: Int32Array;
  try {
    const tp = performance.now();
    pairs = linearAssignment(C, nB, W).rowToCol;
    clock.assignMs += performance.now() - tp;
  } catch (e) {
    if (!(e instanceof AssignmentError)) throw e;
    return { work: null };
  }
  const layerPairs = Array.from(pairs, (a) => (a < nA ? a : null));
  const pairedRegion = new Set(layerPairs.filter((a): a is number => a !== null));
  const work = new Float32Array(cost);
  for (let b = 0; b < nb; b++) {
    const partner = layerPairs[p.inc.blocks[b]!.layer]!;
    for (let s = 0; s < ns; s++) {
      const r = region[s]!;
      if (r >= 0 && r !== partner && pairedRegion.has(r)) work[b * ns + s] = Infinity;
    }
  }
  return { work, layerPairs };
}

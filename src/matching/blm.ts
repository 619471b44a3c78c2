// BLM — block-based layer matching (DESIGN §3.2): place an incoming model's blocks onto the pool's slots so that
// turning the pool into the incoming model costs as few programming cycles as possible, and return the result as a
// Placement (scheme 'blm'). The Placement IS the routing table: every block records its input rows (srcRow..),
// its output columns (srcCol..), its slot (crossbar, rowOffset, colOffset) and its sign (negated); the crossbar
// engine (src/inference/engine.ts) follows it, so a matched model computes exactly the unmatched model's function.
//
//   const r = blmPlacement(qmB, pool, { mode: 'global', negate: true, blockRows: 64 });
//   r.placement, r.expectedCost, r.inPlaceCost, r.matchMs
//   programModel(qmB, r.placement, pool)                      // program only what B needs
//
// Cost: cost[b][s] from blockCostMatrix (src/matching/cost.ts) on the slot's present levels (pool.levels()) and
// the block's target levels: 'expected' (default; expected write-verify cycles from expectedCostTable(pool.config)),
// 'mismatch' (cells that differ) or 'l1' (Σ |level difference|). With `negate`, each block may also be stored as −W
// (differential: the pair's roles swapped; offset: −W + offset encoded) when that is strictly cheaper; the engine
// subtracts a negated block's outputs, so the function is unchanged. Stuck cells and the offset scheme's reference
// column are not priced (the same for every placement of a block / already at level 0 on a fresh pool).
//
// Matching (linearAssignment: Jonker-Volgenant, rows = blocks, columns = slots, +Infinity = forbidden):
// - global: one assignment of all blocks to all slots.
// - layer: our reconstruction of "pair layers first, then blocks within paired layers":
//   1. Regions. Each slot belongs to the resident layer that covers most of its cells in `resident` (the placement
//      of the model the pool holds), or is free if no resident block touches it.
//   2. Layer pairing. C[i][a] = the optimal assignment cost of incoming layer i's blocks to the slots of region a
//      plus the free slots (a sub-assignment; +Infinity if they do not fit). Extra "no partner" columns (one per
//      incoming layer) price layer i on the free slots alone. One assignment over this nLayersB × (nLayersA +
//      nLayersB) matrix pairs every incoming layer with at most one resident layer, and vice versa.
//   3. Blocks. One assignment of all blocks where block b of layer i may use the slots of its partner region, the
//      free slots, and the slots of resident layers paired with nobody (overflow); every other pair is forbidden.
//   Without `resident`, every slot is free and layer mode equals global mode.
//   If step 3 is infeasible (overflow slots shared by several layers ran out) we fall back to global (noted in
//   `notes`).
// Guard: when the baseline (in-place, `diff`) placement fits the pool and is strictly cheaper than the matched one
// (possible in layer mode, whose pairing restricts the choice, or after routing repairs), the in-place placement is
// returned instead (usedInPlace = true; set fallbackInPlace: false to see the raw result). So BLM never costs more
// than diff; global mode without repairs is optimal over all slot assignments, hence never above diff anyway.
//
// Routing rule (why some placements are forbidden). Blocks of DIFFERENT layers on one crossbar never interfere:
// the layers run at different times, and only the running layer's rows are driven. Blocks of the SAME layer on one
// crossbar run together (one MVM step per crossbar and layer, as in XAMM), so the crossbar's row → input-row map
// and column → output-column map must be functions: two same-layer blocks that share crossbar rows must take the
// same input rows (srcRow − rowOffset equal), and two that share crossbar columns must feed the same output columns
// (srcCol − colOffset equal) — otherwise one column would add currents meant for two different outputs, or one row
// would need two inputs at once. A tile cut into blocks and placed intact satisfies this (so an identical copy is
// found at cost 0); blocks with disjoint rows and columns always do. checkRouting enforces it; the matcher repairs
// violations: it accepts the assigned blocks cheapest first, and re-assigns those that would break the rule among
// the remaining slots with the conflicting slots forbidden, until all are placed (see "routing repair" below); if
// that gets stuck (small blocks of a big layer can run out of compatible free slots), the tiles of the stuck blocks
// are pinned to their in-place slots (accepted first; no other block may use those slots) and the matching runs
// again (pinnedTiles); in the worst case every tile ends up in place. Tile guard: the whole-tile match cut into
// blocks always satisfies the rule, so it is returned when cheaper (usedTiles). routing: 'serial' drops the rule instead and
// counts the extra MVM steps (serialSteps) that running conflicting same-layer blocks one after another costs.
// (As in XAMM, cells at a driven row × read column that belong to no block of the running layer are assumed to be
// neutral or gated; the engine computes block by block, which is what per-block row/column gating gives.)
import type { CrossbarPool } from '../hardware/pool.js';
import { checkPlacement, makePlacement, mappingGeometry, PlacementError, type LayerMatrix, type Placement, type PlacedBlock, type Tile } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import { expectedCostTable } from '../programming/cost-table.js';
import { stuckCellCosts } from '../programming/stuck-costs.js';
import { AssignmentError, linearAssignment } from './assignment.js';
import { blockCostMatrix, type BlockCostMode } from './cost.js';
import { blockGrid, modelBlocks, poolSlots, slotIndex, type BlockGrid, type BlockGridOptions, type ModelBlock, type Slot } from './blocks.js';

export type BlmMode = 'global' | 'layer';

export interface BlmOptions extends BlockGridOptions {
  /** 'global' (default): all blocks at once; 'layer': pair layers first (needs `resident` to mean anything). */
  mode?: BlmMode;
  /** Cost of a (block, slot) pair: 'expected' cycles (default), 'mismatch' cells, 'l1' level distance. */
  cost?: BlockCostMode;
  /** L × L expected-cycles table for 'expected' (default expectedCostTable(pool.config).mean). */
  table?: ArrayLike<number>;
  /**
   * Price stuck cells as the write-verify treats them (cost 'expected' only; default true): a stuck cell whose stuck
   * value is not the block's level there costs maxPulses and stays wrong, so BLM steers blocks to slots whose stuck
   * cells already hold what the block needs there.
   */
  faultAware?: boolean;
  /** Allow blocks to be stored negated when strictly cheaper (default false). */
  negate?: boolean;
  /** Placement of the model the pool holds now (layer mode: its layers are the regions paired with). */
  resident?: Placement;
  /** Return the in-place placement when it is strictly cheaper (default true). */
  fallbackInPlace?: boolean;
  /** Strict routing with blocks smaller than the tile: return the whole-tile match when it is cheaper (default true). */
  tileGuard?: boolean;
  /**
   * 'strict' (default): enforce the routing rule (one MVM step per crossbar and layer). 'serial': allow any
   * placement; same-layer blocks of a crossbar that break the rule run in separate MVM steps (counted in
   * `serialSteps`), each step driving only its blocks' rows and reading only their columns.
   */
  routing?: 'strict' | 'serial';
}

export interface BlmResult {
  placement: Placement;
  /** Σ cost of the chosen (block, slot, sign), in the cost mode's units (expected cycles by default). */
  expectedCost: number;
  /** The same for the in-place (baseline, `diff`) placement on this pool; null when it does not fit the pool. */
  inPlaceCost: number | null;
  /** The in-place placement was returned because it was strictly cheaper. */
  usedInPlace: boolean;
  /** The whole-tile match (cut into blocks) was returned because it was strictly cheaper (tileGuard). */
  usedTiles: boolean;
  mode: BlmMode;
  cost: BlockCostMode;
  grid: BlockGrid;
  blocks: number;
  slots: number;
  /** Blocks stored negated. */
  negatedBlocks: number;
  /** Routing-repair rounds that were needed. */
  repairs: number;
  /** Strict routing: tiles (baseline order) pinned in place because the repair could not place their blocks. */
  pinnedTiles: number[];
  /** Layers of the pinned tiles. */
  pinnedLayers: number[];
  /** MVM steps beyond one per (crossbar, layer) that the placement needs (0 under strict routing). */
  serialSteps: number;
  /** Layer mode: partner region (resident layer index) of every incoming layer, null = free slots only. */
  layerPairs?: Array<number | null>;
  /** Wall time of the whole matching (block/slot gathering, cost matrices, assignments), ms. */
  matchMs: number;
  /** Of which: cost matrices, ms. */
  costMs: number;
  /** Of which: assignments, ms. */
  assignMs: number;
  notes: string[];
}

class RepairStuck extends Error {
  constructor(readonly tiles: Set<number>) { super('routing repair stuck'); }
}

/** A (block i, block j) pair that breaks the routing rule, and why. */
export interface RoutingConflict { a: number; b: number; kind: 'rows' | 'cols'; crossbar: number }

const overlap = (a0: number, an: number, b0: number, bn: number): boolean => a0 < b0 + bn && b0 < a0 + an;

/** Same-layer blocks on one crossbar that share rows with different inputs, or columns with different outputs. */
export function routingConflicts(blocks: readonly PlacedBlock[]): RoutingConflict[] {
  const groups = new Map<string, number[]>();
  blocks.forEach((b, i) => {
    const k = `${b.crossbar}/${b.layer}`;
    const g = groups.get(k);
    if (g) g.push(i); else groups.set(k, [i]);
  });
  const out: RoutingConflict[] = [];
  for (const g of groups.values()) {
    for (let x = 0; x < g.length; x++) {
      for (let y = x + 1; y < g.length; y++) {
        const p = blocks[g[x]!]!, q = blocks[g[y]!]!;
        if (overlap(p.rowOffset, p.rows, q.rowOffset, q.rows) && p.srcRow - p.rowOffset !== q.srcRow - q.rowOffset) {
          out.push({ a: g[x]!, b: g[y]!, kind: 'rows', crossbar: p.crossbar });
        } else if (overlap(p.colOffset, p.cols, q.colOffset, q.cols) && p.srcCol - p.colOffset !== q.srcCol - q.colOffset) {
          out.push({ a: g[x]!, b: g[y]!, kind: 'cols', crossbar: p.crossbar });
        }
      }
    }
  }
  return out;
}

/** Throws PlacementError when same-layer blocks on one crossbar would mix inputs or outputs (see the top comment). */
export function checkRouting(p: Placement): void {
  const c = routingConflicts(p.blocks)[0];
  if (!c) return;
  const A = p.blocks[c.a]!, B = p.blocks[c.b]!;
  const d = (b: PlacedBlock) => `(rows ${b.srcRow}+${b.rows}, cols ${b.srcCol}+${b.cols} at ${b.rowOffset},${b.colOffset})`;
  throw new PlacementError(c.kind === 'rows'
    ? `blocks ${c.a} ${d(A)} and ${c.b} ${d(B)} of layer ${A.layer} share rows of crossbar ${c.crossbar} but take different input rows; ` +
      'one crossbar row cannot carry two inputs in one MVM: put them in disjoint rows or another crossbar'
    : `blocks ${c.a} ${d(A)} and ${c.b} ${d(B)} of layer ${A.layer} share columns of crossbar ${c.crossbar} but feed different outputs; ` +
      'their currents would add in one column: put them in disjoint columns or another crossbar');
}

/**
 * Extra MVM steps a placement needs: per (crossbar, layer), blocks are put greedily (in order) into the first step
 * they do not conflict with; Σ (steps − 1).
 */
export function serialMvmSteps(blocks: readonly PlacedBlock[]): number {
  const groups = new Map<string, PlacedBlock[][]>();
  let extra = 0;
  for (const b of blocks) {
    const k = `${b.crossbar}/${b.layer}`;
    let steps = groups.get(k);
    if (!steps) { steps = []; groups.set(k, steps); }
    const fits = (step: PlacedBlock[]) => step.every((q) =>
      !(overlap(q.rowOffset, q.rows, b.rowOffset, b.rows) && q.srcRow - q.rowOffset !== b.srcRow - b.rowOffset) &&
      !(overlap(q.colOffset, q.cols, b.colOffset, b.cols) && q.srcCol - q.colOffset !== b.srcCol - b.colOffset));
    const step = steps.find(fits);
    if (step) step.push(b); else { steps.push([b]); if (steps.length > 1) extra++; }
  }
  return extra;
}

/**
 * Builds and validates the placement that puts block i on slot assign[i] (negated[i] = stored as −W). Throws a
 * clear error when a slot is used twice, a slot does not exist, or the routing rule is broken.
 */
export function placeBlocks(
  scheme: string, qm: QuantizedModel, grid: BlockGrid, blocks: readonly Tile[], slots: readonly Slot[],
  assign: ArrayLike<number>, negated?: ArrayLike<number | boolean>, routing: 'strict' | 'serial' = 'strict',
): Placement {
  if (assign.length !== blocks.length) throw new Error(`placeBlocks: ${assign.length} slot indices for ${blocks.length} blocks; pass one per block`);
  const owner = new Map<number, number>();
  const placed: PlacedBlock[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const s = assign[i]!;
    const slot = slots[s];
    if (!Number.isInteger(s) || !slot) throw new Error(`placeBlocks: block ${i} is assigned to slot ${s}, but the pool has slots 0..${slots.length - 1}`);
    const prev = owner.get(s);
    if (prev !== undefined) {
      throw new Error(`placeBlocks: slot ${s} (crossbar ${slot.crossbar} at ${slot.rowOffset},${slot.colOffset}) would be written twice, ` +
        `by blocks ${prev} and ${i}; every slot holds at most one block — fix the assignment (each block needs its own slot)`);
    }
    owner.set(s, i);
    const b = blocks[i]!;
    placed.push({
      layer: b.layer, srcRow: b.srcRow, rows: b.rows, srcCol: b.srcCol, cols: b.cols,
      crossbar: slot.crossbar, rowOffset: slot.rowOffset, colOffset: slot.colOffset, negated: !!(negated && negated[i]),
    });
  }
  const layers: LayerMatrix[] = qm.layers.map((l) => ({ name: l.op.name, rows: l.op.rows, cols: l.op.cols }));
  const p = makePlacement(scheme, mappingGeometry(qm.config), layers, placed);
  checkPlacement(p);
  if (routing === 'strict') checkRouting(p);
  void grid;
  return p;
}

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

/** BLM: matches the incoming model `qm` against what `pool` holds now. See the top comment. */
export function blmPlacement(qm: QuantizedModel, pool: CrossbarPool, opts: BlmOptions = {}): BlmResult {
  const mode = opts.mode ?? 'global';
  if (mode !== 'global' && mode !== 'layer') throw new Error(`BLM: mode must be 'global' or 'layer', got ${String(mode)}`);
  const costMode = opts.cost ?? 'expected';
  if (costMode !== 'expected' && costMode !== 'mismatch' && costMode !== 'l1') {
    throw new Error(`BLM: cost must be 'expected', 'mismatch' or 'l1', got ${String(costMode)}`);
  }
  if (pool.rows !== qm.config.crossbar.rows || pool.cols !== qm.config.crossbar.cols) {
    throw new Error(`BLM: the pool's crossbars are ${pool.rows} × ${pool.cols} but the model was quantized for ${qm.config.crossbar.rows} × ${qm.config.crossbar.cols}; use the same hardware config`);
  }
  const L = 2 ** pool.config.cells.cellBits;
  const baseTable = costMode === 'expected' ? (opts.table ?? expectedCostTable(pool.config).mean) : undefined;
  let table = baseTable;
  let levels = L;
  const faults = pool.faultCounts();
  const faultAware = costMode === 'expected' && (opts.faultAware ?? true) && faults.stuckHrs + faults.stuckLrs > 0;
  if (faultAware) {
    // two pseudo-levels for the slots' stuck cells: rows L (stuck HRS) and L + 1 (stuck LRS) of an (L+2)² table;
    // blocks never hold them, so their columns are never used
    const stuck = stuckCellCosts(pool.config);
    const ext = new Float64Array((L + 2) * (L + 2));
    for (let f = 0; f < L; f++) for (let t = 0; t < L; t++) ext[f * (L + 2) + t] = table![f * L + t]!;
    for (let k = 0; k < 2; k++) for (let t = 0; t < L; t++) ext[(L + k) * (L + 2) + t] = stuck.set[k]![t]! + stuck.reset[k]![t]!;
    table = ext;
    levels = L + 2;
  }
  const notes: string[] = [];
  const t0 = performance.now();
  const grid = blockGrid(qm.config, opts);
  const inc = modelBlocks(qm, grid);
  const sl = poolSlots(pool, grid, faultAware ? [L, L + 1] : undefined);
  const nb = inc.blocks.length, ns = sl.slots.length;
  if (nb > ns) {
    throw new Error(`BLM: the model has ${nb} blocks of ${grid.blockRows} × ${grid.blockCols} weights but the pool has only ${ns} slots ` +
      `(${pool.numCrossbars} crossbars × ${grid.slotRows * grid.slotCols}); use a bigger pool`);
  }
  // ---- cost matrices ----
  const tc0 = performance.now();
  const copts = { mode: costMode, table, levels };
  const plain = blockCostMatrix(inc.levels, nb, sl.levels, ns, grid.cellsPerBlock, copts).cost;
  let cost = plain;
  let negFlag: Uint8Array | null = null;
  if (opts.negate) {
    const neg = blockCostMatrix(inc.negatedLevels, nb, sl.levels, ns, grid.cellsPerBlock, copts).cost;
    cost = new Float32Array(nb * ns);
    negFlag = new Uint8Array(nb * ns);
    for (let k = 0; k < nb * ns; k++) {
      if (neg[k]! < plain[k]!) { cost[k] = neg[k]!; negFlag[k] = 1; } else cost[k] = plain[k]!;
    }
  }
  const costMs = performance.now() - tc0;
  let assignMs = 0;
  const solve = (m: Float32Array): Int32Array => {
    const ta = performance.now();
    try { return linearAssignment(m, nb, ns).rowToCol; } finally { assignMs += performance.now() - ta; }
  };
  // ---- the allowed (block, slot) pairs ----
  let work = cost;
  let layerPairs: Array<number | null> | undefined;
  if (mode === 'layer') {
    const ta = performance.now();
    const region = slotRegions(grid, ns, pool.numCrossbars, opts.resident);
    const nA = opts.resident ? opts.resident.layers.length : 0, nB = qm.layers.length;
    const regionSlots: number[][] = Array.from({ length: nA }, () => []);
    const free: number[] = [];
    region.forEach((r, s) => { if (r < 0) free.push(s); else regionSlots[r]!.push(s); });
    const layerBlocks: number[][] = Array.from({ length: nB }, () => []);
    inc.blocks.forEach((b, i) => layerBlocks[b.layer]!.push(i));
    const W = nA + nB;
    const C = new Float64Array(nB * W);
    for (let i = 0; i < nB; i++) {
      for (let a = 0; a < nA; a++) C[i * W + a] = subAssignmentCost(cost, ns, layerBlocks[i]!, [...regionSlots[a]!, ...free]);
      const alone = subAssignmentCost(cost, ns, layerBlocks[i]!, free);
      for (let d = 0; d < nB; d++) C[i * W + nA + d] = alone;
    }
    assignMs += performance.now() - ta;
    let pairs: Int32Array | null = null;
    try {
      const tp = performance.now();
      pairs = linearAssignment(C, nB, W).rowToCol;
      assignMs += performance.now() - tp;
    } catch (e) {
      if (!(e instanceof AssignmentError)) throw e;
      notes.push('layer mode: no layer pairing fits the pool (a layer fits neither a resident region plus the free slots nor the free slots alone); fell back to global matching');
    }
    if (pairs) {
      layerPairs = Array.from(pairs, (a) => (a < nA ? a : null));
      const pairedRegion = new Set(layerPairs.filter((a): a is number => a !== null));
      work = new Float32Array(cost);
      for (let b = 0; b < nb; b++) {
        const partner = layerPairs[inc.blocks[b]!.layer]!;
        for (let s = 0; s < ns; s++) {
          const r = region[s]!;
          if (r >= 0 && r !== partner && pairedRegion.has(r)) work[b * ns + s] = Infinity;
        }
      }
    }
  }
  // ---- assignment + routing repair ----
  // Round 1 assigns every block. Blocks are then accepted in order of their cost (cheapest first) unless they break
  // the routing rule with a block accepted before; the rejected ones are assigned again among the free slots, with
  // every slot where they would conflict with an accepted block forbidden; repeat. The cheapest block of a round
  // is always accepted, so this ends after at most `blocks` rounds.
  let assign: Int32Array;
  let repairs = 0;
  const conflictsAt = (bi: number, s: number, accepted: Map<string, number[]>, at: Int32Array): boolean => {
    const v = inc.blocks[bi]!, slot = sl.slots[s]!;
    const list = accepted.get(`${slot.crossbar}/${v.layer}`);
    if (!list) return false;
    for (const ki of list) {
      const k = inc.blocks[ki]!, ks = sl.slots[at[ki]!]!;
      if (overlap(ks.rowOffset, k.rows, slot.rowOffset, v.rows) && k.srcRow - ks.rowOffset !== v.srcRow - slot.rowOffset) return true;
      if (overlap(ks.colOffset, k.cols, slot.colOffset, v.cols) && k.srcCol - ks.colOffset !== v.srcCol - slot.colOffset) return true;
    }
    return false;
  };
  const attempt = (m: Float32Array): Int32Array => {
    const at = new Int32Array(nb).fill(-1);
    const taken = new Uint8Array(ns);
    const accepted = new Map<string, number[]>();
    let pending = Array.from({ length: nb }, (_, i) => i);
    for (let round = 0; pending.length; round++) {
      let got: Int32Array; // slot per pending block
      if (round === 0) {
        got = solve(m);
      } else {
        repairs++;
        const free: number[] = [];
        for (let s = 0; s < ns; s++) if (!taken[s]) free.push(s);
        const sub = new Float32Array(pending.length * free.length);
        pending.forEach((bi, r) => {
          for (let j = 0; j < free.length; j++) {
            const s = free[j]!;
            sub[r * free.length + j] = conflictsAt(bi, s, accepted, at) ? Infinity : m[bi * ns + s]!;
          }
        });
        const ta = performance.now();
        let sol: Int32Array;
        try {
          sol = linearAssignment(sub, pending.length, free.length).rowToCol;
        } catch (e) {
          if (e instanceof AssignmentError) throw new RepairStuck(new Set(pending.map((bi) => inc.blocks[bi]!.tile)));
          throw e;
        } finally { assignMs += performance.now() - ta; }
        got = Int32Array.from(sol, (j) => free[j]!);
      }
      // pinned blocks first (they have nowhere else to go), then cheapest first
      const order = pending.map((bi, r) => ({ bi, s: got[r]! })).sort((x, y) =>
        pinned[y.bi]! - pinned[x.bi]! || m[x.bi * ns + x.s]! - m[y.bi * ns + y.s]! || x.bi - y.bi);
      const next: number[] = [];
      for (const { bi, s } of order) {
        if (conflictsAt(bi, s, accepted, at)) { next.push(bi); continue; }
        at[bi] = s;
        taken[s] = 1;
        const key = `${sl.slots[s]!.crossbar}/${inc.blocks[bi]!.layer}`;
        const list = accepted.get(key);
        if (list) list.push(bi); else accepted.set(key, [bi]);
      }
      pending = next.sort((x, y) => x - y);
    }
    return at;
  };
  // ---- the in-place (diff) placement on the same pool ----
  let inPlaceCost: number | null = 0;
  const inPlace = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    const s = slotIndex(grid, pool.numCrossbars, inc.blocks[b]!.inPlace);
    if (s < 0) { inPlaceCost = null; break; }
    inPlace[b] = s;
    inPlaceCost += plain[b * ns + s]!;
  }
  // Strict routing: when the repair gets stuck (blocks left with no allowed free slot), the tiles of those blocks
  // are pinned in place (their blocks may only use their in-place slots, which no other block may use) and the
  // matching is run again; in the worst case every tile ends up in place.
  const pinnedTiles = new Set<number>();
  const pinned = new Uint8Array(nb);
  const tryAttempt = (m0: Float32Array): Int32Array | null => {
    for (;;) {
      let m = m0;
      if (pinnedTiles.size) {
        m = new Float32Array(m0);
        const pinnedSlot = new Uint8Array(ns);
        for (let b = 0; b < nb; b++) {
          pinned[b] = pinnedTiles.has(inc.blocks[b]!.tile) ? 1 : 0;
          if (pinned[b]) pinnedSlot[inPlace[b]!] = 1;
        }
        for (let b = 0; b < nb; b++) {
          const row = m.subarray(b * ns, (b + 1) * ns);
          if (pinned[b]) { const keep = row[inPlace[b]!]!; row.fill(Infinity); row[inPlace[b]!] = keep; } else {
            for (let s2 = 0; s2 < ns; s2++) if (pinnedSlot[s2]) row[s2] = Infinity;
          }
        }
      }
      try {
        return attempt(m);
      } catch (e) {
        if (e instanceof AssignmentError) { notes.push(e.message); return null; }
        if (!(e instanceof RepairStuck) || inPlaceCost === null) throw e instanceof RepairStuck ? new AssignmentError('routing repair stuck and the in-place placement does not fit the pool') : e;
        const before = pinnedTiles.size;
        for (const t of e.tiles) pinnedTiles.add(t);
        if (pinnedTiles.size === before) return null;
        notes.push(`routing repair: tile(s) ${[...e.tiles].join(', ')} could not be placed under the routing rule; pinned in place`);
      }
    }
  };
  const routing = opts.routing ?? 'strict';
  if (routing !== 'strict' && routing !== 'serial') throw new Error(`BLM: routing must be 'strict' or 'serial', got ${String(routing)}`);
  const plainSolve = (m: Float32Array): Int32Array | null => {
    try { return solve(m); } catch (e) { if (e instanceof AssignmentError) { notes.push(e.message); return null; } throw e; }
  };
  const run = routing === 'strict' ? tryAttempt : plainSolve;
  let found = run(work);
  if (!found && work !== cost) {
    notes.push('layer mode: the block assignment within paired layers is infeasible; fell back to global matching');
    layerPairs = undefined;
    found = run(cost);
  }
  let forcedInPlace = false;
  if (!found) {
    if (inPlaceCost === null) {
      throw new Error(`BLM: no placement of ${nb} blocks on ${ns} slots satisfying the routing rule was found (${notes.join('; ')}); ` +
        'use whole-tile blocks (the default) or a bigger pool');
    }
    notes.push('the routing repair found no valid placement; returned the in-place placement');
    found = inPlace;
    forcedInPlace = true;
  }
  assign = found;
  let total = 0;
  for (let b = 0; b < nb; b++) total += cost[b * ns + assign[b]!]!;
  if (forcedInPlace) total = inPlaceCost!;
  // Tile guard (strict routing, blocks smaller than the tile): whole tiles moved intact always satisfy the routing
  // rule, so the whole-tile match, cut into our blocks (each block may still pick its own sign), is a valid
  // candidate; the repair's greedy choices can miss it, so take it when it is strictly cheaper.
  let usedTiles = false;
  const isTile = grid.blockRows === grid.tileRows && grid.blockCols === grid.tileCols;
  if (!isTile && routing === 'strict' && (opts.tileGuard ?? true)) {
    const whole = blmPlacement(qm, pool, { ...opts, blockRows: undefined, blockCols: undefined, fallbackInPlace: false, table: baseTable });
    const cand = new Int32Array(nb);
    let candTotal = 0;
    for (let b = 0; b < nb; b++) {
      const blk = inc.blocks[b]!, tp = whole.placement.blocks[blk.tile]!;
      const s = slotIndex(grid, pool.numCrossbars, { crossbar: tp.crossbar, rowOffset: tp.rowOffset + blk.inPlace.rowOffset, colOffset: tp.colOffset + blk.inPlace.colOffset });
      cand[b] = s;
      candTotal += cost[b * ns + s]!;
    }
    if (candTotal < total) {
      notes.push(`the whole-tile match (${candTotal}) is cheaper than the block match (${total}) under strict routing; returned it cut into blocks`);
      assign = cand;
      total = candTotal;
      forcedInPlace = false;
      usedTiles = true;
    }
  }
  let usedInPlace = forcedInPlace;
  const negated: Uint8Array = new Uint8Array(nb);
  if (forcedInPlace) {
    // in place, plain sign
  } else if (inPlaceCost !== null && inPlaceCost < total && (opts.fallbackInPlace ?? true)) {
    usedInPlace = true;
    assign = inPlace;
    total = inPlaceCost;
    notes.push(`the in-place placement (${inPlaceCost}) is cheaper than the ${mode} match; returned it instead`);
  } else if (negFlag) {
    for (let b = 0; b < nb; b++) negated[b] = negFlag[b * ns + assign[b]!]!;
  }
  const placement = placeBlocks('blm', qm, grid, inc.blocks, sl.slots, assign, negated, routing);
  const serialSteps = routing === 'serial' ? serialMvmSteps(placement.blocks) : 0;
  const matchMs = performance.now() - t0;
  let negatedBlocks = 0;
  for (const v of negated) negatedBlocks += v;
  return {
    placement, expectedCost: total, inPlaceCost, usedInPlace, usedTiles, mode, cost: costMode, grid, blocks: nb, slots: ns,
    negatedBlocks, repairs, pinnedTiles: [...pinnedTiles].sort((a, b) => a - b),
    pinnedLayers: [...new Set(inc.blocks.filter((b) => pinnedTiles.has(b.tile)).map((b) => b.layer))].sort((a, b) => a - b), serialSteps, layerPairs, matchMs, costMs, assignMs, notes,
  };
}

/** The block list BLM would place (exported for tools and tests). */
export function incomingBlocks(qm: QuantizedModel, opts: BlockGridOptions = {}): ModelBlock[] {
  return modelBlocks(qm, blockGrid(qm.config, opts)).blocks;
}

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
// blocks always satisfies the rule, so it is returned when cheaper (usedTiles). routing: 'serial' drops the rule
// instead and counts the extra MVM steps (serialSteps) that running conflicting same-layer blocks one after another
// costs.
// (As in XAMM, cells at a driven row × read column that belong to no block of the running layer are assumed to be
// neutral or gated; the engine computes block by block, which is what per-block row/column gating gives.)
//
// Phases, one module each: price (blm-price.ts: blocks, slots, cost matrices, in-place cost), restrict (blm-layer.ts:
// layer pairing), assign and route (blm-assign.ts: assignment, routing repair, pinning), guards (below: whole-tile
// and in-place). The routing rule itself is in routing.ts. Pruned matching (option `candidates`; blm-prune.ts,
// blm-sparse.ts) runs the same phases on the k best slots per block by a sketch estimate.
import type { CrossbarPool } from '../hardware/pool.js';
import type { Placement } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import type { BlockCostMode } from './cost.js';
import { blockGrid, modelBlocks, slotIndex, type BlockGrid, type BlockGridOptions, type IncomingBlocks, type ModelBlock, type PoolSlots } from './blocks.js';
import { blocksAndSlots, inPlaceOf, priceBlocks, pricingTable, type PriceTable, type Priced } from './blm-price.js';
import { prunedMatch } from './blm-sparse.js';
import { restrictToLayers, type AssignClock } from './blm-layer.js';
import { assignAndRoute, assignState, type AssignState } from './blm-assign.js';
import { placeBlocks, serialMvmSteps } from './routing.js';

export { routingConflicts, checkRouting, serialMvmSteps, placeBlocks, type RoutingConflict } from './routing.js';
export { slotRegions } from './blm-layer.js';

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
  /**
   * Pruned matching: price every pair on a sketch (one row in 16), keep this many best slots per block, price those
   * exactly and assign over them (blm-sparse.ts). 'all': exact (every pair priced exactly). 'auto' (default): exact
   * up to AUTO_EXACT_PAIRS (block, slot) pairs, else AUTO_CANDIDATES. Needs whole-tile blocks or serial routing
   * ('auto' stays exact otherwise).
   */
  candidates?: number | 'all' | 'auto';
}

/** 'auto' matches exactly up to this many (block, slot) pairs (an MLP 784-1024-1024-10 pair has ~0.95 M). */
export const AUTO_EXACT_PAIRS = 4 * 2 ** 20;
/** Candidates per block that 'auto' keeps above AUTO_EXACT_PAIRS. */
export const AUTO_CANDIDATES = 128;

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
  /** Pruned matching: candidates per block (null: exact, every pair priced). */
  candidates: number | null;
  /** (block, slot) pairs priced exactly. */
  pricedPairs: number;
  notes: string[];
}

interface ResolvedOptions { mode: BlmMode; negate: boolean; routing: 'strict' | 'serial'; resident?: Placement }

/** One grid's match without the guards: price, restrict (layer mode), assign and route. */
interface GridMatch {
  p: Priced;
  st: AssignState;
  assign: Int32Array;
  /** No routed placement was found and the in-place one was taken. */
  forcedInPlace: boolean;
  layerPairs?: Array<number | null>;
}

function matchGrid(qm: QuantizedModel, pool: CrossbarPool, p: Priced, o: ResolvedOptions, notes: string[], clock: AssignClock): GridMatch {
  let work = p.cost;
  let layerPairs: Array<number | null> | undefined;
  if (o.mode === 'layer') {
    const r = restrictToLayers(p, qm.layers.length, pool.numCrossbars, o.resident, clock);
    if (r.work) { work = r.work; layerPairs = r.layerPairs; } else {
      notes.push('layer mode: no layer pairing fits the pool (a layer fits neither a resident region plus the free slots nor the free slots alone); fell back to global matching');
    }
  }
  const { inPlace, inPlaceCost } = inPlaceOf(p, pool.numCrossbars);
  const st = assignState(p, inPlace, inPlaceCost, notes, clock);
  const { assign, fellBack } = assignAndRoute(st, work, o.routing);
  if (fellBack) layerPairs = undefined;
  if (assign) return { p, st, assign, forcedInPlace: false, layerPairs };
  if (inPlaceCost === null) throw noPlacement(p.nb, p.ns, notes);
  notes.push('the routing repair found no valid placement; returned the in-place placement');
  return { p, st, assign: inPlace, forcedInPlace: true, layerPairs };
}

const noPlacement = (nb: number, ns: number, notes: string[]) =>
  new Error(`BLM: no placement of ${nb} blocks on ${ns} slots satisfying the routing rule was found (${notes.join('; ')}); ` +
    'use whole-tile blocks (the default) or a bigger pool');

/**
 * Tile guard (strict routing, blocks smaller than the tile): whole tiles moved intact always satisfy the routing
 * rule, so the whole-tile match, cut into our blocks (each block may still pick its own sign), is a valid
 * candidate; the repair's greedy choices can miss it. Returns its slot per block and total.
 */
function wholeTileCandidate(qm: QuantizedModel, pool: CrossbarPool, m: GridMatch, pt: PriceTable, o: ResolvedOptions, clock: AssignClock): { assign: Int32Array; total: number } {
  const tileGrid = blockGrid(qm.config, {});
  const { inc, sl } = blocksAndSlots(qm, pool, tileGrid, pt);
  const whole = matchGrid(qm, pool, priceBlocks(inc, sl, pt, o.negate), o, [], clock);
  const { p } = m;
  const cand = new Int32Array(p.nb);
  let total = 0;
  for (let b = 0; b < p.nb; b++) {
    const blk = p.inc.blocks[b]!, ts = whole.p.sl.slots[whole.assign[blk.tile]!]!;
    const s = slotIndex(p.grid, pool.numCrossbars, { crossbar: ts.crossbar, rowOffset: ts.rowOffset + blk.inPlace.rowOffset, colOffset: ts.colOffset + blk.inPlace.colOffset });
    cand[b] = s;
    total += p.cost[b * p.ns + s]!;
  }
  return { assign: cand, total };
}

/** What a matcher (exact or pruned) hands to the in-place guard and the result. */
interface Outcome {
  inc: IncomingBlocks;
  sl: PoolSlots;
  assign: Int32Array;
  total: number;
  /** Per block: stored negated (ignored when the in-place placement is taken). */
  negated: Uint8Array;
  usedInPlace: boolean;
  usedTiles: boolean;
  inPlace: Int32Array;
  inPlaceCost: number | null;
  layerPairs?: Array<number | null>;
  repairs: number;
  pinnedTiles: Set<number>;
  costMs: number;
  pricedPairs: number;
}

function exactOutcome(qm: QuantizedModel, pool: CrossbarPool, inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, o: ResolvedOptions,
  opts: BlmOptions, notes: string[], clock: AssignClock): Outcome {
  const p = priceBlocks(inc, sl, pt, o.negate);
  const m = matchGrid(qm, pool, p, o, notes, clock);
  const { st } = m;
  let assign = m.assign, total = 0, costMs = p.costMs, usedInPlace = m.forcedInPlace, usedTiles = false;
  for (let b = 0; b < p.nb; b++) total += p.cost[b * p.ns + assign[b]!]!;
  if (m.forcedInPlace) total = st.inPlaceCost!;
  const grid = inc.grid;
  if ((grid.blockRows !== grid.tileRows || grid.blockCols !== grid.tileCols) && o.routing === 'strict' && (opts.tileGuard ?? true)) {
    const tc = performance.now(), before = clock.assignMs;
    const cand = wholeTileCandidate(qm, pool, m, pt, o, clock);
    costMs += performance.now() - tc - (clock.assignMs - before);
    if (cand.total < total) {
      notes.push(`the whole-tile match (${cand.total}) is cheaper than the block match (${total}) under strict routing; returned it cut into blocks`);
      assign = cand.assign; total = cand.total; usedInPlace = false; usedTiles = true;
    }
  }
  const negated = new Uint8Array(p.nb);
  if (p.negFlag) for (let b = 0; b < p.nb; b++) negated[b] = p.negFlag[b * p.ns + assign[b]!]!;
  return {
    inc, sl, assign, total, negated, usedInPlace, usedTiles, inPlace: st.inPlace, inPlaceCost: st.inPlaceCost, layerPairs: m.layerPairs,
    repairs: st.repairs, pinnedTiles: st.pinnedTiles, costMs, pricedPairs: p.nb * p.ns * (o.negate ? 2 : 1),
  };
}

function prunedOutcome(qm: QuantizedModel, pool: CrossbarPool, inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, o: ResolvedOptions, k: number,
  notes: string[], clock: AssignClock): Outcome {
  const m = prunedMatch({ inc, sl, pt, mode: o.mode, negate: o.negate, resident: o.resident, k, numCrossbars: pool.numCrossbars, nLayersB: qm.layers.length }, notes, clock);
  let assign = m.assign, total = m.total, usedInPlace = false;
  if (!assign) {
    if (m.inPlaceCost === null) throw noPlacement(inc.blocks.length, sl.slots.length, notes);
    notes.push('the routing repair found no valid placement; returned the in-place placement');
    assign = m.inPlace; total = m.inPlaceCost; usedInPlace = true;
  }
  return {
    inc, sl, assign, total, negated: m.negated, usedInPlace, usedTiles: false, inPlace: m.inPlace, inPlaceCost: m.inPlaceCost,
    layerPairs: m.layerPairs, repairs: 0, pinnedTiles: new Set(), costMs: m.sketchMs + m.costMs, pricedPairs: m.priced,
  };
}

function resolveOptions(qm: QuantizedModel, pool: CrossbarPool, opts: BlmOptions): ResolvedOptions & { costMode: BlockCostMode } {
  const mode = opts.mode ?? 'global';
  if (mode !== 'global' && mode !== 'layer') throw new Error(`BLM: mode must be 'global' or 'layer', got ${String(mode)}`);
  const costMode = opts.cost ?? 'expected';
  if (costMode !== 'expected' && costMode !== 'mismatch' && costMode !== 'l1') {
    throw new Error(`BLM: cost must be 'expected', 'mismatch' or 'l1', got ${String(costMode)}`);
  }
  if (pool.rows !== qm.config.crossbar.rows || pool.cols !== qm.config.crossbar.cols) {
    throw new Error(`BLM: the pool's crossbars are ${pool.rows} × ${pool.cols} but the model was quantized for ${qm.config.crossbar.rows} × ${qm.config.crossbar.cols}; use the same hardware config`);
  }
  const routing = opts.routing ?? 'strict';
  if (routing !== 'strict' && routing !== 'serial') throw new Error(`BLM: routing must be 'strict' or 'serial', got ${String(routing)}`);
  const c = opts.candidates ?? 'auto';
  if (c !== 'all' && c !== 'auto' && !(Number.isInteger(c) && c >= 1)) {
    throw new Error(`BLM: candidates must be a positive integer, 'all' or 'auto', got ${String(c)}`);
  }
  return { mode, costMode, negate: !!opts.negate, routing, resident: opts.resident };
}

/** Candidates per block for pruned matching, or null for exact matching (see BlmOptions.candidates). */
function candidatesFor(opts: BlmOptions, grid: BlockGrid, routing: 'strict' | 'serial', pairs: number): number | null {
  const c = opts.candidates ?? 'auto';
  if (c === 'all') return null;
  const supported = routing === 'serial' || (grid.blockRows === grid.tileRows && grid.blockCols === grid.tileCols);
  if (c === 'auto') return supported && pairs > AUTO_EXACT_PAIRS ? AUTO_CANDIDATES : null;
  if (!supported) {
    throw new Error(`BLM: pruned matching (candidates: ${c}) needs whole-tile blocks or serial routing, but the blocks are ${grid.blockRows} × ${grid.blockCols} ` +
      `in tiles of ${grid.tileRows} × ${grid.tileCols} under strict routing; use candidates: 'all', whole-tile blocks or routing: 'serial'`);
  }
  return c;
}

/** BLM: matches the incoming model `qm` against what `pool` holds now. See the top comment. */
export function blmPlacement(qm: QuantizedModel, pool: CrossbarPool, opts: BlmOptions = {}): BlmResult {
  const o = resolveOptions(qm, pool, opts);
  const t0 = performance.now();
  const pt = pricingTable(pool, o.costMode, opts.table, opts.faultAware);
  const grid = blockGrid(qm.config, opts);
  const notes: string[] = [];
  const clock: AssignClock = { assignMs: 0 };
  const { inc, sl } = blocksAndSlots(qm, pool, grid, pt);
  const k = candidatesFor(opts, grid, o.routing, inc.blocks.length * sl.slots.length);
  const m = k === null ? exactOutcome(qm, pool, inc, sl, pt, o, opts, notes, clock) : prunedOutcome(qm, pool, inc, sl, pt, o, k, notes, clock);
  const nb = inc.blocks.length;
  let { assign, total, usedInPlace } = m;
  let negated = m.negated;
  if (usedInPlace) negated = new Uint8Array(nb); // in place, plain sign
  else if (m.inPlaceCost !== null && m.inPlaceCost < total && (opts.fallbackInPlace ?? true)) {
    usedInPlace = true;
    assign = m.inPlace;
    total = m.inPlaceCost;
    negated = new Uint8Array(nb);
    notes.push(`the in-place placement (${m.inPlaceCost}) is cheaper than the ${o.mode} match; returned it instead`);
  }
  const placement = placeBlocks('blm', qm, grid, inc.blocks, sl.slots, assign, negated, o.routing);
  const serialSteps = o.routing === 'serial' ? serialMvmSteps(placement.blocks) : 0;
  const matchMs = performance.now() - t0;
  let negatedBlocks = 0;
  for (const v of negated) negatedBlocks += v;
  const pinnedTiles = [...m.pinnedTiles].sort((a, b) => a - b);
  const pinnedLayers = [...new Set(inc.blocks.filter((b) => m.pinnedTiles.has(b.tile)).map((b) => b.layer))].sort((a, b) => a - b);
  return {
    placement, expectedCost: total, inPlaceCost: m.inPlaceCost, usedInPlace, usedTiles: m.usedTiles, mode: o.mode, cost: o.costMode, grid, blocks: nb,
    slots: sl.slots.length, negatedBlocks, repairs: m.repairs, pinnedTiles, pinnedLayers, serialSteps, layerPairs: m.layerPairs, matchMs,
    costMs: m.costMs, assignMs: clock.assignMs, candidates: k, pricedPairs: m.pricedPairs, notes,
  };
}

/** The block list BLM would place (exported for tools and tests). */
export function incomingBlocks(qm: QuantizedModel, opts: BlockGridOptions = {}): ModelBlock[] {
  return modelBlocks(qm, blockGrid(qm.config, opts)).blocks;
}

// BLM, phase 1 — price: the incoming model's blocks, the pool's slots and the cost of every (block, slot) pair
// (plain, and the cheaper sign with negation), plus the in-place (baseline, `diff`) slot of every block and its
// cost. See src/matching/blm.ts for what the costs mean.
import type { CrossbarPool } from '../hardware/pool.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import { expectedCostTable } from '../programming/cost-table.js';
import { stuckCellCosts } from '../programming/stuck-costs.js';
import { blockCostMatrix, type BlockCostMode } from './cost.js';
import { levelCounts } from './cost-kernel.js';
import { modelBlocks, poolSlots, slotIndex, type BlockGrid, type IncomingBlocks, type PoolSlots } from './blocks.js';

/** The per-cell price table of a match and how slots' stuck cells are priced. */
export interface PriceTable {
  costMode: BlockCostMode;
  /** Levels per cell, 2^cellBits. */
  L: number;
  /** The caller's (or the device's) L × L expected-cycles table ('expected' only). */
  baseTable?: ArrayLike<number>;
  /** The table the cost matrices use: baseTable, or (fault-aware) baseTable extended by two stuck pseudo-levels. */
  table?: ArrayLike<number>;
  /** Rows of `table` (L, or L + 2 when fault-aware). */
  levels: number;
  faultAware: boolean;
}

export function pricingTable(pool: CrossbarPool, costMode: BlockCostMode, table: ArrayLike<number> | undefined, faultAwareOpt: boolean | undefined): PriceTable {
  const L = 2 ** pool.config.cells.cellBits;
  const baseTable = costMode === 'expected' ? (table ?? expectedCostTable(pool.config).mean) : undefined;
  const faults = levelCounts(pool.faults()); // 1 = stuck at HRS, 2 = stuck at LRS
  const faultAware = costMode === 'expected' && (faultAwareOpt ?? true) && faults[1]! + faults[2]! > 0;
  if (!faultAware) return { costMode, L, baseTable, table: baseTable, levels: L, faultAware };
  // two pseudo-levels for the slots' stuck cells: rows L (stuck HRS) and L + 1 (stuck LRS) of an (L+2)² table;
  // blocks never hold them, so their columns are never used
  const stuck = stuckCellCosts(pool.config);
  const ext = new Float64Array((L + 2) * (L + 2));
  for (let f = 0; f < L; f++) for (let t = 0; t < L; t++) ext[f * (L + 2) + t] = baseTable![f * L + t]!;
  for (let k = 0; k < 2; k++) for (let t = 0; t < L; t++) ext[(L + k) * (L + 2) + t] = stuck.set[k]![t]! + stuck.reset[k]![t]!;
  return { costMode, L, baseTable, table: ext, levels: L + 2, faultAware };
}

/** Blocks, slots and cost matrices of one block grid. */
export interface Priced {
  grid: BlockGrid;
  inc: IncomingBlocks;
  sl: PoolSlots;
  nb: number;
  ns: number;
  /** nb × ns cost of each block stored as is. */
  plain: Float32Array;
  /** nb × ns cost of the cheaper sign (= plain without negation). */
  cost: Float32Array;
  /** With negation: 1 where the negated block is strictly cheaper. */
  negFlag: Uint8Array | null;
  /** Time spent on the cost matrices, ms. */
  costMs: number;
}

/** The incoming model's blocks and the pool's slots of one grid (stuck cells as pseudo-levels when fault-aware). */
export function blocksAndSlots(qm: QuantizedModel, pool: CrossbarPool, grid: BlockGrid, pt: PriceTable): { inc: IncomingBlocks; sl: PoolSlots } {
  const inc = modelBlocks(qm, grid);
  const sl = poolSlots(pool, grid, pt.faultAware ? [pt.L, pt.L + 1] : undefined);
  const nb = inc.blocks.length, ns = sl.slots.length;
  if (nb > ns) {
    throw new Error(`BLM: the model has ${nb} blocks of ${grid.blockRows} × ${grid.blockCols} weights but the pool has only ${ns} slots ` +
      `(${pool.numCrossbars} crossbars × ${grid.slotRows * grid.slotCols}); use a bigger pool`);
  }
  return { inc, sl };
}

/** Every (block, slot) pair's exact cost. */
export function priceBlocks(inc: IncomingBlocks, sl: PoolSlots, pt: PriceTable, negate: boolean): Priced {
  const grid = inc.grid, nb = inc.blocks.length, ns = sl.slots.length;
  const tc0 = performance.now();
  const copts = { mode: pt.costMode, table: pt.table, levels: pt.levels };
  const plain = blockCostMatrix(inc.levels, nb, sl.levels, ns, grid.cellsPerBlock, copts).cost;
  let cost = plain;
  let negFlag: Uint8Array | null = null;
  if (negate) {
    const neg = blockCostMatrix(inc.negatedLevels, nb, sl.levels, ns, grid.cellsPerBlock, copts).cost;
    cost = new Float32Array(nb * ns);
    negFlag = new Uint8Array(nb * ns);
    for (let k = 0; k < nb * ns; k++) {
      if (neg[k]! < plain[k]!) { cost[k] = neg[k]!; negFlag[k] = 1; } else cost[k] = plain[k]!;
    }
  }
  return { grid, inc, sl, nb, ns, plain, cost, negFlag, costMs: performance.now() - tc0 };
}

/** The baseline (in-place) slot of every block and the plain cost of putting every block there (null: no fit). */
export function inPlaceOf(p: Priced, numCrossbars: number): { inPlace: Int32Array; inPlaceCost: number | null } {
  const inPlace = new Int32Array(p.nb);
  let inPlaceCost: number | null = 0;
  for (let b = 0; b < p.nb; b++) {
    const s = slotIndex(p.grid, numCrossbars, p.inc.blocks[b]!.inPlace);
    if (s < 0) { inPlaceCost = null; break; }
    inPlace[b] = s;
    inPlaceCost += p.plain[b * p.ns + s]!;
  }
  return { inPlace, inPlaceCost };
}

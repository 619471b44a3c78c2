// What write-verify costs a stuck cell, per fault kind and target level. Stuck cells never move, so the cost depends
// only on the fault, the target and the scheme (amplitude ramps included): simulated once per configuration with
// the kernel itself, on all-stuck pools. Estimates (src/scenario/estimate.ts) and fault-aware BLM price with it.
import type { HardwareConfig } from '../hardware/config.js';
import { CrossbarPool, STATUS_VERIFIED } from '../hardware/pool.js';
import { deepMerge, validate } from '../hardware/resolve.js';
import { arena } from '../wasm/arena.js';
import { costTableKey } from './cost-table.js';
import { programPool } from './program.js';

/** Per-cell means, indexed [kind][level] with kind 0 = stuck at HRS, 1 = stuck at LRS. */
export interface StuckCosts { set: Float64Array[]; reset: Float64Array[]; reads: Float64Array[]; energy: Float64Array[]; failed: Float64Array[] }
const stuckCache = new Map<string, StuckCosts>();

export function stuckCellCosts(cfg: HardwareConfig): StuckCosts {
  // the means are over one row of `cols` cells per level, so cols is part of what they are
  const key = `${costTableKey(cfg, 0, 0, true)}|cols=${cfg.crossbar.cols}`;
  const hit = stuckCache.get(key);
  if (hit) return hit;
  const L = 2 ** cfg.cells.cellBits, perLevel = cfg.crossbar.cols; // one row per target level
  const out: StuckCosts = { set: [], reset: [], reads: [], energy: [], failed: [] };
  const mark = arena.mark();
  try {
    for (const [hrs, lrs] of [[1, 0], [0, 1]] as const) {
      const mc = validate(deepMerge(cfg, {
        crossbar: { rows: L, numCrossbars: 1 },
        device: { faults: { stuckHrsRate: hrs, stuckLrsRate: lrs } },
        programming: { initialState: 'hrs', crossbarsInParallel: 1 },
      }));
      const pool = new CrossbarPool(mc, { numCrossbars: 1, seed: 1 });
      const targets = Uint8Array.from({ length: pool.numCells }, (_, i) => Math.floor(i / perLevel));
      // a stuck cell already verified at its target is skipped; force the verify so every level is priced
      const { perCell } = programPool(pool, targets, { perCell: true, verifyAll: true });
      const st = pool.status().view;
      const m = { set: new Float64Array(L), reset: new Float64Array(L), reads: new Float64Array(L), energy: new Float64Array(L), failed: new Float64Array(L) };
      for (let i = 0; i < pool.numCells; i++) {
        const t = targets[i]!;
        m.set[t]! += perCell!.setPulses[i]! / perLevel; m.reset[t]! += perCell!.resetPulses[i]! / perLevel;
        m.reads[t]! += perCell!.verifyReads[i]! / perLevel; m.energy[t]! += perCell!.energyJ[i]! / perLevel;
        m.failed[t]! += (st[i] !== STATUS_VERIFIED ? 1 : 0) / perLevel;
      }
      out.set.push(m.set); out.reset.push(m.reset); out.reads.push(m.reads); out.energy.push(m.energy); out.failed.push(m.failed);
    }
  } finally {
    arena.release(mark);
  }
  if (stuckCache.size > 32) stuckCache.clear();
  stuckCache.set(key, out);
  return out;
}

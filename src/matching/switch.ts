// Switch programming (DESIGN §3.4): the pool holds some model; make it hold `qm` under a strategy and report what
// that cost.
//
//   programModel(qmA, baselinePlacement(...), pool)                 // A is resident
//   const s = switchModel(pool, qmB, { strategy: 'blm', resident: placementA, blm: { mode: 'global' } });
//   s.totals.cycles, s.placement, s.matchMs
//   switchModel(pool, qmA, { strategy: 'blm', resident: s.placement })   // and back, the same way
//
// Strategies:
//   full  B's baseline mapping, every cell of B programmed: by default erase-then-write (each of B's cells is first
//         RESET to level 0 — a write-verify operation to level 0 — then written to its target; both operations are
//         counted), the conventional "no reuse" switch. fullMode 'verify-all' instead runs one write-verify pass
//         over every cell of B that reads each cell first (programPool's verifyAll): cells already in band then
//         cost a verify read but no pulse.
//   diff  B's baseline mapping in place; only cells whose level differs (or that are not verified) are programmed.
//   blm   BLM placement (src/matching/blm.ts) on what the pool holds now; only cells whose level differs are
//         programmed.
// Cells of the previous model outside the new placement keep their levels: they are free slots for the next switch.
import type { CrossbarPool } from '../hardware/pool.js';
import { baselinePlacement, checkPlacement, mappingGeometry, type Placement } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import { placementTargets } from '../inference/targets.js';
import { programModel, type ModelProgramResult } from '../inference/program-model.js';
import { programPool, NO_TARGET, type ProgramOptions, type ProgramResult } from '../programming/program.js';
import { emptyTotals, type ProgramTotals } from '../programming/report.js';
import { blmPlacement, type BlmOptions, type BlmResult } from './blm.js';

export type SwitchStrategy = 'full' | 'diff' | 'blm';
export const SWITCH_STRATEGIES: readonly SwitchStrategy[] = ['full', 'diff', 'blm'];

export interface SwitchOptions {
  strategy: SwitchStrategy;
  /** 'full' only: 'erase-write' (default) or 'verify-all' (see the top comment). */
  fullMode?: 'erase-write' | 'verify-all';
  /** 'blm' only: BLM options (mode, cost, negate, block size, ...). */
  blm?: Omit<BlmOptions, 'resident'>;
  /** Placement of the model the pool holds now (BLM layer mode pairs with its layers). */
  resident?: Placement;
  /** Options of the programming operations (scheme overrides, engine, perCell, ...). */
  program?: Omit<ProgramOptions, 'regions' | 'verifyAll'>;
}

export interface SwitchResult {
  strategy: SwitchStrategy;
  /** Where the incoming model now sits (its routing table). */
  placement: Placement;
  /** Σ of the operations below. */
  totals: ProgramTotals;
  /** The write of the incoming model (report per layer included). */
  write: ModelProgramResult;
  /** 'full' with erase-write: the erase operation. */
  erase?: ProgramResult;
  /** 'blm': the matching result (expected cost, timings, pairs). */
  blm?: BlmResult;
  /** Time spent choosing the placement (BLM matching), ms; 0 for full and diff. */
  matchMs: number;
}

/** Adds programming totals field by field. */
export function addTotals(a: ProgramTotals, b: ProgramTotals): ProgramTotals {
  const out = emptyTotals();
  for (const k of Object.keys(out) as Array<keyof ProgramTotals>) out[k] = a[k] + b[k];
  return out;
}

/** Programs `qm` into `pool` under a switching strategy; see the top comment. */
export function switchModel(pool: CrossbarPool, qm: QuantizedModel, opts: SwitchOptions): SwitchResult {
  const strategy = opts.strategy;
  if (!SWITCH_STRATEGIES.includes(strategy)) {
    throw new Error(`switch: strategy must be one of ${SWITCH_STRATEGIES.join(', ')}, got ${String(strategy)}`);
  }
  const prog = opts.program ?? {};
  if (strategy === 'blm') {
    const blm = blmPlacement(qm, pool, { ...opts.blm, resident: opts.resident });
    const write = programModel(qm, blm.placement, pool, prog);
    return { strategy, placement: blm.placement, totals: { ...write.report.totals }, write, blm, matchMs: blm.matchMs };
  }
  const layers = qm.layers.map((l) => ({ name: l.op.name, rows: l.op.rows, cols: l.op.cols }));
  const placement = baselinePlacement(layers, mappingGeometry(qm.config));
  checkPlacement(placement);
  if (placement.crossbars > pool.numCrossbars) {
    throw new Error(`switch: the baseline mapping of ${qm.model.name} needs ${placement.crossbars} crossbars but the pool has ${pool.numCrossbars}; use a bigger pool`);
  }
  if (strategy === 'diff') {
    const write = programModel(qm, placement, pool, prog);
    return { strategy, placement, totals: { ...write.report.totals }, write, matchMs: 0 };
  }
  const fullMode = opts.fullMode ?? 'erase-write';
  if (fullMode === 'verify-all') {
    const write = programModel(qm, placement, pool, { ...prog, verifyAll: true });
    return { strategy, placement, totals: { ...write.report.totals }, write, matchMs: 0 };
  }
  if (fullMode !== 'erase-write') throw new Error(`switch: fullMode must be 'erase-write' or 'verify-all', got ${String(fullMode)}`);
  const { targets, regions } = placementTargets(qm, placement, pool);
  for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET) targets[i] = 0;
  const erase = programPool(pool, targets, { ...prog, regions });
  const write = programModel(qm, placement, pool, prog);
  return { strategy, placement, totals: addTotals(erase.report.totals, write.report.totals), write, erase, matchMs: 0 };
}

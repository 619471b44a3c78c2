// One switch (DESIGN §3.4): the pool holds some model; make it hold `qm` under a strategy of the table
// (src/scenario/strategies.ts) and report what that cost. Every caller switches through here — scenarios and
// sweeps, `ha3m blm` / `switch` / `program`, the page's worker, the benches — so `diff` (say) is the same operation
// everywhere.
//
//   switchModel(pool, qmA, 'diff')                                       // A programmed in place (from any state)
//   const s = switchModel(pool, qmB, 'blm', { resident: placementA, blm: { mode: 'global' } });
//   s.totals.cycles, s.placement, s.matchMs, s.touched
//   switchModel(pool, qmA, 'blm', { resident: s.placement })             // and back, the same way
//   switchModel(pool, qmB, 'diff', { engine: 'estimate' })               // priced with the expected-cost table
//
// Steps: place (the strategy's placement), encode the targets, then one programming operation per step — for an
// erasing strategy (`full`) first every cell of the incoming model to level 0 (a write-verify operation to HRS,
// counted), then the write. fullMode 'verify-all' replaces the erase with one write pass that verifies every cell
// (cells already in band then cost a verify read but no pulse; simulation only). Cells of the previous model outside
// the new placement keep their levels: they are free slots for the next switch.
//
// Engines: 'simulate' runs every pulse through the write-verify kernel (src/programming/program.ts); 'estimate'
// prices each operation with the expected-cost table and leaves the pool as if programmed ideally
// (src/scenario/estimate.ts). Both give the same OperationCost per operation, added up one way (sumOperations).
import type { CrossbarPool } from '../hardware/pool.js';
import { mapModel } from '../mapping/map.js';
import type { Placement } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import { placementTargets } from '../inference/targets.js';
import { resultByLayer, type ModelProgramResult } from '../inference/program-model.js';
import { blmPlacement, type BlmOptions, type BlmResult } from '../matching/blm.js';
import { programPool, NO_TARGET, type ProgramOptions, type ProgramResult } from '../programming/program.js';
import { emptyTotals, type ProgramTotals } from '../programming/report.js';
import { estimateProgramming, type OperationCost } from './estimate.js';
import { strategyOf, type StrategyName } from './strategies.js';
import { ScenarioError } from './types.js';

export type SwitchEngine = 'simulate' | 'estimate';

export interface SwitchOptions {
  /** 'simulate' (default): every pulse simulated; 'estimate': priced with the expected-cost table. */
  engine?: SwitchEngine;
  /** Placement of the model the pool holds now (BLM layer mode pairs with its layers). */
  resident?: Placement;
  /** Strategies placed by mapping (full, diff): 'baseline' (default) or 'xamm'. */
  mapping?: 'baseline' | 'xamm';
  /** Strategies placed by BLM (blm, ha3m): BLM options (mode, cost, negate, block size, ...). */
  blm?: Omit<BlmOptions, 'resident'>;
  /** Erasing strategies (full): 'erase-write' (default) or 'verify-all' (see the top comment). */
  fullMode?: 'erase-write' | 'verify-all';
  /** Options of the simulated programming operations (scheme overrides, kernel, perCell, progress, ...). */
  program?: Omit<ProgramOptions, 'regions' | 'verifyAll'>;
}

/** One programming operation of a switch; `result` is the write-verify driver's (simulation only). */
export interface SwitchOperation extends OperationCost { result?: ProgramResult }

export interface SwitchResult {
  strategy: StrategyName;
  engine: SwitchEngine;
  /** Where the incoming model now sits (its routing table). */
  placement: Placement;
  /** The incoming model's level per pool cell (NO_TARGET where it has none) and layer index per cell (−1: none). */
  targets: Uint8Array;
  regions: Int32Array;
  /** The operations in order: the erase (erasing strategies), then the write. */
  operations: SwitchOperation[];
  /** Σ of the operations' totals (sumOperations). */
  totals: ProgramTotals;
  /** Σ of the operations' latencies under the configured parallelism (s), and cell-serial / row-parallel. */
  latency: { s: number; cellS: number; rowS: number };
  /** 1 for every cell that took at least one pulse in this switch (any operation). */
  touched: Uint8Array;
  /** Simulation: the write, with its report per layer. */
  write?: ModelProgramResult;
  /** Simulation of an erasing strategy in 'erase-write' mode: the erase. */
  erase?: ProgramResult;
  /** Strategies placed by BLM: the matching result (expected cost, timings, pairs). */
  blm?: BlmResult;
  /** Time spent choosing the placement (BLM matching), ms; 0 for strategies placed by mapping. */
  matchMs: number;
}

/** A simulated switch: the write-verify results are there. */
export type SimulatedSwitch = SwitchResult & { engine: 'simulate'; write: ModelProgramResult };

/** Adds programming totals field by field. */
export function addTotals(a: ProgramTotals, b: ProgramTotals): ProgramTotals {
  const out = emptyTotals();
  for (const k of Object.keys(out) as Array<keyof ProgramTotals>) out[k] = a[k] + b[k];
  return out;
}

/** The one way a switch's operations add up: totals field by field, latencies (as scheduled) summed. */
export function sumOperations(ops: readonly OperationCost[]): { totals: ProgramTotals; latency: SwitchResult['latency'] } {
  let totals = emptyTotals();
  const latency = { s: 0, cellS: 0, rowS: 0 };
  for (const op of ops) {
    totals = addTotals(totals, op.totals);
    latency.s += op.latencyS; latency.cellS += op.latencyCellS; latency.rowS += op.latencyRowS;
  }
  return { totals, latency };
}

/** Where `strategy` puts `qm` on `pool`, with the BLM result when it matched. */
function place(pool: CrossbarPool, qm: QuantizedModel, placement: 'mapping' | 'blm', opts: SwitchOptions): { placement: Placement; blm?: BlmResult } {
  if (placement === 'blm') {
    const blm = blmPlacement(qm, pool, { ...opts.blm, resident: opts.resident });
    return { placement: blm.placement, blm };
  }
  const mapping = opts.mapping ?? 'baseline';
  if (mapping !== 'baseline' && mapping !== 'xamm') throw new Error(`switch: mapping must be 'baseline' or 'xamm', got ${String(mapping)}`);
  return { placement: mapModel(qm.model, qm.config, { xamm: mapping === 'xamm' }) };
}

/** Programs `qm` into `pool` under a switching strategy; see the top comment. */
export function switchModel(pool: CrossbarPool, qm: QuantizedModel, strategy: StrategyName, opts?: SwitchOptions & { engine?: 'simulate' }): SimulatedSwitch;
export function switchModel(pool: CrossbarPool, qm: QuantizedModel, strategy: StrategyName, opts: SwitchOptions): SwitchResult;
export function switchModel(pool: CrossbarPool, qm: QuantizedModel, strategy: StrategyName, opts: SwitchOptions = {}): SwitchResult {
  const st = strategyOf(strategy);
  const engine = opts.engine ?? 'simulate';
  if (engine !== 'simulate' && engine !== 'estimate') throw new Error(`switch: engine must be 'simulate' or 'estimate', got ${String(engine)}`);
  const fullMode = opts.fullMode ?? 'erase-write';
  if (fullMode !== 'erase-write' && fullMode !== 'verify-all') throw new Error(`switch: fullMode must be 'erase-write' or 'verify-all', got ${String(fullMode)}`);
  const verifyAll = st.erase && fullMode === 'verify-all';
  if (verifyAll && engine === 'estimate') throw new Error('switch: fullMode \'verify-all\' needs the simulation engine; the expected-cost table prices only cells that change');

  const { placement, blm } = place(pool, qm, st.placement, opts);
  if (placement.crossbars > pool.numCrossbars || placement.blocks.some((b) => b.crossbar >= pool.numCrossbars)) {
    throw new ScenarioError(`switch: the ${placement.scheme} mapping of ${qm.model.name} needs ${placement.crossbars} crossbars but the pool has ${pool.numCrossbars}; use a bigger pool`);
  }
  const { targets, regions } = placementTargets(qm, placement, pool);
  const touched = new Uint8Array(pool.numCells);
  const prog = opts.program ?? {};
  const operations: SwitchOperation[] = [];
  let write: ModelProgramResult | undefined, erase: ProgramResult | undefined;
  const run = (t: Uint8Array, verify: boolean): ProgramResult | undefined => {
    if (engine === 'estimate') {
      operations.push(estimateProgramming(pool, t, regions, touched));
      return undefined;
    }
    const before = pool.wear().view.slice();
    const result = programPool(pool, t, { ...prog, regions, ...(verify ? { verifyAll: true } : {}) });
    markGrown(before, pool.wear().view, touched);
    operations.push(simulatedOperation(result));
    return result;
  };
  if (st.erase && !verifyAll) erase = run(eraseTargets(targets), false);
  const w = run(targets, verifyAll);
  if (w) write = resultByLayer(qm, w);
  const { totals, latency } = sumOperations(operations);
  return {
    strategy, engine, placement, targets, regions, operations, totals, latency, touched,
    ...(write ? { write } : {}), ...(erase ? { erase } : {}), ...(blm ? { blm } : {}), matchMs: blm ? blm.matchMs : 0,
  };
}

// The per-cell loops live in small top-level functions: inside a large function each loop would make V8 compile
// the whole function again on stack replacement — seconds of background compilation over a sweep.

/** The erase step: every cell the incoming model uses goes to HRS (level 0). */
export function eraseTargets(targets: Uint8Array): Uint8Array {
  const erase = new Uint8Array(targets.length).fill(NO_TARGET);
  for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET) erase[i] = 0;
  return erase;
}

/** Marks the cells whose wear grew: the ones that took pulses (cheaper than per-cell count arrays). */
function markGrown(before: Uint32Array, after: Uint32Array, touched: Uint8Array): void {
  for (let i = 0; i < touched.length; i++) if (after[i] !== before[i]) touched[i] = 1;
}

function simulatedOperation(result: ProgramResult): SwitchOperation {
  const r = result.report;
  const perRegionCycles = new Map<number, number>();
  for (const [id, tot] of r.perRegion) perRegionCycles.set(id, tot.cycles);
  return {
    totals: r.totals, latencyS: r.latencyS, latencyCellS: r.latencyCellS, latencyRowS: r.latencyRowS, perRegionCycles,
    maxWear: r.wear.maxWear, switchesLeft: r.wear.switchesLeft, result,
  };
}

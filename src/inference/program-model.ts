// Programming a mapped model into a pool: encode → targets → write-verify, with the report broken down per layer.
import type { CrossbarPool } from '../hardware/pool.js';
import type { Placement } from '../mapping/placement.js';
import { programPool, type ProgramOptions, type ProgramResult } from '../programming/program.js';
import type { ProgramTotals } from '../programming/report.js';
import type { QuantizedModel } from './quantized-model.js';
import { placementTargets } from './targets.js';

export interface ModelProgramResult extends ProgramResult {
  /** Totals per crossbar layer (index = layer), by layer name. */
  perLayer: Array<{ layer: number; name: string; totals: ProgramTotals | null }>;
  /** Totals of the offset scheme's reference columns, if any. */
  referenceColumns: ProgramTotals | null;
}

/** Programs `qm` as placed by `placement` into `pool` (only the cells the placement uses are touched). */
export function programModel(qm: QuantizedModel, placement: Placement, pool: CrossbarPool, opts: Omit<ProgramOptions, 'regions'> = {}): ModelProgramResult {
  const { targets, regions } = placementTargets(qm, placement, pool);
  return resultByLayer(qm, programPool(pool, targets, { ...opts, regions }));
}

/** A programming result of `qm`'s targets (regions = layer indices, as placementTargets makes them), per layer. */
export function resultByLayer(qm: QuantizedModel, result: ProgramResult): ModelProgramResult {
  return {
    ...result,
    perLayer: qm.layers.map((l, i) => ({ layer: i, name: l.op.name, totals: result.report.perRegion.get(i) ?? null })),
    referenceColumns: result.report.perRegion.get(qm.layers.length) ?? null,
  };
}

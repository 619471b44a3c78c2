// Types of a design-space sweep: the grid, its points, and one JSONL record per finished point (schema
// "ha3m-sweep/1"). Pure: no node: imports (the report module reads these in browsers too).
import type { Accuracies, StrategyName } from '../report/types.js';

export const SWEEP_SCHEMA = 'ha3m-sweep/1' as const;

/** A JSON value a swept parameter can take. */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [k: string]: ParamValue };

/** One point of the grid: values for the swept parameters (dotted paths into the scenario file). */
export interface SweepPoint {
  /** Position in the full expansion of the grid (before sharding). */
  index: number;
  /** Content hash of the parameters: stable across runs, shards and resumes. */
  id: string;
  params: Record<string, ParamValue>;
}

/** How one strategy did at one point (means over the switches after the first, as in results.json). */
export interface SweepStrategySummary {
  cyclesPerSwitch: number;
  energyPerSwitchJ: number;
  latencyPerSwitchS: number;
  cellsTouchedPerSwitch: number;
  failuresPerSwitch: number;
  /** Final accuracy of every model (on-crossbar ideal/analog when it was resident; null when not measured). */
  accuracy: Record<string, Accuracies>;
  /** Mean over the models of their final accuracy (null when a kind was not measured for every model). */
  meanAccuracy: { float: number; quantized: number; ideal: number | null; analog: number | null };
  tiedFraction?: number;
}

export interface SweepPointResult {
  poolCrossbars: number;
  /** Crossbars each model needs under the point's hardware and mapping. */
  crossbars: Record<string, number>;
  strategies: Partial<Record<StrategyName, SweepStrategySummary>>;
}

/** One line of the sweep's JSONL file. */
export interface SweepRecord {
  schema: typeof SWEEP_SCHEMA;
  /** Hash of the sweep definition (base scenario + grid): files of different sweeps are never merged. */
  sweep: string;
  id: string;
  index: number;
  params: Record<string, ParamValue>;
  /** simulate = every pulse simulated; estimate = priced with the expected-cost table. */
  mode: 'simulate' | 'estimate';
  status: 'ok' | 'error';
  /** The error message of a failed point. */
  error?: string;
  /** Points in the whole sweep (every shard): lets a merge tell that points are missing. */
  points?: number;
  /** Wall seconds the point took in its worker. */
  seconds: number;
  result?: SweepPointResult;
}

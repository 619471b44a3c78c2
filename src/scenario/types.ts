// Types of a switching scenario and of its results (schema "ha3m-results/1", the contract with src/report).
import type { HardwareConfig } from '../hardware/config.js';
import type { ImportedModel } from '../mapping/types.js';
import type { LabelledSet } from '../inference/engine.js';

export const RESULTS_SCHEMA = 'ha3m-results/1';
export const STRATEGY_NAMES = ['full', 'diff', 'blm', 'ha3m'] as const;
export type StrategyName = typeof STRATEGY_NAMES[number];

export const STRATEGY_DESCRIPTIONS: Record<StrategyName, string> = {
  full: 'conventional: erase the incoming model\'s cells to HRS, then write-verify every cell (no reuse)',
  diff: 'baseline mapping in place: write-verify only the cells whose level differs',
  blm: 'XAMM + block-based layer matching onto the cheapest programmed/free slots, no retraining',
  ha3m: 'XAMM + BLM + multi-model retraining: tied blocks are identical and never reprogrammed',
};

/** One model taking part in a scenario. */
export interface ScenarioModel {
  /** Short name used in the sequence (e.g. "A"). */
  name: string;
  architecture: string;
  task: string;
  model: ImportedModel;
  /** Inputs for calibrating input ranges (calibN samples). */
  calib: Float32Array;
  calibN: number;
  /** Labelled test samples for accuracy. */
  test: LabelledSet;
}

export interface ScenarioSpec {
  name: string;
  config: HardwareConfig;
  models: ScenarioModel[];
  /** Model names in programming order; the first is programmed onto the fresh pool (switch index 0). */
  sequence: string[];
  /** Crossbars in the pool (default: ceil((1 + poolSpare) × the largest model's crossbar count)). */
  poolCrossbars?: number;
  /** Spare fraction for the default pool size (default 0.1). */
  poolSpare?: number;
  /** Remarks carried into the results' notes. */
  notes?: string[];
  mapping: 'baseline' | 'xamm';
  strategies: StrategyName[];
  seed: number;
  /** Test samples per accuracy evaluation (default 1000). */
  evalSamples?: number;
  /** Merged (MMR-retrained) versions of the models for the ha3m strategy, same names; required for 'ha3m'. */
  merged?: { models: ScenarioModel[]; tiedFraction: number; share: number };
  /** BLM options for blm/ha3m. */
  blm?: { mode?: 'layer' | 'global'; negate?: boolean; blockRows?: number; blockCols?: number };
}

export interface Accuracies { float: number; quantized: number; ideal: number | null; analog: number | null }

export interface LayerSwitchStats {
  layer: number; name: string; cells: number; cellsTouched: number; cycles: number; reusedFraction: number;
}

export interface SwitchRecord {
  index: number;
  from: string | null;
  to: string;
  cycles: number;
  setPulses: number; resetPulses: number; verifyReads: number;
  energyJ: number;
  latencyS: number; latencyCellS: number; latencyRowS: number;
  cellsTargeted: number; cellsTouched: number; failures: number;
  crossbarsUsed: number;
  maxWear: number; switchesLeft: number | null;
  matchingSeconds: number;
  perLayer: LayerSwitchStats[];
  heatmap: { crossbars: number[]; binRows: number; binCols: number; values: number[][] };
  accuracy: Record<string, Accuracies>;
}

export interface StrategyResult {
  name: StrategyName;
  description: string;
  cyclesPerSwitch: number;
  energyPerSwitchJ: number;
  latencyPerSwitchS: number;
  latencyCellPerSwitchS: number;
  latencyRowPerSwitchS: number;
  cellsTouchedPerSwitch: number;
  failuresPerSwitch: number;
  totals: { cycles: number; energyJ: number; latencyS: number; failures: number };
  accuracy: Record<string, Accuracies>;
  switches: SwitchRecord[];
  tiedFraction?: number;
}

export interface ParetoPoint { share: number; cyclesPerSwitch: number; accuracy: Record<string, Accuracies> }

export interface Results {
  schema: typeof RESULTS_SCHEMA;
  tool: { name: 'ha3m'; version: string };
  createdAt: string;
  seed: number;
  config: HardwareConfig;
  scenario: {
    name: string;
    models: Array<{ name: string; architecture: string; task: string; crossbars: number }>;
    sequence: string[];
    poolCrossbars: number;
    mapping: 'baseline' | 'xamm';
    evalSamples: number;
  };
  strategies: Record<string, StrategyResult>;
  pareto: ParetoPoint[];
  notes: string[];
}

/** A scenario that cannot run as given (names the field or model and the fix). */
export class ScenarioError extends Error {
  constructor(message: string) { super(message); this.name = 'ScenarioError'; }
}

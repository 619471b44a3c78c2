// The results.json contract (schema "ha3m-results/1"): produced by src/scenario, consumed by src/report.
// Infinity and NaN are written as null; `switchesLeft` is the only headline number that may legitimately be null
// (an unworn pool has an infinite lifetime).
import type { HardwareConfig } from '../hardware/config.js';

export const RESULTS_SCHEMA_ID = 'ha3m-results/1' as const;

/** Accuracies are fractions in [0, 1]; ideal/analog are on-crossbar and null when not measured. */
export interface Accuracies { float: number; quantized: number; ideal: number | null; analog: number | null }

export interface LayerSwitchStats {
  layer: number;
  name: string;
  /** Cells of this layer's weights in the incoming model. */
  cells: number;
  /** Cells that got ≥ 1 pulse. */
  cellsTouched: number;
  cycles: number;
  /** 1 − cellsTouched / cells. */
  reusedFraction: number;
}

export interface SwitchHeatmap {
  /** Crossbar ids, one per grid in `values`. */
  crossbars: number[];
  binRows: number;
  binCols: number;
  /** [crossbar][binRow * binCols + binCol] = fraction of the bin's cells that got ≥ 1 pulse. */
  values: number[][];
}

export interface SwitchRecord {
  /** 0 = initial programming of the first model onto the fresh pool, 1.. = switches. */
  index: number;
  from: string | null;
  to: string;
  cycles: number;
  setPulses: number;
  resetPulses: number;
  verifyReads: number;
  energyJ: number;
  latencyS: number;
  latencyCellS: number;
  latencyRowS: number;
  cellsTargeted: number;
  cellsTouched: number;
  failures: number;
  crossbarsUsed: number;
  maxWear: number;
  /** Lifetime in switches; null when infinite. */
  switchesLeft: number | null;
  matchingSeconds: number;
  perLayer: LayerSwitchStats[];
  heatmap: SwitchHeatmap;
  accuracy: Record<string, Accuracies>;
}

export type StrategyName = 'full' | 'diff' | 'blm' | 'ha3m';

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
  /** ha3m only: fraction of blocks tied by MMR. */
  tiedFraction?: number;
}

export interface ParetoPoint { share: number; cyclesPerSwitch: number; accuracy: Record<string, Accuracies> }

export interface ScenarioModel { name: string; architecture: string; task: string; crossbars: number }

export interface Results {
  schema: typeof RESULTS_SCHEMA_ID;
  tool: { name: 'ha3m'; version: string };
  createdAt: string;
  seed: number;
  config: HardwareConfig;
  scenario: {
    name: string;
    models: ScenarioModel[];
    sequence: string[];
    poolCrossbars: number;
    mapping: 'baseline' | 'xamm';
    evalSamples: number;
  };
  strategies: Record<string, StrategyResult>;
  pareto: ParetoPoint[];
  notes: string[];
}

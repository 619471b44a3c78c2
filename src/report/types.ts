// The results.json contract (schema "ha3m-results/2"): produced by src/scenario, consumed by src/report.
// Infinity and NaN are written as null; `switchesLeft` is the only headline number that may legitimately be null
// (an unworn pool has an infinite lifetime). Version 2 added the sample count and 95 % interval of every accuracy,
// the evaluation plan (claims vs tracking), the models' test-set sizes and the training budgets.
import type { HardwareConfig } from '../hardware/config.js';
import type { Interval } from './interval.js';

export const RESULTS_SCHEMA_ID = 'ha3m-results/2' as const;
export type { Interval };

export type AccuracyKind = 'float' | 'quantized' | 'ideal' | 'analog';

/**
 * Accuracies are fractions in [0, 1]; ideal/analog are on-crossbar and null when not measured. Each comes with the
 * number of test images it was measured on and its 95 % Wilson score interval (both null where the accuracy is).
 */
export interface Accuracies {
  float: number;
  quantized: number;
  ideal: number | null;
  analog: number | null;
  samples: { float: number; quantized: number; ideal: number | null; analog: number | null };
  ci95: { float: Interval; quantized: Interval; ideal: Interval | null; analog: Interval | null };
}

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

/** One ha3m run at an MMR share (the accuracy-vs-cycles trade-off); tiedFraction as in StrategyResult. */
export interface ParetoPoint { share: number; cyclesPerSwitch: number; accuracy: Record<string, Accuracies>; tiedFraction?: number }

export interface ScenarioModel {
  name: string;
  architecture: string;
  task: string;
  crossbars: number;
  /** Images in the model's test set (the most an accuracy can be measured on). */
  testSamples: number;
}

/** One training phase of a model: `epochs` passes over `trainSamples` training images. */
export interface TrainingPhase { phase: string; epochs: number; trainSamples: number; samplesSeen: number }

/** The training a model got before the scenario: what "the same budget" compares. */
export interface ModelBudget {
  name: string;
  /** separate = trained alone (the full/diff/blm models); merged = retrained by MMR (ha3m), at `share`. */
  variant: 'separate' | 'merged';
  share?: number;
  task: string;
  phases: TrainingPhase[];
  /** Σ over phases: epochs and epochs × training images. */
  epochs: number;
  samplesSeen: number;
}

export interface TrainingBudgets {
  models: ModelBudget[];
  /** True when every model's merged variants saw exactly as many training samples as its separate variant. */
  sameBudget: boolean;
}

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
    /** Test images behind each claimed accuracy (each model's last residency); null = each model's whole test set. */
    evalSamples: number | null;
    /** Test images behind the on-crossbar accuracies that only track drift between switches (earlier residencies). */
    trackSamples: number;
  };
  /** How the accuracies' intervals are computed. */
  accuracyInterval: { method: 'wilson'; confidence: 0.95 };
  /** Training budgets of the models (null when the scenario did not train them, e.g. models loaded from files). */
  training: TrainingBudgets | null;
  strategies: Record<string, StrategyResult>;
  pareto: ParetoPoint[];
  notes: string[];
}

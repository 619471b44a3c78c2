// Types of a switching scenario and of its results (schema "ha3m-results/2", the contract with src/report).
import type { HardwareConfig } from '../hardware/config.js';
import type { ImportedModel } from '../mapping/types.js';
import type { LabelledSet } from '../inference/engine.js';

import { RESULTS_SCHEMA_ID, type TrainingBudgets } from '../report/types.js';

export const RESULTS_SCHEMA = RESULTS_SCHEMA_ID;
// the strategy table's names and descriptions, where the scenario's types have always offered them
export { STRATEGY_NAMES, STRATEGY_DESCRIPTIONS, type StrategyName } from './strategies.js';
import type { StrategyName } from './strategies.js';

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
  /**
   * Test images behind each claimed accuracy — each model's accuracy the last time it is resident, what the summary
   * shows (default: each model's whole test set; more than a test set holds is clamped with a note).
   */
  evalSamples?: number;
  /** Test images behind the on-crossbar accuracies of earlier residencies, which only track drift (default 1000). */
  trackSamples?: number;
  /** Training budgets of the models, when the caller trained them (results.training). */
  training?: TrainingBudgets | null;
  /** Merged (MMR-retrained) versions of the models for the ha3m strategy, same names; required for 'ha3m'. */
  merged?: { models: ScenarioModel[]; tiedFraction: number; share: number };
  /** More merged pairs (other MMR shares): the ha3m strategy runs once per entry, giving results.pareto. */
  pareto?: Array<{ models: ScenarioModel[]; tiedFraction: number; share: number }>;
  /** BLM options for blm/ha3m. */
  blm?: { mode?: 'layer' | 'global'; negate?: boolean; blockRows?: number; blockCols?: number };
}

// The results types are the report module's (one definition of schema ha3m-results/2).
export type {
  Accuracies, LayerSwitchStats, SwitchRecord, StrategyResult, ParetoPoint, Results,
} from '../report/types.js';

/** A scenario that cannot run as given (names the field or model and the fix). */
export class ScenarioError extends Error {
  constructor(message: string) { super(message); this.name = 'ScenarioError'; }
}

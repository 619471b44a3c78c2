// How a scenario measures accuracy. Each model's accuracy the last time it is resident is a *claim* (the summary
// table shows it) and is measured on `evalSamples` test images — by default the model's whole test set; the
// residencies before it only track drift between switches and are measured on `trackSamples` images (default 1,000),
// which keeps a long sequence affordable (analog inference is the slow part of a scenario). Every accuracy carries its
// sample count and 95 % Wilson interval (src/report/interval.ts).
import { CrossbarEngine, evaluate, type LabelledSet } from '../inference/engine.js';
import { mapModel } from '../mapping/map.js';
import { accuracyRecord } from '../report/interval.js';
import type { Accuracies } from '../report/types.js';
import type { ScenarioModel, ScenarioSpec } from './types.js';
import type { QuantizedModel } from '../inference/quantized-model.js';

/** Default number of test images for the accuracies that only track drift between switches. */
export const DEFAULT_TRACK_SAMPLES = 1000;

interface Prepared { spec: ScenarioModel; qm: QuantizedModel }

/** Which test images each evaluation uses; built once per scenario (see the file comment). */
export class EvaluationPlan {
  /** Problems with the requested counts that were resolved by clamping (for the results' notes). */
  readonly warnings: string[] = [];
  private readonly claimIndex = new Map<string, number>();

  constructor(readonly spec: Pick<ScenarioSpec, 'sequence' | 'evalSamples' | 'trackSamples' | 'models'>) {
    const { evalSamples, trackSamples } = spec;
    if (evalSamples !== undefined && !(Number.isInteger(evalSamples) && evalSamples >= 1)) {
      throw new RangeError(`scenario.evalSamples must be a positive integer (or left out for every model's whole test set), got ${evalSamples}`);
    }
    if (trackSamples !== undefined && !(Number.isInteger(trackSamples) && trackSamples >= 1)) {
      throw new RangeError(`scenario.trackSamples must be a positive integer, got ${trackSamples}`);
    }
    spec.sequence.forEach((name, i) => this.claimIndex.set(name, i));
    if (evalSamples !== undefined) {
      for (const m of spec.models) {
        if (evalSamples > m.test.n) {
          this.warnings.push(`evalSamples ${evalSamples} exceeds the ${m.test.n} images of model ${m.name}'s test set (${m.task}); its accuracies use all ${m.test.n}`);
        }
      }
    }
  }

  /** Images behind a claimed accuracy of this model. */
  claimSamples(m: ScenarioModel): number {
    return Math.min(this.spec.evalSamples ?? m.test.n, m.test.n);
  }

  /** Images behind a tracking accuracy of this model (never more than its claims). */
  trackSamples(m: ScenarioModel): number {
    return Math.min(this.spec.trackSamples ?? DEFAULT_TRACK_SAMPLES, this.claimSamples(m));
  }

  /** True when switch `index` is the last residency of its model: its accuracy is the claim. */
  isClaim(index: number): boolean {
    const name = this.spec.sequence[index];
    return name !== undefined && this.claimIndex.get(name) === index;
  }

  /** The trackSamples recorded in results.json (the requested count, as the same for every model). */
  get recordedTrackSamples(): number { return this.spec.trackSamples ?? DEFAULT_TRACK_SAMPLES; }
}

/** Software accuracies (float, quantized) of a model on n images. */
export interface SoftwareAccuracy { float: number; quantized: number; n: number }

// Software accuracies depend only on the model, its test images and the quantization (weights, io) — not on the
// crossbars or the device — so they are kept across runs (a sweep runs many hardware points on the same models).
const softwareAccuracies = new WeakMap<ScenarioModel, Map<string, SoftwareAccuracy>>();

/**
 * Float and quantized accuracy on the model's claim images. The quantized accuracy is computed by the engine's ideal
 * path on the encoded levels (no pool): integer arithmetic that is bit-identical to the software quantized model
 * (test/inference) and ~10× faster, which matters on whole test sets.
 */
export function softwareAccuracy(p: Prepared, n: number): SoftwareAccuracy {
  let perModel = softwareAccuracies.get(p.spec);
  if (!perModel) { perModel = new Map(); softwareAccuracies.set(p.spec, perModel); }
  const cfg = p.qm.config;
  const key = JSON.stringify({ weights: cfg.weights, io: cfg.io, crossbar: cfg.crossbar, cells: cfg.cells, n });
  let a = perModel.get(key);
  if (!a) {
    const engine = new CrossbarEngine(p.qm, mapModel(p.spec.model, cfg), null);
    const r = evaluate(engine, p.spec.test, ['float', 'ideal'], { limit: n });
    a = { float: r.float!, quantized: r.ideal!, n };
    perModel.set(key, a);
  }
  return a;
}

/** A model's accuracies without on-crossbar measurements (it is not resident). */
export function softwareOnly(sw: SoftwareAccuracy): Accuracies {
  return accuracyRecord({ float: { value: sw.float, n: sw.n }, quantized: { value: sw.quantized, n: sw.n }, ideal: null, analog: null });
}

/**
 * The resident model's accuracies after a switch: on-crossbar ideal and analog on `n` images (analog null when not
 * measured, e.g. in estimate mode, where ideal equals the quantized accuracy by construction).
 */
export function residentAccuracy(sw: SoftwareAccuracy, ideal: { value: number; n: number }, analog: { value: number; n: number } | null): Accuracies {
  return accuracyRecord({ float: { value: sw.float, n: sw.n }, quantized: { value: sw.quantized, n: sw.n }, ideal, analog });
}

/** Ideal and analog accuracy of the resident model on the crossbars, on the first n test images. */
export function onCrossbar(engine: CrossbarEngine, test: LabelledSet, n: number): { ideal: { value: number; n: number }; analog: { value: number; n: number } } {
  const r = evaluate(engine, test, ['ideal', 'analog'], { limit: n });
  return { ideal: { value: r.ideal!, n }, analog: { value: r.analog!, n } };
}

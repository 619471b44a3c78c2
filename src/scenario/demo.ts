// Node-only: the `ha3m demo` pipeline. Trains K ≥ 2 models (QAT) on MNIST and derived or other tasks, merges them with
// MMR (optionally at several shares: the accuracy-vs-cycles trade-off), continues the separately trained models for as
// many epochs as MMR retrained the merged ones (the same training budget), runs every strategy on a pool that holds
// one model plus a little spare over a round robin A → B → … → A …, and returns the results. Everything is seeded; the
// embedded MNIST is enough (Fashion-MNIST is used only when asked for).
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { deepMerge, resolveHardware, validate, type DeepPartial, type HardwareConfig } from '../hardware/index.js';
import { importLayersModel } from '../mapping/import.js';
import { setupBackend } from '../training/backend.js';
import type { TaskSplits } from '../training/data/datasets.js';
import { buildModel, type ZooModelName } from '../training/zoo.js';
import { evaluateAccuracy } from '../training/train.js';
import { saveModel } from '../training/checkpoint.js';
import type { ModelBudget } from '../report/types.js';
import { budget, cloneModel, loadDemoTask, phase, trainingBudgets, trainPhase } from './demo-train.js';
import { runScenario } from './run.js';
import { STRATEGY_NAMES, ScenarioError, type Results, type ScenarioModel, type ScenarioSpec, type StrategyName } from './types.js';

export interface DemoOptions {
  /** The models' tasks, in order (model names A, B, C, …); the first is the MMR reference. */
  tasks: string[];
  architecture: ZooModelName;
  out: string;
  /** Epochs of the separate training of each model. */
  epochs: number;
  /** Training samples per task (training + validation split). */
  trainLimit: number;
  /** Test images behind each claimed accuracy; undefined = each model's whole test set. */
  evalSamples?: number;
  /** Test images behind the accuracies that only track drift between switches. */
  trackSamples: number;
  calibSamples: number;
  /** Share of blocks MMR ties (the ha3m strategy's models). */
  share: number;
  /** MMR epochs: penalty phase, then the tied fine-tune. */
  mergeEpochs: number;
  mergeFinetuneEpochs: number;
  /** More MMR shares to run ha3m at (the trade-off curve); null = none. */
  pareto: number[] | null;
  /** Continue the separate models for as many epochs as MMR ran (the same training budget). */
  sameBudget: boolean;
  /** Rounds of the round robin over the models. */
  rounds: number;
  seed: number;
  strategies: StrategyName[];
  hardware: DeepPartial<HardwareConfig>;
  preset: string;
  dataDir?: string;
}

/** The shares `ha3m demo --pareto` sweeps. */
export const DEFAULT_PARETO_SHARES: readonly number[] = [0.5, 0.75, 0.9, 0.95, 1.0];
/** The demo's three-model round robin (`--tasks` example in the README). */
export const THREE_TASKS: readonly string[] = ['mnist', 'rotated-mnist:90', 'fashion'];

export const defaultDemoOptions: DemoOptions = {
  tasks: ['mnist', 'rotated-mnist:90'], architecture: 'lenet5', out: 'ha3m-out', epochs: 2, trainLimit: 12000,
  trackSamples: 1000, calibSamples: 256, share: 0.9, mergeEpochs: 1, mergeFinetuneEpochs: 1, pareto: null, sameBudget: true,
  rounds: 2, seed: 1, strategies: [...STRATEGY_NAMES], hardware: {}, preset: 'default',
};

/** What the MMR hook returns: the retrained models (in input order) and the fraction of each model's blocks tied. */
export interface MergeOutcome {
  models: tf.LayersModel[];
  tiedFractions: number[];
  /** Passes MMR made over each model's training split; default mergeEpochs + mergeFinetuneEpochs. */
  epochs?: number;
}

export interface DemoHooks {
  log?: (message: string) => void;
  /** Progress of a named stage (training, merging, switching). */
  progress?: (stage: string, done: number, total: number) => void;
  /**
   * MMR: retrain the K models jointly with tied blocks (src/training/mmr.ts through the CLI); without it the ha3m
   * strategy is skipped with a note. `out` is where the merged models are saved.
   */
  merge?: (models: Array<{ name: string; model: tf.LayersModel; task: TaskSplits }>, cfg: HardwareConfig,
    o: { share: number; epochs: number; finetuneEpochs: number; seed: number; out: string; log?: (message: string) => void;
      onProgress?: (done: number, total: number) => void }) => Promise<MergeOutcome>;
}

const NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function checkOptions(o: DemoOptions): void {
  if (o.tasks.length < 2) throw new ScenarioError(`the demo needs at least two tasks, got ${o.tasks.length} (${o.tasks.join(', ') || 'none'})`);
  if (o.tasks.length > NAMES.length) throw new ScenarioError(`the demo names models A..Z: at most ${NAMES.length} tasks, got ${o.tasks.length}`);
  for (const s of [o.share, ...(o.pareto ?? [])]) {
    if (!(s >= 0 && s <= 1)) throw new ScenarioError(`an MMR share must be a fraction in [0, 1], got ${s}`);
  }
  if (o.evalSamples !== undefined && !(Number.isInteger(o.evalSamples) && o.evalSamples >= 1)) {
    throw new ScenarioError(`evalSamples must be a positive integer (or left out for the whole test sets), got ${o.evalSamples}`);
  }
  if (!(Number.isInteger(o.trackSamples) && o.trackSamples >= 1)) throw new ScenarioError(`trackSamples must be a positive integer, got ${o.trackSamples}`);
}

/** The scenario's view of a trained model: imported (a copy of its weights), calibration and test data. */
function scenarioModel(name: string, arch: string, model: tf.LayersModel, task: TaskSplits, calibSamples: number): ScenarioModel {
  const imported = importLayersModel(model, { source: `${name} (${arch} on ${task.name})` });
  const inSize = task.train.images.length / task.train.n;
  const calibN = Math.min(calibSamples, task.train.n);
  return {
    name, architecture: arch, task: task.name, model: imported,
    calib: task.train.images.slice(0, calibN * inSize), calibN,
    test: { images: task.test.images, labels: task.test.labels, n: task.test.n },
  };
}

interface Trained { name: string; task: TaskSplits; model: tf.LayersModel; seed: number }

/** MMR at one share on fresh copies of the separately trained models; null without a merge hook. */
async function mergeAt(share: number, trained: Trained[], cfg: HardwareConfig, o: DemoOptions, hooks: DemoHooks, out: string) {
  const log = hooks.log ?? (() => {});
  log(`merging ${trained.map((t) => t.name).join(', ')} with MMR (share ${share})`);
  const copies = trained.map((t) => ({ name: t.name, task: t.task, model: cloneModel(t.model, o.architecture, t.task, t.seed) }));
  const m = await hooks.merge!(copies, cfg, {
    share, epochs: o.mergeEpochs, finetuneEpochs: o.mergeFinetuneEpochs, seed: o.seed, out, log,
    onProgress: (done, total) => hooks.progress?.(`merge (share ${share})`, done, total),
  });
  const epochs = m.epochs ?? o.mergeEpochs + o.mergeFinetuneEpochs;
  const models = trained.map((t, k) => scenarioModel(t.name, o.architecture, m.models[k]!, t.task, o.calibSamples));
  // B's share for two models (as `ha3m merge` reports it); with more, the mean over the models tied to A
  const others = m.tiedFractions.slice(1);
  const tiedFraction = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length);
  m.models.forEach((x) => x.dispose());
  return { entry: { models, tiedFraction, share }, epochs, tiedFractions: m.tiedFractions };
}

/** Round robin over the models for `rounds` rounds: A, B, …, A, B, … */
export function roundRobin(names: string[], rounds: number): string[] {
  return Array.from({ length: rounds * names.length }, (_, i) => names[i % names.length]!);
}

export async function runDemo(opts: Partial<DemoOptions> = {}, hooks: DemoHooks = {}): Promise<Results> {
  const o: DemoOptions = { ...defaultDemoOptions, ...opts };
  checkOptions(o);
  const log = hooks.log ?? (() => {});
  const cfg = validate(deepMerge(resolveHardware({}, o.preset), o.hardware));
  const backend = await setupBackend({ log });
  log(`training backend: ${backend.name}`);
  const trained: Trained[] = [];
  const phases = new Map<string, ModelBudget['phases']>();
  for (const [k, taskName] of o.tasks.entries()) {
    const name = NAMES[k]!, seed = o.seed + k;
    const task = await loadDemoTask(taskName, { seed: o.seed, trainLimit: o.trainLimit, dataDir: o.dataDir });
    const model = buildModel(o.architecture, { inputShape: task.train.shape, numClasses: task.train.numClasses, seed });
    log(`training ${name}: ${o.architecture} on ${taskName} (${task.train.n} samples, ${o.epochs} epoch(s), QAT ${cfg.weights.weightBits}-bit)`);
    const p = await trainPhase('train', model, task, cfg, { arch: o.architecture, epochs: o.epochs, seed: o.seed, onBatch: (d, t) => hooks.progress?.(`train ${name}`, d, t) });
    phases.set(name, [p]);
    log(`  ${name} test accuracy (float, QAT weights, ${task.test.n} test images): ${(100 * evaluateAccuracy(model, task.test)).toFixed(2)} %`);
    trained.push({ name, task, model, seed });
  }
  const notes: string[] = [];
  const budgets: ModelBudget[] = [];
  let strategies = o.strategies;
  let merged: ScenarioSpec['merged'];
  const pareto: NonNullable<ScenarioSpec['pareto']> = [];
  let mmrEpochs: number | null = null;
  if (strategies.includes('ha3m') && !hooks.merge) {
    strategies = strategies.filter((s) => s !== 'ha3m');
    notes.push('ha3m was skipped: MMR is not available in this build');
  } else if (strategies.includes('ha3m')) {
    const shares = [o.share, ...(o.pareto ?? []).filter((s) => s !== o.share)];
    for (const share of shares) {
      const main = share === o.share;
      const m = await mergeAt(share, trained, cfg, o, hooks, join(o.out, main ? 'merged' : `merged-share-${share}`));
      if (mmrEpochs !== null && m.epochs !== mmrEpochs) throw new ScenarioError(`MMR ran ${m.epochs} epochs at share ${share} but ${mmrEpochs} before; the budgets would differ`);
      mmrEpochs = m.epochs;
      for (const t of trained) {
        budgets.push(budget({ name: t.name, variant: 'merged', share, task: t.task.name, phases: [...phases.get(t.name)!, phase('mmr', m.epochs, t.task.train.n)] }));
      }
      notes.push(`MMR at share ${share} tied ${m.tiedFractions.map((f, k) => `${(100 * f).toFixed(1)} % of ${trained[k]!.name}'s`).join(', ')} blocks`);
      if (main) merged = m.entry; else pareto.push(m.entry);
    }
  }
  if (o.sameBudget && mmrEpochs !== null && mmrEpochs > 0) {
    for (const t of trained) {
      log(`continuing ${t.name} for ${mmrEpochs} epoch(s): the separate models get the merged ones' training budget`);
      // a fresh shuffle stream for the continued epochs (the first epochs' orders are not replayed)
      const p = await trainPhase('continue', t.model, t.task, cfg, { arch: o.architecture, epochs: mmrEpochs, seed: o.seed + 17, lastEpoch: true, onBatch: (d, n) => hooks.progress?.(`continue ${t.name}`, d, n) });
      phases.get(t.name)!.push(p);
      log(`  ${t.name} test accuracy (float, QAT weights): ${(100 * evaluateAccuracy(t.model, t.task.test)).toFixed(2)} %`);
    }
  }
  budgets.unshift(...trained.map((t) => budget({ name: t.name, variant: 'separate', task: t.task.name, phases: phases.get(t.name)! })));
  for (const t of trained) await saveModel(t.model, join(o.out, 'models', t.name));
  const training = budgets.some((b) => b.variant === 'merged') ? trainingBudgets(budgets) : null;
  const sep = budgets.find((b) => b.variant === 'separate')!;
  notes.unshift(`models trained by the demo: ${o.architecture}, QAT ${cfg.weights.weightBits}-bit, ${sep.phases.map((p) => `${p.phase} ${p.epochs} epoch(s)`).join(' + ')} on ${trained[0]!.task.train.n} training images per task` +
    (training ? (training.sameBudget ? '; merged models: the same number of epochs (train + MMR)' : '; merged models had a DIFFERENT budget') : ''));
  const names = trained.map((t) => t.name);
  const spec: ScenarioSpec = {
    name: `demo: ${o.architecture} ${o.tasks.join(' <-> ')}`, config: cfg,
    models: trained.map((t) => scenarioModel(t.name, o.architecture, t.model, t.task, o.calibSamples)),
    sequence: roundRobin(names, o.rounds),
    mapping: 'baseline', strategies, seed: o.seed, evalSamples: o.evalSamples, trackSamples: o.trackSamples, poolSpare: 0.1,
    merged, ...(pareto.length ? { pareto } : {}), notes, training,
  };
  log(`switching ${spec.sequence.join(' → ')} under ${strategies.join(', ')}${pareto.length ? ` (ha3m also at shares ${pareto.map((p) => p.share).join(', ')})` : ''}`);
  return runScenario(spec, { onProgress: (stage, done, total) => hooks.progress?.(`switch (${stage})`, done, total) });
}

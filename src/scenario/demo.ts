// Node-only: the `ha3m demo` pipeline. Trains two models (QAT) on MNIST and on a second task, merges them with MMR,
// runs every strategy on a pool that holds one model plus a little spare, and writes the report. Everything is
// seeded; the embedded MNIST is enough (Fashion-MNIST is used only when asked for).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { deepMerge, resolveHardware, validate, type DeepPartial, type HardwareConfig } from '../hardware/index.js';
import { importLayersModel } from '../mapping/import.js';
import { setupBackend } from '../training/backend.js';
import { loadTask, type TaskSplits } from '../training/data/datasets.js';
import { buildModel, type ZooModelName } from '../training/zoo.js';
import { trainModel, evaluateAccuracy } from '../training/train.js';
import { saveModel } from '../training/checkpoint.js';
import { runScenario } from './run.js';
import { STRATEGY_NAMES, ScenarioError, type Results, type ScenarioModel, type ScenarioSpec, type StrategyName } from './types.js';

export interface DemoOptions {
  /** Second task: a derived MNIST task (default, no extra data) or Fashion-MNIST. */
  data: 'derived' | 'fashion';
  /** Task of model B when data = derived. */
  derivedTask: string;
  architecture: ZooModelName;
  out: string;
  epochs: number;
  /** Training samples per task. */
  trainLimit: number;
  evalSamples: number;
  calibSamples: number;
  /** Share of blocks MMR ties. */
  share: number;
  mergeEpochs: number;
  rounds: number;
  seed: number;
  strategies: StrategyName[];
  hardware: DeepPartial<HardwareConfig>;
  preset: string;
  dataDir?: string;
}

export const defaultDemoOptions: DemoOptions = {
  data: 'derived', derivedTask: 'rotated-mnist:90', architecture: 'lenet5', out: 'ha3m-out', epochs: 2, trainLimit: 12000,
  evalSamples: 500, calibSamples: 256, share: 0.9, mergeEpochs: 1, rounds: 2, seed: 1, strategies: [...STRATEGY_NAMES],
  hardware: {}, preset: 'default',
};

export interface DemoHooks {
  log?: (message: string) => void;
  /** Progress of a named stage (training, merging, switching). */
  progress?: (stage: string, done: number, total: number) => void;
  /**
   * MMR: retrain the two models jointly with tied blocks; returns the merged models and the tied fraction.
   * Provided by src/training/mmr.ts; without it the ha3m strategy is skipped with a note.
   */
  merge?: (a: { model: tf.LayersModel; task: TaskSplits }, b: { model: tf.LayersModel; task: TaskSplits }, cfg: HardwareConfig,
    o: { share: number; epochs: number; seed: number; out: string; log?: (message: string) => void }) => Promise<{ a: tf.LayersModel; b: tf.LayersModel; tiedFraction: number }>;
}

function scenarioModel(name: string, arch: string, taskName: string, model: tf.LayersModel, task: TaskSplits, o: DemoOptions): ScenarioModel {
  const imported = importLayersModel(model, { source: `${name} (${arch} on ${taskName})` });
  const inSize = task.train.images.length / task.train.n;
  const calibN = Math.min(o.calibSamples, task.train.n);
  const n = Math.min(o.evalSamples, task.test.n);
  return {
    name, architecture: arch, task: taskName, model: imported,
    calib: task.train.images.slice(0, calibN * inSize), calibN,
    test: { images: task.test.images.slice(0, n * inSize), labels: task.test.labels.slice(0, n), n },
  };
}

export async function runDemo(opts: Partial<DemoOptions> = {}, hooks: DemoHooks = {}): Promise<Results> {
  const o: DemoOptions = { ...defaultDemoOptions, ...opts };
  const log = hooks.log ?? (() => {});
  const cfg = validate(deepMerge(resolveHardware({}, o.preset), o.hardware));
  const backend = await setupBackend({ log });
  log(`training backend: ${backend.name}`);
  const taskB = o.data === 'fashion' ? 'fashion' : o.derivedTask;
  const load = (task: string) => loadTask(task, { seed: o.seed, limit: o.trainLimit, dataDir: o.dataDir })
    .catch((e: Error) => { throw new ScenarioError(`task ${task}: ${e.message}`); });
  const tasks = { A: await load('mnist'), B: await load(taskB) };
  const taskNames = { A: 'mnist', B: taskB };
  const trained: Record<'A' | 'B', tf.LayersModel> = {} as Record<'A' | 'B', tf.LayersModel>;
  for (const name of ['A', 'B'] as const) {
    const t = tasks[name];
    const model = buildModel(o.architecture, { inputShape: t.train.shape, numClasses: t.train.numClasses, seed: o.seed + (name === 'A' ? 0 : 1) });
    log(`training ${name}: ${o.architecture} on ${taskNames[name]} (${t.train.n} samples, ${o.epochs} epoch(s), QAT ${cfg.weights.weightBits}-bit)`);
    let batches = 0;
    await trainModel(model, { train: t.train, val: t.val, name: taskNames[name] }, {
      epochs: o.epochs, seed: o.seed, batchSize: 64, qat: { weightBits: cfg.weights.weightBits, scale: cfg.weights.scale, seed: o.seed },
      onBatch: (b) => { batches = b.batches * b.epochs; hooks.progress?.(`train ${name}`, (b.epoch - 1) * b.batches + b.batch, batches); },
    });
    log(`  ${name} test accuracy (float, QAT weights): ${(100 * evaluateAccuracy(model, t.test)).toFixed(2)} %`);
    await saveModel(model, join(o.out, 'models', name));
    trained[name] = model;
  }
  // imported (copied) before MMR, which retrains the models in place
  const originals = [scenarioModel('A', o.architecture, taskNames.A, trained.A, tasks.A, o), scenarioModel('B', o.architecture, taskNames.B, trained.B, tasks.B, o)];
  const notes: string[] = [`models trained by the demo: ${o.architecture}, ${o.epochs} epoch(s) on ${o.trainLimit} samples per task, QAT ${cfg.weights.weightBits}-bit`];
  let merged: ScenarioSpec['merged'];
  let strategies = o.strategies;
  if (strategies.includes('ha3m')) {
    if (hooks.merge) {
      log(`merging with MMR (share ${o.share})`);
      const m = await hooks.merge({ model: trained.A, task: tasks.A }, { model: trained.B, task: tasks.B }, cfg,
        { share: o.share, epochs: o.mergeEpochs, seed: o.seed, out: join(o.out, 'merged'), log });
      merged = {
        models: [scenarioModel('A', o.architecture, taskNames.A, m.a, tasks.A, o), scenarioModel('B', o.architecture, taskNames.B, m.b, tasks.B, o)],
        tiedFraction: m.tiedFraction, share: o.share,
      };
      notes.push(`MMR tied ${(100 * m.tiedFraction).toFixed(1)} % of the blocks (share ${o.share})`);
    } else {
      strategies = strategies.filter((s) => s !== 'ha3m');
      notes.push('ha3m was skipped: MMR is not available in this build');
    }
  }
  const spec: ScenarioSpec = {
    name: `demo: ${o.architecture} mnist <-> ${taskB}`, config: cfg,
    models: originals,
    sequence: Array.from({ length: 2 * o.rounds }, (_, i) => (i % 2 === 0 ? 'A' : 'B')),
    mapping: 'baseline', strategies, seed: o.seed, evalSamples: o.evalSamples, poolSpare: 0.1, merged, notes,
  };
  log(`switching ${spec.sequence.join(' → ')} under ${strategies.join(', ')}`);
  return runScenario(spec, { onProgress: (stage, done, total) => hooks.progress?.(`switch (${stage})`, done, total) });
}

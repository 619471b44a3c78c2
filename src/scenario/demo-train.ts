// Node-only: the training side of `ha3m demo` — loading the tasks, training the separate models, continuing them for as
// many epochs as MMR retrains the merged ones (the same budget: a gap between ha3m and full/diff/blm is then MMR's,
// not a shorter schedule), and the budget records that results.json keeps.
import * as tf from '@tensorflow/tfjs';
import type { HardwareConfig } from '../hardware/index.js';
import { loadTask, type TaskSplits } from '../training/data/datasets.js';
import { buildModel, type ZooModelName } from '../training/zoo.js';
import { trainModel } from '../training/train.js';
import type { ModelBudget, TrainingBudgets, TrainingPhase } from '../report/types.js';
import { ScenarioError } from './types.js';

/**
 * A task's splits for the demo: training and validation from the first `trainLimit` training images (quick), the test
 * split whole — accuracies are claimed on the full test set.
 */
export async function loadDemoTask(task: string, o: { seed: number; trainLimit: number; dataDir?: string }): Promise<TaskSplits> {
  try {
    return await loadTask(task, { seed: o.seed, limit: o.trainLimit, testLimit: Infinity, dataDir: o.dataDir });
  } catch (e) {
    throw new ScenarioError(`task ${task}: ${(e as Error).message}`);
  }
}

/** One phase of a model's training budget. */
export function phase(name: string, epochs: number, trainSamples: number): TrainingPhase {
  return { phase: name, epochs, trainSamples, samplesSeen: epochs * trainSamples };
}

/** A budget record from its phases (totals derived). */
export function budget(b: Omit<ModelBudget, 'epochs' | 'samplesSeen'>): ModelBudget {
  return { ...b, epochs: b.phases.reduce((s, p) => s + p.epochs, 0), samplesSeen: b.phases.reduce((s, p) => s + p.samplesSeen, 0) };
}

/** The budgets of a demo run, with sameBudget computed (every merged variant against its model's separate one). */
export function trainingBudgets(models: ModelBudget[]): TrainingBudgets {
  const sep = new Map(models.filter((b) => b.variant === 'separate').map((b) => [b.name, b.samplesSeen]));
  const merged = models.filter((b) => b.variant === 'merged');
  return { models, sameBudget: merged.length > 0 && merged.every((b) => sep.get(b.name) === b.samplesSeen) };
}

/** A copy of a trained zoo model (same architecture and weights), so that MMR, which retrains in place, gets its own. */
export function cloneModel(model: tf.LayersModel, arch: ZooModelName, task: TaskSplits, seed: number): tf.LayersModel {
  const copy = buildModel(arch, { inputShape: task.train.shape, numClasses: task.train.numClasses, seed });
  const w = model.getWeights();
  copy.setWeights(w);
  return copy;
}

export interface TrainOptions {
  arch: ZooModelName;
  epochs: number;
  seed: number;
  /** Learning rate (the trainer's default when absent). */
  learningRate?: number;
  /** Keep the weights of the last epoch rather than the best validation epoch (as MMR does). */
  lastEpoch?: boolean;
  onBatch?: (done: number, total: number) => void;
}

/** Trains (or continues training) one model with 8-bit QAT on its task; returns the phase for the budget. */
export async function trainPhase(name: string, model: tf.LayersModel, task: TaskSplits, cfg: HardwareConfig, o: TrainOptions): Promise<TrainingPhase> {
  await trainModel(model, { train: task.train, val: task.val, name: task.name }, {
    epochs: o.epochs, seed: o.seed, batchSize: 64, learningRate: o.learningRate,
    ...(o.lastEpoch ? { restoreBest: false } : {}),
    qat: { weightBits: cfg.weights.weightBits, scale: cfg.weights.scale, seed: o.seed },
    onBatch: (b) => o.onBatch?.((b.epoch - 1) * b.batches + b.batch, b.batches * b.epochs),
  });
  return phase(name, o.epochs, task.train.n);
}

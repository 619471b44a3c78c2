// `ha3m train`: trains a zoo model on a dataset (optionally quantization-aware), saves it in TF.js format.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { markIncomplete, UserError } from '../errors.js';
import { prepareOutDir, writeFailure } from '../out.js';
import { intArg as int, numArg as num } from '../common.js';
import { backendNames, setupBackend, type BackendName } from '../../training/backend.js';
import { loadTask, taskHelp } from '../../training/data/datasets.js';
import { buildModel, zooModelNames, type ZooModelName } from '../../training/zoo.js';
import { evaluateAccuracy, train, type TrainState } from '../../training/train.js';
import { loadModel, saveModel, writeFileAtomic } from '../../training/checkpoint.js';

interface TrainCliOptions {
  model: string; data: string; dataDir?: string; epochs: string; batchSize: string; lr: string; lrDecay: string;
  patience?: string; qat?: boolean; weightBits: string; scale: string; noise: string; out?: string; resume?: boolean;
  seed: string; backend?: string; limit?: string; valFraction: string; json?: boolean; progress: boolean;
}


export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a zoo model (optionally quantization-aware) and save it in TF.js format (model.json + weights.bin)')
    .option('--model <name>', `model: ${zooModelNames.join(', ')}`, 'lenet5')
    .option('--data <task>', `dataset: ${taskHelp}`, 'mnist')
    .option('--data-dir <dir>', 'directory with Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)')
    .option('--epochs <n>', 'epochs', '5')
    .option('--batch-size <n>', 'batch size', '64')
    .option('--lr <x>', 'Adam learning rate', '0.001')
    .option('--lr-decay <x>', 'learning-rate factor per epoch', '1')
    .option('--patience <n>', 'early stopping: epochs without validation improvement')
    .option('--qat', 'quantization-aware training (fake-quantized Dense/Conv2D kernels, straight-through estimator)')
    .option('--weight-bits <b>', 'QAT weight bits (as the hardware config weightBits)', '8')
    .option('--scale <s>', 'QAT scale granularity: layer | column', 'layer')
    .option('--noise <lsb>', 'QAT programming-noise σ in weight LSBs (training only)', '0')
    .option('--out <dir>', 'save the model to DIR/model, checkpoints to DIR/checkpoint, results to DIR/result.json')
    .option('--resume', 'continue from DIR/checkpoint (needs --out)')
    .option('--seed <s>', 'seed (initialization, shuffles, splits)', '1')
    .option('--backend <name>', `force a backend: ${backendNames.join(', ')}`)
    .option('--limit <n>', 'use only the first N training samples (and N/6 test samples)')
    .option('--val-fraction <x>', 'fraction of training data held out for validation', '0.1')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print a JSON result object as the last line')
    .action(async (o: TrainCliOptions) => { await runTrain(o); });
}

/** What defines a training run: a resume must match all of it (only --epochs and --patience may change). */
interface RunOptions {
  model: string; data: string; seed: number; limit: number | null; valFraction: number; batchSize: number; lr: number; lrDecay: number;
  qat: { weightBits: number; scale: string; noise: number } | null;
}
/** state.json of a checkpoint: the trainer's state plus the options of the run that wrote it. */
type CheckpointState = TrainState & { run?: RunOptions };

const RUN_FLAGS: Record<keyof RunOptions, string> = {
  model: '--model', data: '--data', seed: '--seed', limit: '--limit', valFraction: '--val-fraction', batchSize: '--batch-size',
  lr: '--lr', lrDecay: '--lr-decay', qat: '--qat/--weight-bits/--scale/--noise',
};

function runOptionsOf(o: TrainCliOptions, seed: number, weightBits: number): RunOptions {
  return {
    model: o.model, data: o.data, seed, limit: o.limit ? int(o.limit, 'limit', 1) : null, valFraction: num(o.valFraction, 'val-fraction'),
    batchSize: int(o.batchSize, 'batch-size', 1), lr: num(o.lr, 'lr'), lrDecay: num(o.lrDecay, 'lr-decay'),
    qat: o.qat ? { weightBits, scale: o.scale, noise: num(o.noise, 'noise') } : null,
  };
}

const shapes = (m: tf.LayersModel) => m.weights.map((w) => `[${w.shape.join(',')}]`).join(' ');

/**
 * A resume continues the same run: refuse one whose options differ from the checkpoint's (naming them), or — for
 * a checkpoint that predates recorded options — whose weights do not fit the requested model and data.
 */
function checkResumable(saved: RunOptions | undefined, now: RunOptions, built: tf.LayersModel, restored: tf.LayersModel, dir: string): void {
  const fix = `resume with the checkpoint's options (only --epochs and --patience may change), or train anew into another --out (or without --resume, which overwrites ${dir})`;
  if (saved) {
    const diff = (Object.keys(RUN_FLAGS) as Array<keyof RunOptions>).filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
    if (diff.length) {
      const show = (v: unknown) => (v === null ? 'not set' : typeof v === 'object' ? JSON.stringify(v) : String(v));
      throw new UserError(`--resume: the checkpoint in ${dir} was trained with other options: ${diff.map((k) => `${RUN_FLAGS[k]} ${show(now[k])} (checkpoint: ${show(saved[k])})`).join(', ')}; ${fix}`);
    }
  }
  if (shapes(built) !== shapes(restored)) {
    throw new UserError(`--resume: the checkpoint in ${dir} holds another model (weights ${shapes(restored)}), not ${now.model} on ${now.data} (weights ${shapes(built)}); ${fix}`);
  }
}

async function runTrain(o: TrainCliOptions): Promise<void> {
  if (!zooModelNames.includes(o.model as ZooModelName)) throw new UserError(`unknown model '${o.model}'; use one of ${zooModelNames.join(', ')}`);
  if (o.backend && !backendNames.includes(o.backend as BackendName)) throw new UserError(`unknown backend '${o.backend}'; use one of ${backendNames.join(', ')}`);
  if (o.scale !== 'layer' && o.scale !== 'column') throw new UserError(`--scale must be layer or column, got '${o.scale}'`);
  if (o.resume && !o.out) throw new UserError('--resume needs --out DIR (the checkpoint is read from DIR/checkpoint)');
  const seed = int(o.seed, 'seed');
  const epochs = int(o.epochs, 'epochs', 1);
  const weightBits = int(o.weightBits, 'weight-bits', 2);
  if (weightBits > 16) throw new UserError(`--weight-bits must be in 2..16, got ${weightBits}`);
  const run = runOptionsOf(o, seed, weightBits);
  if (o.out) prepareOutDir(o.out); // before the data and the training: a bad --out must not cost the run
  const t0 = performance.now();
  const backend = await setupBackend({ backend: o.backend as BackendName | undefined });
  let splits;
  try {
    splits = await loadTask(o.data, { requireTrain: true, seed, dataDir: o.dataDir, limit: run.limit ?? undefined, valFraction: run.valFraction });
  } catch (e) { throw new UserError((e as Error).message); }
  const log = (s: string) => { if (!o.json) console.log(s); else console.error(s); };
  log(`data ${splits.name}: ${splits.train.n} train, ${splits.val.n} validation, ${splits.test.n} test, ${splits.train.numClasses} classes`);

  const ckptDir = o.out ? path.join(o.out, 'checkpoint') : undefined;
  let model = buildModel(o.model as ZooModelName, { inputShape: splits.train.shape, numClasses: splits.train.numClasses, seed });
  let resumeFrom: TrainState | undefined;
  if (o.resume && ckptDir) {
    let saved: CheckpointState;
    try {
      saved = JSON.parse(await readFile(path.join(ckptDir, 'state.json'), 'utf8')) as CheckpointState;
    } catch { throw new UserError(`--resume: no checkpoint in ${ckptDir} (state.json missing); run without --resume first`); }
    const restored = await loadModel(ckptDir);
    checkResumable(saved.run, run, model, restored, ckptDir);
    model.dispose();
    model = restored;
    const { run: _, ...state } = saved;
    resumeFrom = state;
    log(`resuming from ${ckptDir} after epoch ${resumeFrom.epochsDone}${resumeFrom.epochsDone >= epochs ? ` (--epochs ${epochs}: nothing left to train; raise --epochs to continue)` : ''}`);
  }
  if (o.qat && model.layers.some((l) => l.getClassName() === 'BatchNormalization')) {
    console.error('note: this model has BatchNormalization; QAT quantizes the unfolded kernels, so the folded weights the crossbar programs are not exactly on the grid. For exact integers fold first (foldBatchNorm in src/training/fold.ts) and fine-tune the folded model with QAT.');
  }
  const qat = run.qat ? { weightBits, scale: o.scale as 'layer' | 'column', noiseLsb: run.qat.noise, seed } : undefined;

  let bar: { start(t: number, v: number, p: object): void; update(v: number, p: object): void; stop(): void; setTotal(t: number): void } | undefined;
  const showBar = o.progress && process.stderr.isTTY;
  if (showBar) {
    const spec = 'cli-progress'; // untyped CommonJS package (no @types installed)
    const cp = ((await import(spec)) as { default: any }).default; // eslint-disable-line @typescript-eslint/no-explicit-any
    bar = new cp.SingleBar({ format: 'epoch {ep} [{bar}] {value}/{total} | loss {loss} | acc {acc} | ETA {eta_s}s', stream: process.stderr, hideCursor: true }, cp.Presets.shades_classic);
  }
  let curEpoch = 0, ckptFailed = false;
  const result = await train([{ name: o.data, model, train: splits.train, val: splits.val }], {
    epochs, seed, batchSize: run.batchSize, learningRate: run.lr, lrDecay: run.lrDecay,
    patience: o.patience ? int(o.patience, 'patience', 1) : undefined, qat, resumeFrom,
    onBatch: (b) => {
      if (!bar) return;
      if (b.epoch !== curEpoch) { if (curEpoch) bar.stop(); curEpoch = b.epoch; bar.start(b.batches, 0, {}); }
      if (b.batch % 5 === 0 || b.batch === b.batches) bar.update(b.batch, { ep: `${b.epoch}/${b.epochs}`, loss: b.loss.toFixed(4), acc: (100 * b.accuracy).toFixed(2) + '%' });
    },
    onEpochEnd: async (m, state) => {
      if (bar) { bar.stop(); curEpoch = 0; }
      log(`epoch ${m.epoch}/${epochs}: loss ${m.loss.toFixed(4)}, train ${(100 * m.trainAccuracy).toFixed(2)} %, val ${m.valAccuracy !== undefined ? (100 * m.valAccuracy).toFixed(2) + ' %' : '–'}, ${m.seconds.toFixed(1)} s`);
      if (!ckptDir || ckptFailed) return;
      try {
        await saveModel(model, ckptDir, { 'state.json': JSON.stringify({ ...state, run } satisfies CheckpointState) });
      } catch (e) { // training goes on without checkpoints; the final save is tried (and reported) at the end
        ckptFailed = true;
        console.error(`warning: ${writeFailure(`the checkpoint ${ckptDir}`, e)}; training continues without checkpoints (no --resume from this epoch on)`);
      }
    },
  });
  const testAccuracy = evaluateAccuracy(model, splits.test);
  const seconds = (performance.now() - t0) / 1000;
  const out = {
    model: o.model, data: o.data, backend: backend.name, epochs: result.epochsDone, stoppedEarly: result.stoppedEarly,
    bestEpoch: result.bestEpoch, valAccuracy: result.bestValAccuracy, testAccuracy, trainSeconds: result.seconds, seconds,
    qat: qat ? { weightBits, scale: qat.scale, noiseLsb: qat.noiseLsb } : null, seed, samples: { train: splits.train.n, val: splits.val.n, test: splits.test.n },
    params: model.countParams(), history: result.history, out: o.out ? path.join(o.out, 'model') : null,
  };
  let saved = !!o.out;
  if (o.out) {
    let target = path.join(o.out, 'model');
    try {
      await saveModel(model, target);
      target = path.join(o.out, 'result.json');
      await writeFileAtomic(target, JSON.stringify(out, null, 2));
    } catch (e) { // the results are still printed below; the exit code says they are not all saved
      saved = false;
      markIncomplete();
      if (target === out.out) out.out = null;
      console.error(`ha3m: ${writeFailure(target, e)}`);
    }
  }
  log(`test accuracy ${(100 * testAccuracy).toFixed(2)} % (${o.model} on ${o.data}${qat ? `, QAT ${weightBits}-bit` : ''}), ${seconds.toFixed(1)} s${saved ? `; saved to ${path.join(o.out!, 'model')}` : ''}`);
  if (o.json) console.log(JSON.stringify(out));
}

// The training loop, reusable: one or several (model, dataset) tasks trained with alternating batches
// (round robin), an optional per-step hook adding loss terms (evaluated on the gradient tape) and an after-step hook
// for weight projections — the MMR engineer's joint two-model training builds on this. Adam, early stopping on
// validation accuracy, optional QAT (qat.ts), atomic TF.js checkpoints, resumable.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data/datasets.js';
import { permutation } from './data/datasets.js';
import { FakeQuantizer, type QatOptions } from './qat.js';
import { HostAdam, base64ToF32, f32ToBase64, type AdamStateJson } from './adam.js';
import { wasmKernelsPatched } from './kernels.js';

export interface TrainTask {
  name: string;
  model: tf.LayersModel;
  train: Dataset;
  val?: Dataset;
}

export interface StepContext {
  epoch: number;
  /** Global step counter (over all tasks). */
  step: number;
  /** Index of the task whose batch this step trains. */
  task: number;
  /** Fraction of training done, 0..1 (for schedules like MMR's growing λ(t)). */
  progress: number;
  tasks: TrainTask[];
  /**
   * QAT only: the fake-quantizer of this step's task. Its `masters` are the float weights the optimizer updates; the
   * model's Dense/Conv2D kernels are overwritten with quantize(master) after every step, so weight projections in
   * QAT mode must act on the masters (then call `quantizer.project()`).
   */
  quantizer?: FakeQuantizer;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Multiply the learning rate by this after every epoch (default 1). */
  lrDecay?: number;
  seed?: number;
  /** Stop when validation accuracy has not improved for this many epochs (default: never stop early). */
  patience?: number;
  /** Restore the best-validation weights at the end (default true when there is a validation set). */
  restoreBest?: boolean;
  qat?: QatOptions;
  /** Extra loss term for this step (runs inside the gradient tape; return a scalar or nothing). */
  extraLoss?: (ctx: StepContext) => tf.Scalar | undefined;
  /** Runs after every optimizer step (weight projections, tying, clipping). */
  afterStep?: (ctx: StepContext) => void;
  /** Called after every epoch with its metrics; may be async (checkpointing). */
  onEpochEnd?: (e: EpochMetrics, state: TrainState) => void | Promise<void>;
  /** Progress reporting per batch (the CLI draws a bar with it). */
  onBatch?: (b: BatchProgress) => void;
  /** Start from this state (resume); epochs already done are skipped. */
  resumeFrom?: TrainState;
  /**
   * 'adam' (default): HostAdam (adam.ts, one fused wasm pass per variable; its state is checkpointed for resume).
   * 'tfjs-adam': tf.train.adam as shipped (benchmarks of stock tfjs; no optimizer state in checkpoints).
   */
  optimizer?: 'adam' | 'tfjs-adam';
  /** Limit steps per epoch (benchmarks; default all). */
  maxBatchesPerEpoch?: number;
}

export interface EpochMetrics { epoch: number; loss: number; trainAccuracy: number; valAccuracy?: number; seconds: number; lr: number }
export interface BatchProgress { epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; etaSeconds: number }
export interface TrainState {
  epochsDone: number; bestValAccuracy: number; bestEpoch: number; staleEpochs: number; history: EpochMetrics[]; seconds: number;
  /** Adam moments and step at the end of the last epoch, keyed `task:index` (index into the task's trainable weights). */
  optimizer?: AdamStateJson;
  /** QAT: the float masters per task (base64 f32), which the saved model's quantized kernels cannot reproduce. */
  qatMasters?: string[][];
}
export interface TrainResult extends TrainState { stoppedEarly: boolean }

function makeBatch(ds: Dataset, order: Int32Array, start: number, size: number): { x: tf.Tensor4D; y: tf.Tensor2D; labels: Int32Array } {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const n = Math.min(size, order.length - start);
  const xs = new Float32Array(n * per);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = order[start + i]!;
    xs.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j]!;
  }
  return tf.tidy(() => ({ x: tf.tensor4d(xs, [n, h, w, c]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), ds.numClasses) as tf.Tensor2D, labels }));
}

/** Cross-entropy of softmax outputs (the zoo models end in softmax). */
export function crossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, 1e-7, 1))), -1))) as tf.Scalar);
}

const CLIP_LO = Math.fround(1e-7);
/**
 * crossEntropy as one taped op with a host-computed gradient: the loss of a [batch, classes] pair is a few hundred
 * numbers, but composed from tfjs ops it is 6 kernels forward and ~15 backward (clip mask, log, two reductions and
 * their broadcasts), each costing tfjs's per-op overhead — about 0.5 ms of a 9 ms MLP step on wasm. Same value and
 * gradients (f32 rounding aside): dL/dp = −(dy/B)·y/clip(p) inside the clip range, 0 outside; dL/dy = −(dy/B)·log(clip(p)).
 * Labels may be float32 or int32 (tf.oneHot's one-hot rows, as train() makes them). Used on the wasm backend with the
 * ha3m kernels (train() picks it; the stock set-up keeps the composed loss).
 */
export const crossEntropyFused: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar = (() => {
  const op = tf.customGrad(((y: tf.Tensor, p: tf.Tensor, save: tf.GradSaveFunc) => {
    save([y, p]);
    const yd = y.dataSync(), pd = p.dataSync(), batch = y.shape[0]!, classes = y.size / batch;
    let s = 0;
    for (let i = 0; i < batch; i++) {
      let row = 0; // per-row f32 sum like the composed sum(-1), rows added in f64
      for (let j = i * classes; j < (i + 1) * classes; j++) {
        const c = Math.min(Math.max(pd[j]!, CLIP_LO), 1);
        row = Math.fround(row + Math.fround(yd[j]! * Math.fround(Math.log(c))));
      }
      s += row;
    }
    return {
      value: tf.scalar(-s / batch),
      gradFunc: (dy: tf.Tensor) => {
        const g = -(dy.dataSync()[0]!) / batch;
        const dp = new Float32Array(pd.length), dyy = new Float32Array(pd.length);
        for (let j = 0; j < pd.length; j++) {
          const v = pd[j]!, c = Math.min(Math.max(v, CLIP_LO), 1);
          dp[j] = v >= CLIP_LO && v <= 1 ? g * yd[j]! / c : 0;
          dyy[j] = g * Math.log(c);
        }
        return [tf.tensor(dyy, y.shape, 'float32'), tf.tensor(dp, p.shape, 'float32')];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    if (yPred.rank !== 2 || yTrue.shape.join() !== yPred.shape.join() || yPred.dtype !== 'float32' || (yTrue.dtype !== 'float32' && yTrue.dtype !== 'int32')) {
      return crossEntropy(yTrue, yPred);
    }
    return op(yTrue, yPred) as tf.Scalar;
  };
})();

/** Predicted classes for a whole dataset (inference mode, batches of `batchSize`). */
export function predictClasses(model: tf.LayersModel, ds: Dataset, batchSize = 500): Int32Array {
  const out = new Int32Array(ds.n);
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  for (let s = 0; s < ds.n; s += batchSize) {
    const n = Math.min(batchSize, ds.n - s);
    const cls = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(ds.images.subarray(s * per, (s + n) * per), [n, h, w, c])) as tf.Tensor, -1).dataSync());
    out.set(cls, s);
  }
  return out;
}

export function evaluateAccuracy(model: tf.LayersModel, ds: Dataset, batchSize = 500): number {
  if (ds.n === 0) throw new Error(`${ds.name}: cannot evaluate on an empty dataset`);
  const p = predictClasses(model, ds, batchSize);
  let ok = 0;
  for (let i = 0; i < ds.n; i++) if (p[i] === ds.labels[i]) ok++;
  return ok / ds.n;
}

/** Every task has a model whose outputs match its dataset's classes. */
function checkTasks(tasks: TrainTask[]): void {
  if (!tasks.length) throw new Error('train: no tasks given');
  for (const t of tasks) {
    const out = t.model.outputs[0]!.shape;
    if (out[out.length - 1] !== t.train.numClasses) {
      throw new Error(`task '${t.name}': model '${t.model.name}' has ${out[out.length - 1]} outputs but the dataset has ${t.train.numClasses} classes; build the model with numClasses=${t.train.numClasses}`);
    }
  }
}

/**
 * Stable keys for the optimizer state (variable names are not stable across processes): `task:index` over each
 * task's trainable weights, with QAT kernels standing for their float masters.
 */
function optimizerKeys(tasks: TrainTask[], quantizers: FakeQuantizer[]): { keyToName: Map<string, string>; nameToKey: Map<string, string> } {
  const keyToName = new Map<string, string>(), nameToKey = new Map<string, string>();
  tasks.forEach((t, ti) => {
    const q = quantizers[ti];
    const master = new Map(q ? q.kernels.map((k, i) => [(k.variable.read() as tf.Variable).name, q.masters[i]!.name] as const) : []);
    t.model.trainableWeights.forEach((w, i) => {
      const raw = (w.read() as tf.Variable).name;
      const name = master.get(raw) ?? raw, key = `${ti}:${i}`;
      keyToName.set(key, name);
      if (!nameToKey.has(name)) nameToKey.set(name, key);
    });
  });
  return { keyToName, nameToKey };
}

/**
 * Trains one or more tasks with alternating batches. Returns the training state (history, best validation accuracy).
 * With `qat`, every model's Dense/Conv2D kernels are fake-quantized (STE) and end up exactly on the quantization grid.
 */
export async function train(tasks: TrainTask[], opts: TrainOptions = {}): Promise<TrainResult> {
  checkTasks(tasks);
  const epochs = opts.epochs ?? 5;
  const batchSize = opts.batchSize ?? 64;
  const seed = opts.seed ?? 0;
  let lr = opts.learningRate ?? 1e-3;
  const host = opts.optimizer === 'tfjs-adam' ? null : new HostAdam(lr);
  // the fused loss is part of the ha3m wasm set-up (kernels.ts); other backends and stock wasm keep the composed one
  const loss = tf.getBackend() === 'wasm' && wasmKernelsPatched() ? crossEntropyFused : crossEntropy;
  const optimizer: { learningRate: number; applyGradients(g: tf.NamedTensorMap): void; dispose(): void } = host ?? (tf.train.adam(lr) as unknown as typeof optimizer);
  const quantizers = opts.qat ? tasks.map((t, i) => new FakeQuantizer(t.model, { ...opts.qat!, seed: (opts.qat!.seed ?? seed) + i })) : [];
  const { keyToName, nameToKey } = optimizerKeys(tasks, quantizers);
  const hasVal = tasks.every((t) => t.val && t.val.n > 0);
  const restoreBest = opts.restoreBest ?? hasVal;
  const state: TrainState = opts.resumeFrom ? structuredClone(opts.resumeFrom) : { epochsDone: 0, bestValAccuracy: -1, bestEpoch: -1, staleEpochs: 0, history: [], seconds: 0 };
  for (let e = 0; e < state.epochsDone; e++) lr *= opts.lrDecay ?? 1;
  if (state.optimizer && host) host.loadJson(state.optimizer, (k) => keyToName.get(k));
  // a QAT checkpoint resumed without QAT fine-tunes the saved (quantized) kernels in float; the masters are not needed
  if (state.qatMasters && quantizers.length) {
    quantizers.forEach((q, ti) => q.masters.forEach((mv, i) => {
      const d = base64ToF32(state.qatMasters![ti]?.[i] ?? '', `QAT master ${ti}:${i}`);
      if (d.length !== mv.size) throw new Error(`resume: QAT master ${ti}:${i} has ${d.length} values, the model's kernel ${mv.size}; the checkpoint belongs to another model`);
      mv.assign(tf.tensor(d, mv.shape));
    }));
  }
  const saveOptimizer = () => {
    if (host) state.optimizer = host.toJson((n) => nameToKey.get(n));
    if (quantizers.length) state.qatMasters = quantizers.map((q) => q.masters.map((mv) => f32ToBase64(mv.dataSync() as Float32Array)));
  };
  let best: tf.Tensor[][] | null = null;
  const snapshot = () => tasks.map((t) => t.model.getWeights().map((w) => tf.keep(w.clone())));
  const disposeBest = () => { best?.flat().forEach((w) => w.dispose()); best = null; };
  let stoppedEarly = false;
  const batchesPer = tasks.map((t) => Math.min(Math.ceil(t.train.n / batchSize), opts.maxBatchesPerEpoch ?? Infinity));
  const totalBatches = batchesPer.reduce((a, b) => a + b, 0);
  let step = state.epochsDone * totalBatches;
  const projected = tasks.map(() => false);

  try {
    for (let epoch = state.epochsDone; epoch < epochs; epoch++) {
      const t0 = performance.now();
      optimizer.learningRate = lr;
      const orders = tasks.map((t, i) => permutation(t.train.n, seed, 1, 1000 * epoch + i));
      const next = tasks.map(() => 0);
      let lossSum = 0, correct = 0, seen = 0, done = 0;
      // round robin over tasks until each has run its batches
      while (done < totalBatches) {
        for (let ti = 0; ti < tasks.length; ti++) {
          if (next[ti]! >= batchesPer[ti]!) continue;
          const task = tasks[ti]!;
          const { x, y, labels } = makeBatch(task.train, orders[ti]!, next[ti]! * batchSize, batchSize);
          next[ti]!++; done++; step++;
          const q = quantizers[ti];
          const ctx: StepContext = { epoch, step, task: ti, progress: step / (epochs * totalBatches), tasks, quantizer: q };
          // the kernels already hold quantize(master) from the last step, unless noise is injected or this is the first
          if (q && ((opts.qat!.noiseLsb ?? 0) > 0 || !projected[ti])) { q.project(true); projected[ti] = true; }
          let predsCls: Int32Array | undefined;
          const vars = task.model.trainableWeights.map((w) => w.read() as tf.Variable);
          const { value, grads } = tf.variableGrads(() => {
            const pred = task.model.apply(x, { training: true }) as tf.Tensor;
            predsCls = tf.tidy(() => tf.argMax(pred, -1).dataSync() as Int32Array);
            let l = loss(y, pred);
            const extra = opts.extraLoss?.(ctx);
            if (extra) l = tf.add(l, extra);
            return l as tf.Scalar;
          }, vars);
          const g = q ? q.redirect(grads) : grads;
          optimizer.applyGradients(g);
          const lv = (await value.data())[0]!;
          tf.dispose([value, x, y]); tf.dispose(Object.values(grads));
          q?.project(false);
          opts.afterStep?.(ctx);
          if (!Number.isFinite(lv)) throw new Error(`training diverged (loss ${lv}) at epoch ${epoch + 1}, step ${step}; lower the learning rate (--lr)`);
          lossSum += lv * labels.length; seen += labels.length;
          for (let i = 0; i < labels.length; i++) if (predsCls![i] === labels[i]) correct++;
          const el = (performance.now() - t0) / 1000;
          opts.onBatch?.({ epoch: epoch + 1, epochs, batch: done, batches: totalBatches, loss: lossSum / seen, accuracy: correct / seen, etaSeconds: el / done * (totalBatches - done) });
        }
      }
      const m: EpochMetrics = { epoch: epoch + 1, loss: lossSum / seen, trainAccuracy: correct / seen, seconds: (performance.now() - t0) / 1000, lr };
      if (hasVal) {
        const accs = tasks.map((t) => evaluateAccuracy(t.model, t.val!));
        m.valAccuracy = accs.reduce((a, b) => a + b, 0) / accs.length;
        if (m.valAccuracy > state.bestValAccuracy) {
          state.bestValAccuracy = m.valAccuracy; state.bestEpoch = epoch + 1; state.staleEpochs = 0;
          if (restoreBest) { disposeBest(); best = snapshot(); }
        } else state.staleEpochs++;
      }
      state.history.push(m); state.epochsDone = epoch + 1; state.seconds += m.seconds;
      if (opts.onEpochEnd || epoch + 1 === epochs) saveOptimizer(); // for checkpoints and the returned state
      lr *= opts.lrDecay ?? 1;
      await opts.onEpochEnd?.(m, state);
      if (opts.patience !== undefined && hasVal && state.staleEpochs >= opts.patience && epoch + 1 < epochs) { saveOptimizer(); stoppedEarly = true; break; }
    }
    if (restoreBest && best) {
      const b: tf.Tensor[][] = best;
      tasks.forEach((t, i) => t.model.setWeights(b[i]!));
    }
  } finally {
    disposeBest();
    quantizers.forEach((q) => q.dispose());
    optimizer.dispose();
  }
  return { ...state, stoppedEarly };
}

/** Convenience: one model, one task. */
export function trainModel(model: tf.LayersModel, data: { train: Dataset; val?: Dataset; name?: string }, opts: TrainOptions = {}): Promise<TrainResult> {
  return train([{ name: data.name ?? data.train.name, model, train: data.train, val: data.val }], opts);
}

// Quantization-aware training (DESIGN §3.3): fake-quantized crossbar weights with a straight-through
// estimator. The float "master" copy of every Dense/Conv2D kernel is kept aside; before each step the model's kernel
// is set to quantize(master) — computed by src/hardware/quantize.ts's own quantizeWeights(), so the rules are exactly
// the crossbar encoder's (scale = max|w|/(2^(wb−1)−1) per layer or per column, round half to even, clip) — and the
// gradient taken at the quantized point is applied to the master (STE). After training the model holds quantized
// weights, and quantizeWeights() of them returns the same integers. Optional programming-noise injection adds
// N(0, (noiseLsb·scale)²) to the weights used in the forward/backward pass (HostRng, seeded).
import * as tf from '@tensorflow/tfjs';
import { quantizeWeights, type QuantizedMatrix } from '../hardware/quantize.js';
import type { HardwareConfig } from '../hardware/config.js';
import { HostRng } from '../wasm/index.js';
import { StreamPurpose, streamId } from '../wasm/rng.js';

export interface QatOptions {
  weightBits: number;
  /** Per-layer (default) or per-output-column scales, as HardwareConfig.weights.scale. */
  scale?: 'layer' | 'column';
  /** Programming noise σ in LSBs of the layer's weight scale (0 = off). Only in training steps, not in the final weights. */
  noiseLsb?: number;
  seed?: number;
}

/** The crossbar weight of a layer: its kernel viewed as K × N (K = fan-in, N = outputs). */
export interface CrossbarKernel {
  layer: tf.layers.Layer;
  variable: tf.LayerVariable;
  rows: number;
  cols: number;
}

/** Dense and Conv2D kernels — the weights that go to crossbars (conv: rows = kh·kw·cin, cols = cout). */
export function crossbarKernels(model: tf.LayersModel): CrossbarKernel[] {
  const out: CrossbarKernel[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Dense' && cls !== 'Conv2D') continue;
    const v = layer.weights.find((w) => /kernel/.test(w.name));
    if (!v) throw new Error(`layer '${layer.name}' (${cls}) has no kernel weight`);
    const shape = v.shape as number[];
    const cols = shape[shape.length - 1]!;
    out.push({ layer, variable: v, rows: shape.reduce((a, b) => a * b, 1) / cols, cols });
  }
  return out;
}

export function weightsConfig(o: Pick<QatOptions, 'weightBits' | 'scale'>): Pick<HardwareConfig, 'weights'> {
  if (!Number.isInteger(o.weightBits) || o.weightBits < 2 || o.weightBits > 16) {
    throw new Error(`weightBits must be an integer in 2..16, got ${o.weightBits}`);
  }
  return { weights: { weightBits: o.weightBits, scale: o.scale ?? 'layer' } };
}

/** quantize + dequantize host-side with the encoder's rules; returns float32 weights and the integers. */
export function fakeQuantize(w: ArrayLike<number>, rows: number, cols: number, o: Pick<QatOptions, 'weightBits' | 'scale'>, what = 'weights'): { values: Float32Array; q: QuantizedMatrix } {
  const q = quantizeWeights(w, rows, cols, weightsConfig(o), what);
  const values = new Float32Array(q.ints.length);
  for (let i = 0; i < q.rows; i++) {
    for (let j = 0; j < q.cols; j++) values[i * q.cols + j] = q.ints[i * q.cols + j]! * q.scales[q.perColumn ? j : 0]!;
  }
  return { values, q };
}

let masterCounter = 0;

export class FakeQuantizer {
  readonly kernels: CrossbarKernel[];
  /** Float masters, one per kernel (trainable tf.Variables the optimizer updates). */
  readonly masters: tf.Variable[];
  private readonly rng: HostRng;
  private readonly opts: QatOptions;

  constructor(model: tf.LayersModel, opts: QatOptions) {
    weightsConfig(opts);
    this.opts = opts;
    this.kernels = crossbarKernels(model);
    this.masters = this.kernels.map((k, i) => {
      const init = k.variable.read().clone();
      const v = tf.variable(init, true, `ha3m_qat_master_${++masterCounter}_${model.name}_${i}`);
      init.dispose(); // the variable holds its own reference to the data
      return v;
    });
    this.rng = new HostRng(opts.seed ?? 0, streamId(StreamPurpose.training, 100));
  }

  /** Sets every model kernel to quantize(master) (+ noise when `noisy`). */
  project(noisy = false): void {
    const noise = noisy ? this.opts.noiseLsb ?? 0 : 0;
    this.kernels.forEach((k, i) => {
      const m = this.masters[i]!.dataSync() as Float32Array;
      const { values, q } = fakeQuantize(m, k.rows, k.cols, this.opts, `${k.layer.name} kernel`);
      if (noise > 0) {
        for (let r = 0, p = 0; r < k.rows; r++) {
          for (let c = 0; c < k.cols; c++, p++) values[p] = Math.fround(values[p]! + this.rng.normal() * noise * q.scales[q.perColumn ? c : 0]!);
        }
      }
      const t = tf.tensor(values, k.variable.shape as number[], 'float32');
      k.variable.write(t); // assign shares t's data; dispose t so the old kernel data is freed on the next write
      t.dispose();
    });
  }

  /** Maps the gradient of each model kernel onto its master (straight-through estimator). */
  redirect(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { ...grads };
    this.kernels.forEach((k, i) => {
      const name = (k.variable.read() as tf.Variable).name;
      const g = out[name];
      delete out[name];
      if (g) out[this.masters[i]!.name] = g;
    });
    return out;
  }

  /** Copies the model's current kernels into the masters (e.g. after loading a float checkpoint). */
  syncFromModel(): void {
    this.kernels.forEach((k, i) => this.masters[i]!.assign(k.variable.read()));
  }

  dispose(): void { for (const m of this.masters) m.dispose(); }
}

/** The integers of every crossbar kernel (as the encoder will see them). */
export function quantizedKernels(model: tf.LayersModel, o: Pick<QatOptions, 'weightBits' | 'scale'>): Array<{ layer: string; q: QuantizedMatrix }> {
  return crossbarKernels(model).map((k) => ({
    layer: k.layer.name,
    q: quantizeWeights(k.variable.read().dataSync(), k.rows, k.cols, weightsConfig(o), `${k.layer.name} kernel`),
  }));
}

/**
 * Post-training quantization in place: every Dense/Conv2D kernel becomes quantize(kernel)·scale with the encoder's
 * rules (what the crossbar would hold in ideal mode). Returns the integers per layer.
 */
export function applyQuantization(model: tf.LayersModel, o: Pick<QatOptions, 'weightBits' | 'scale'>): Array<{ layer: string; q: QuantizedMatrix }> {
  return crossbarKernels(model).map((k) => {
    const { values, q } = fakeQuantize(k.variable.read().dataSync(), k.rows, k.cols, o, `${k.layer.name} kernel`);
    const t = tf.tensor(values, k.variable.shape as number[], 'float32');
    k.variable.write(t);
    t.dispose();
    return { layer: k.layer.name, q };
  });
}

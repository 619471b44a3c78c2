// Crossbar-simulated inference (DESIGN §2.2, §3.2 routing). Dense and Conv2D layers run through the crossbar MVM
// kernels block by block, following the placement (src/inference/products.ts); everything else runs on the host
// (src/mapping/forward.ts). A layer's quantization, im2col and block products run in wasm memory in ideal and analog
// mode, and in ideal mode its de-scaling, bias and ReLU too.
//
// Modes: float (the imported model), quantized (software integers), ideal (integer arithmetic on the levels the
// pool holds — bit-identical to quantized when the pool holds this model), analog (the conductances the
// write-verify simulation left, read noise per MVM, ADC).
import type { CrossbarPool } from '../hardware/pool.js';
import { floatMvm, forward, type MvmFn } from '../mapping/forward.js';
import type { Placement, PlacedBlock } from '../mapping/placement.js';
import { addBias, applyActivation, im2col } from '../mapping/hostops.js';
import type { CrossbarOp, WindowGeometry } from '../mapping/types.js';
import { quantizedMvm, type QuantizedLayer, type QuantizedModel } from './quantized-model.js';
import { layerAdcRanges } from './adc-ranges.js';
import { GeneralBuffers, generalProduct, packedProduct, type CrossbarMode, type ProductContext } from './products.js';

export type InferenceMode = 'float' | 'quantized' | 'ideal' | 'analog';
export const INFERENCE_MODES: readonly InferenceMode[] = ['float', 'quantized', 'ideal', 'analog'];

export interface EngineOptions {
  /** Seed of the read noise (analog mode). */
  seed?: number;
}

export class CrossbarEngine implements ProductContext {
  private readonly byLayer: PlacedBlock[][];
  private readonly indexOf = new Map<PlacedBlock, number>();
  private analogCalls = 0;
  private readonly ranges = new Map<number, Float64Array | null>();
  private readonly bufs = new GeneralBuffers();
  readonly seed: number;

  /**
   * @param pool the pool holding this model (needed for ideal-from-pool and analog); null runs ideal mode on the
   *             encoded levels directly.
   */
  constructor(readonly qm: QuantizedModel, readonly placement: Placement, readonly pool: CrossbarPool | null, opts: EngineOptions = {}) {
    this.seed = opts.seed ?? 0;
    this.byLayer = qm.layers.map(() => []);
    placement.blocks.forEach((b, i) => {
      const list = this.byLayer[b.layer];
      if (!list) throw new Error(`placement block ${i} refers to layer ${b.layer}, but the model has ${qm.layers.length} crossbar layers`);
      const layer = qm.layers[b.layer]!;
      if (b.srcRow + b.rows > layer.op.rows || b.srcCol + b.cols > layer.op.cols) {
        throw new Error(`placement block ${i} reaches outside layer ${layer.op.name} (${layer.op.rows} × ${layer.op.cols}); the placement belongs to another model`);
      }
      list.push(b);
      this.indexOf.set(b, i);
    });
    if (pool) {
      if (pool.rows !== qm.config.crossbar.rows || pool.cols !== qm.config.crossbar.cols) {
        throw new Error(`the pool's crossbars are ${pool.rows} × ${pool.cols} but the model was quantized for ${qm.config.crossbar.rows} × ${qm.config.crossbar.cols}`);
      }
      for (const b of placement.blocks) {
        if (b.crossbar >= pool.numCrossbars) throw new Error(`placement uses crossbar ${b.crossbar} but the pool has ${pool.numCrossbars}`);
      }
    }
  }

  blocks(layer: QuantizedLayer): readonly PlacedBlock[] { return this.byLayer[layer.op.layer]!; }
  blockIndex(b: PlacedBlock): number { return this.indexOf.get(b)!; }

  /**
   * ADC half ranges of a layer: null unless io.adcRange is "calibrated" without fixed io.adcRanges, in which case they
   * are calibrated once on the layer's calibration sample over its placed blocks (intended levels, DESIGN §2).
   */
  adcRanges(layer: QuantizedLayer): Float64Array | null {
    let r = this.ranges.get(layer.op.layer);
    if (r === undefined) {
      r = layerAdcRanges(this.qm, layer, this.blocks(layer));
      this.ranges.set(layer.op.layer, r);
    }
    return r;
  }

  /** Restarts the read-noise call counter, so a repeated evaluation with the same seed draws the same noise. */
  resetNoise(): void { this.analogCalls = 0; }

  mvmFor(mode: InferenceMode): MvmFn {
    switch (mode) {
      case 'float': return floatMvm;
      case 'quantized': return quantizedMvm(this.qm);
      case 'ideal':
      case 'analog': {
        if (mode === 'analog' && !this.pool) throw new Error('analog inference needs the programmed pool: pass the CrossbarPool that holds the model');
        return Object.assign(
          (op: CrossbarOp, x: Float32Array, M: number) => this.product(this.qm.layers[op.layer]!, x, M, null, false, mode),
          { layer: (op: CrossbarOp, x: Float32Array, batch: number) => this.product(this.qm.layers[op.layer]!, x, batch, op.conv ?? null, true, mode) });
      }
    }
  }

  /** Runs a batch; returns batch × outputs floats. */
  run(x: Float32Array, batch: number, mode: InferenceMode): Float32Array {
    return forward(this.qm.model, x, batch, this.mvmFor(mode)).data;
  }

  /**
   * Product of a crossbar layer from its input: x is M × K row vectors (conv null), or the batch of input images of a
   * Conv2D layer (M = batch); with epilogue, bias and activation too. The packed path first; the general one when
   * it declines (wide inputs or weights, a non-finite input).
   */
  private product(layer: QuantizedLayer, x: Float32Array, M: number, conv: WindowGeometry | null, epilogue: boolean,
    mode: CrossbarMode): Float32Array {
    const call = mode === 'analog' ? this.analogCalls++ : 0;
    const packed = packedProduct(this, layer, x, M, conv, epilogue, mode, call);
    if (packed) return packed;
    const y = generalProduct(this, this.bufs, layer, conv ? im2col(x, M, conv) : x, conv ? M * conv.outH * conv.outW : M, mode, call);
    if (epilogue) { addBias(y, layer.op.bias); applyActivation(layer.op.activation, y, layer.op.cols); }
    return y;
  }
}

export interface Accuracy { float?: number; quantized?: number; ideal?: number; analog?: number }

export interface LabelledSet { images: Float32Array; labels: Int32Array; n: number }

/** Top-1 accuracy of the chosen modes on a labelled set, evaluated in batches. */
export function evaluate(engine: CrossbarEngine, data: LabelledSet, modes: readonly InferenceMode[] = INFERENCE_MODES,
  opts: { batch?: number; limit?: number; onProgress?: (done: number, total: number) => void } = {}): Accuracy {
  const n = Math.min(data.n, opts.limit ?? data.n);
  if (n < 1) throw new Error('evaluate: the labelled set is empty');
  const inSize = data.images.length / data.n;
  const bs = opts.batch ?? 250;
  const out: Accuracy = {};
  const total = n * modes.length;
  let done = 0;
  for (const mode of modes) {
    engine.resetNoise();
    let correct = 0;
    for (let s = 0; s < n; s += bs) {
      const count = Math.min(bs, n - s);
      const y = engine.run(data.images.subarray(s * inSize, (s + count) * inSize), count, mode);
      const C = y.length / count;
      for (let i = 0; i < count; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (y[i * C + c]! > y[i * C + best]!) best = c;
        if (best === data.labels[s + i]) correct++;
      }
      done += count;
      opts.onProgress?.(done, total);
    }
    out[mode] = correct / n;
  }
  return out;
}

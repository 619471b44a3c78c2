// Crossbar-simulated inference (DESIGN §2.2, §3.2 routing). Dense and Conv2D layers run through the crossbar MVM
// kernels block by block, following the placement: each block takes input rows srcRow.. of its layer, sits at
// (crossbar, rowOffset, colOffset) in the pool, and adds its outputs into columns srcCol.. (negated when the block
// is stored negated). Everything else runs on the host (src/mapping/forward.ts), except in ideal mode, where a whole
// Dense/Conv2D layer — quantization, im2col, block products, de-scaling, bias and ReLU — runs in wasm.
//
// Modes: float (the imported model), quantized (software integers), ideal (integer arithmetic on the levels the
// pool holds — bit-identical to quantized when the pool holds this model), analog (the conductances the
// write-verify simulation left, read noise per MVM, ADC).
import type { CrossbarPool } from '../hardware/pool.js';
import { AnalogBlock, calibrateAdcRanges, composeIdeal, idealNeedsI32, type CalibrationBlock, type IdealWeights } from '../hardware/mvm.js';
import { cellsPerWeight } from '../hardware/derived.js';
import { encodeLevels } from '../hardware/encode.js';
import { floatMvm, forward, type MvmFn } from '../mapping/forward.js';
import type { Placement, PlacedBlock } from '../mapping/placement.js';
import { arena, StreamPurpose, streamId, wasm, WasmRng } from '../wasm/index.js';
import { addBias, applyActivation, im2col } from '../mapping/hostops.js';
import type { CrossbarOp, WindowGeometry } from '../mapping/types.js';
import { descale, descaleFactors, quantizedMvm, type QuantizedLayer, type QuantizedModel } from './quantized-model.js';
import { maxInputInt, quantizeInputs } from '../hardware/quantize.js';
import { blockInts, blockStart } from './targets.js';

export type InferenceMode = 'float' | 'quantized' | 'ideal' | 'analog';
export const INFERENCE_MODES: readonly InferenceMode[] = ['float', 'quantized', 'ideal', 'analog'];

/** Input vectors per kernel call: bounds scratch memory for large conv batches. */
const CHUNK_VECTORS = 8192;

export interface EngineOptions {
  /** Seed of the read noise (analog mode). */
  seed?: number;
}

const sharedAdcRanges = new WeakMap<QuantizedLayer, Map<string, Float64Array>>();

export class CrossbarEngine {
  private readonly byLayer: PlacedBlock[][];
  private readonly blockIndex = new Map<PlacedBlock, number>();
  private analogCalls = 0;
  private readonly adcRanges = new Map<number, Float64Array | null>();
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
      this.blockIndex.set(b, i);
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

  /**
   * ADC half ranges of a layer: null unless io.adcRange is "calibrated" without fixed io.adcRanges, in which case they
   * are calibrated once on the layer's calibration sample over its placed blocks (intended levels, DESIGN §2).
   */
  adcRangesFor(layer: QuantizedLayer): Float64Array | null {
    const cfg = layer.config;
    if (cfg.io.adcRange !== 'calibrated' || cfg.io.adcRanges !== null) return null;
    let r = this.adcRanges.get(layer.op.layer);
    if (r === undefined) {
      // the ranges depend only on the layer and how it is cut into blocks, not on where the blocks sit: engines of
      // the same quantized model (one per switch and strategy) share them
      const blocks = this.byLayer[layer.op.layer]!;
      const cut = blocks.map((b) => `${b.srcRow},${b.rows},${b.srcCol},${b.cols},${b.negated ? 1 : 0}`).join(';');
      let shared = sharedAdcRanges.get(layer);
      if (!shared) { shared = new Map(); sharedAdcRanges.set(layer, shared); }
      r = shared.get(cut);
      if (r) { this.adcRanges.set(layer.op.layer, r); return r; }
      const cpw = cellsPerWeight(cfg), cal = layer.calibration, K = layer.op.rows;
      const calib: CalibrationBlock[] = [];
      for (const b of blocks) {
        const inputs = new Int32Array(cal.count * b.rows);
        for (let m = 0; m < cal.count; m++) inputs.set(cal.inputs.subarray(m * K + b.srcRow, m * K + b.srcRow + b.rows), m * b.rows);
        calib.push({
          levels: encodeLevels(blockInts(this.qm, b), b.rows, b.cols, cfg),
          geometry: { rows: b.rows, nOut: b.cols, stride: b.cols * cpw }, inputs, count: cal.count,
        });
      }
      r = calibrateAdcRanges(cfg, calib);
      shared.set(cut, r);
      this.adcRanges.set(layer.op.layer, r);
    }
    return r;
  }

  /** Restarts the read-noise call counter, so a repeated evaluation with the same seed draws the same noise. */
  resetNoise(): void { this.analogCalls = 0; }

  mvmFor(mode: InferenceMode): MvmFn {
    switch (mode) {
      case 'float': return floatMvm;
      case 'quantized': return quantizedMvm(this.qm);
      case 'ideal': return Object.assign(
        (op: CrossbarOp, x: Float32Array, M: number) => this.idealProduct(this.qm.layers[op.layer]!, x, M, null, false),
        { layer: (op: CrossbarOp, x: Float32Array, batch: number) => this.idealProduct(this.qm.layers[op.layer]!, x, batch, op.conv ?? null, true) });
      case 'analog': {
        if (!this.pool) throw new Error('analog inference needs the programmed pool: pass the CrossbarPool that holds the model');
        return (op, x, M) => this.layerProduct(this.qm.layers[op.layer]!, x, M, 'analog');
      }
    }
  }

  /** Runs a batch; returns batch × outputs floats. */
  run(x: Float32Array, batch: number, mode: InferenceMode): Float32Array {
    return forward(this.qm.model, x, batch, this.mvmFor(mode)).data;
  }

  // reused across layers and batches: an evaluation otherwise allocates (and the GC reclaims) hundreds of MB per pass
  private xiBuf = new Int32Array(0);
  private yIntBuf = new Float64Array(0);
  private gatherBuf = new Int32Array(0);
  private partIdeal = new Int32Array(0);
  private partAnalog = new Float64Array(0);

  /**
   * Ideal product of a crossbar layer from its input: x is M × K row vectors (conv null), or the batch of input images
   * of a Conv2D layer (M = batch). The inputs are quantized once (before im2col: quantized 0 is the padding's 0) and
   * every block's patches are packed into i16 vectors in wasm, so nothing of size patches × K passes through JS.
   * Blocks whose composed weights or inputs do not fit i16 take the general path (layerProduct).
   */
  private idealProduct(layer: QuantizedLayer, x: Float32Array, M: number, conv: WindowGeometry | null, epilogue: boolean): Float32Array {
    const packed = this.packedIdealProduct(layer, x, M, conv, epilogue);
    if (packed) return packed;
    const y = this.layerProduct(layer, conv ? im2col(x, M, conv) : x, conv ? M * conv.outH * conv.outW : M, 'ideal');
    if (epilogue) { addBias(y, layer.op.bias); applyActivation(layer.op.activation, y, layer.op.cols); }
    return y;
  }

  /**
   * idealProduct with the patches packed in wasm (and, with epilogue, bias and ReLU there too); null when a block's
   * weights or inputs need 32-bit lanes.
   */
  private packedIdealProduct(layer: QuantizedLayer, x: Float32Array, M: number, conv: WindowGeometry | null,
    epilogue: boolean): Float32Array | null {
    const K = layer.op.rows, N = layer.op.cols, cfg = layer.config;
    const g: WindowGeometry = conv ?? { inH: 1, inW: 1, inC: K, kh: 1, kw: 1, strideH: 1, strideW: 1, padding: 'valid', padTop: 0, padLeft: 0, outH: 1, outW: 1 };
    const P = M * g.outH * g.outW; // patches (= product rows)
    if (idealNeedsI32(cfg)) return null;
    const blocks = this.byLayer[layer.op.layer]!;
    const mark = arena.mark();
    try {
      const composed = blocks.map((b) => this.composeBlock(layer, b, arena));
      const k = wasm() as unknown as Record<string, (...args: number[]) => number>;
      const xf = arena.from('f32', x), xq = arena.alloc('i16', x.length + 8); // + 8: im2colI16's slack
      const bad = k.quantizeInputsI16!(xf.ptr, x.length, 1 / layer.inputRange, cfg.io.inputSigned ? -1 : 0, maxInputInt(cfg), xq.ptr);
      // a non-finite input: the general path decides (it quantizes only the patches, so a value no window reads is fine)
      if (bad >= 0) return null;
      const acc = arena.alloc('f64', P * N); // zeroed
      const chunk = Math.min(CHUNK_VECTORS, P);
      blocks.forEach((b, bi) => {
        const w = composed[bi]!;
        const inner = arena.mark();
        const xs = arena.alloc('i16', chunk * w.kPad + 8, false), y = arena.alloc('i32', chunk * b.cols, false);
        for (let p0 = 0; p0 < P; p0 += chunk) {
          const count = Math.min(chunk, P - p0);
          k.im2colI16!(xq.ptr, g.inH, g.inW, g.inC, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW,
            p0, count, b.srcRow, b.rows, xs.ptr, w.kPad);
          k.mvmIdealI16!(xs.ptr, w.wt.ptr, count, w.kPad, b.cols, y.ptr);
          k.addBlockProduct!(y.ptr, count, b.cols, acc.ptr, N, p0, b.srcCol, b.negated ? -1 : 1);
        }
        arena.release(inner);
      });
      const act = layer.op.activation, fused = epilogue && (act === 'relu' || act === 'linear');
      const factors = arena.from('f64', descaleFactors(layer)), out = arena.alloc('f32', P * N, false);
      const bias = epilogue ? arena.from('f32', layer.op.bias) : null;
      k.descaleBiasF32!(acc.ptr, P, N, factors.ptr, bias ? bias.ptr : 0, fused && act === 'relu' ? 1 : 0, out.ptr);
      const y = out.view.slice();
      if (epilogue && !fused) applyActivation(act, y, N);
      return y;
    } finally {
      arena.release(mark);
    }
  }

  private layerProduct(layer: QuantizedLayer, x: Float32Array, M: number, mode: 'ideal' | 'analog'): Float32Array {
    if (this.xiBuf.length < x.length) this.xiBuf = new Int32Array(x.length);
    const xi = quantizeInputs(x, layer.inputRange, layer.config, `inputs of layer ${layer.op.name}`, this.xiBuf);
    if (this.yIntBuf.length < M * layer.op.cols) this.yIntBuf = new Float64Array(M * layer.op.cols);
    const yInt = this.yIntBuf.subarray(0, M * layer.op.cols).fill(0);
    const call = mode === 'analog' ? this.analogCalls++ : 0;
    for (const b of this.byLayer[layer.op.layer]!) {
      const mark = arena.mark();
      try {
        this.blockProduct(layer, b, xi, M, yInt, mode, call);
      } finally {
        arena.release(mark);
      }
    }
    return descale(layer, yInt, M);
  }

  /** A block's ideal-path weights: from the levels the pool holds, or (no pool) straight from the encoder. */
  private composeBlock(layer: QuantizedLayer, b: PlacedBlock, owner: typeof arena): IdealWeights {
    const cfg = layer.config, cpw = cellsPerWeight(cfg), pool = this.pool;
    if (pool) {
      const levels = pool.levels().sub(blockStart(pool, b, cpw), (b.rows - 1) * pool.cols + b.cols * cpw);
      return composeIdeal(cfg, levels, { rows: b.rows, nOut: b.cols, stride: pool.cols }, owner);
    }
    return composeIdeal(cfg, encodeLevels(blockInts(this.qm, b), b.rows, b.cols, cfg), { rows: b.rows, nOut: b.cols, stride: b.cols * cpw }, owner);
  }

  // one method rather than a closure per block: V8 would re-optimize a fresh closure's loops on every call
  private blockProduct(layer: QuantizedLayer, b: PlacedBlock, xi: Int32Array, M: number, yInt: Float64Array,
    mode: 'ideal' | 'analog', call: number): void {
    const K = layer.op.rows, N = layer.op.cols;
    const cfg = layer.config, cpw = cellsPerWeight(cfg);
    const sign = b.negated ? -1 : 1;
    const a = arena, pool = this.pool;
    let ideal: IdealWeights | null = null, block: AnalogBlock | null = null, rng: WasmRng | null = null;
    let ranges: Float64Array | null = null;
    if (mode === 'ideal') {
      ideal = this.composeBlock(layer, b, a);
    } else {
      const p = pool!;
      const start = blockStart(p, b, cpw);
      const span = (b.rows - 1) * p.cols + b.cols * cpw;
      const g = p.conductances().sub(start, span);
      const ref = cfg.cells.sign === 'offset'
        ? p.conductances().sub((b.crossbar * p.rows + b.rowOffset) * p.cols + p.cols - 1, (b.rows - 1) * p.cols + 1) : null;
      block = new AnalogBlock(cfg, g, { rows: b.rows, nOut: b.cols, stride: p.cols }, ref, a);
      rng = new WasmRng(this.seed, streamId(StreamPurpose.readNoise, this.blockIndex.get(b)!, call), a);
      ranges = this.adcRangesFor(layer);
    }
    const whole = b.srcRow === 0 && b.rows === K; // the block takes every input row: no gather needed
    const chunk = Math.min(CHUNK_VECTORS, M);
    if (!whole && this.gatherBuf.length < chunk * b.rows) this.gatherBuf = new Int32Array(chunk * b.rows);
    if (ideal && this.partIdeal.length < chunk * b.cols) this.partIdeal = new Int32Array(chunk * b.cols);
    if (!ideal && this.partAnalog.length < chunk * b.cols) this.partAnalog = new Float64Array(chunk * b.cols);
    for (let m0 = 0; m0 < M; m0 += CHUNK_VECTORS) {
      const count = Math.min(CHUNK_VECTORS, M - m0);
      let xs: Int32Array;
      if (whole) {
        xs = xi.subarray(m0 * K, (m0 + count) * K);
      } else {
        xs = this.gatherBuf.subarray(0, count * b.rows);
        for (let m = 0; m < count; m++) {
          const from = (m0 + m) * K + b.srcRow;
          xs.set(xi.subarray(from, from + b.rows), m * b.rows);
        }
      }
      const part: ArrayLike<number> = ideal ? ideal.mvm(xs, count, a, this.partIdeal) : block!.mvm(xs, count, rng!, ranges, a, this.partAnalog);
      for (let m = 0; m < count; m++) {
        const yo = (m0 + m) * N + b.srcCol, po = m * b.cols;
        for (let j = 0; j < b.cols; j++) yInt[yo + j] += sign * part[po + j]!;
      }
    }
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

// The quantized software model: every crossbar layer's weights as signed integers with their scales, and each layer's
// input range and signedness, calibrated on sample inputs. Its matrix product is exact integer arithmetic; the
// crossbar engine's ideal mode must reproduce it bit for bit (same integers, same de-scaling below).
import type { HardwareConfig } from '../hardware/config.js';
import { integerMatmul } from '../hardware/mvm.js';
import { maxInputInt, quantizeInputs, quantizeWeights, type QuantizedMatrix } from '../hardware/quantize.js';
import { floatMvm, forward, type MvmFn } from '../mapping/forward.js';
import { crossbarLayers, type CrossbarOp, type ImportedModel } from '../mapping/types.js';

export interface QuantizedLayer {
  op: CrossbarOp;
  q: QuantizedMatrix;
  /** Inputs are divided by this before quantization (max |input| seen in calibration). */
  inputRange: number;
  /** Signed inputs (sign + magnitude) for layers whose calibration inputs went negative, or when io.inputSigned. */
  inputSigned: boolean;
  /** The hardware config as this layer sees it (io.inputSigned set per layer). */
  config: HardwareConfig;
  /** A deterministic sample of this layer's calibration inputs (count × rows integers), for ADC calibration. */
  calibration: { inputs: Int32Array; count: number };
}

/**
 * Input vectors per layer kept for ADC calibration: half the largest by Σ|x| (per crossbar-high row chunk, since each
 * tile's ADC sees only its rows), half evenly strided over the rest. A strided sample alone misses the extremes that
 * set a max-calibrated ADC range: a conv layer's first input is mostly blank MNIST border patches, its ADC range came
 * out far too small and clipped every bright patch at test time.
 */
export const CALIBRATION_VECTORS = 512;

/**
 * Indices (ascending) of the calibration vectors kept out of M vectors of K values (see CALIBRATION_VECTORS); the
 * largest-vector half is shared equally by the row chunks [0, chunkRows), [chunkRows, 2·chunkRows), …
 */
export function calibrationIndices(x: Float32Array, M: number, K: number, chunkRows = K): Int32Array {
  if (M <= CALIBRATION_VECTORS) return Int32Array.from({ length: M }, (_, i) => i);
  const top = CALIBRATION_VECTORS >> 1, chunks = Math.max(1, Math.ceil(K / chunkRows)), perChunk = Math.ceil(top / chunks);
  const keep = new Uint8Array(M), l1 = new Float64Array(M);
  let kept = 0;
  for (let ch = 0; ch < chunks && kept < top; ch++) {
    const r0 = ch * chunkRows, r1 = Math.min(K, r0 + chunkRows);
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let i = m * K + r0, end = m * K + r1; i < end; i++) s += Math.abs(x[i]!);
      l1[m] = s;
    }
    const order = Int32Array.from({ length: M }, (_, i) => i).sort((a, b) => l1[b]! - l1[a]! || a - b);
    for (let t = 0, took = 0; t < M && took < perChunk && kept < top; t++) {
      if (!keep[order[t]!]) { keep[order[t]!] = 1; took++; kept++; }
    }
  }
  const rest = CALIBRATION_VECTORS - kept, step = (M - kept) / rest;
  // the strided half walks the vectors not already kept, in index order
  let seen = 0, next = 0, taken = 0;
  for (let m = 0; m < M && taken < rest; m++) {
    if (keep[m]) continue;
    if (seen >= next) { keep[m] = 1; taken++; next += step; }
    seen++;
  }
  const out = new Int32Array(kept + taken);
  for (let m = 0, o = 0; m < M; m++) if (keep[m]) out[o++] = m;
  return out;
}

export interface QuantizedModel {
  model: ImportedModel;
  config: HardwareConfig;
  layers: QuantizedLayer[];
}

/**
 * Quantizes a model's crossbar layers and calibrates each layer's input range on `calib` (batch samples of the
 * model input). A layer whose inputs can be negative (no ReLU before it) gets signed inputs.
 */
export function quantizeModel(model: ImportedModel, cfg: HardwareConfig, calib: Float32Array, batch: number): QuantizedModel {
  const layers = crossbarLayers(model);
  const maxAbs = new Float64Array(layers.length);
  const negative = new Uint8Array(layers.length);
  const samples: Float32Array[] = layers.map(() => new Float32Array(0));
  const capture: MvmFn = (op, x, M) => {
    const K = op.rows, picked = calibrationIndices(x, M, K, cfg.crossbar.rows);
    const sample = new Float32Array(picked.length * K);
    for (let t = 0; t < picked.length; t++) sample.set(x.subarray(picked[t]! * K, (picked[t]! + 1) * K), t * K);
    samples[op.layer] = sample;
    let m = maxAbs[op.layer]!, neg = negative[op.layer]!;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) throw new Error(`calibration: layer ${op.name} received ${v}; check the model weights and inputs`);
      if (v < 0) { neg = 1; if (-v > m) m = -v; } else if (v > m) m = v;
    }
    maxAbs[op.layer] = m; negative[op.layer] = neg;
    return floatMvm(op, x, M);
  };
  forward(model, calib, batch, capture);
  return {
    model, config: cfg,
    layers: layers.map((op, i) => {
      const inputSigned = cfg.io.inputSigned || negative[i] === 1;
      const config = inputSigned === cfg.io.inputSigned ? cfg : { ...cfg, io: { ...cfg.io, inputSigned } };
      const inputRange = maxAbs[i]! > 0 ? maxAbs[i]! : 1;
      const sample = samples[i]!;
      return {
        op,
        q: quantizeWeights(op.weights, op.rows, op.cols, cfg, `layer ${op.name}`, model.weightScales?.[op.name]),
        inputRange,
        inputSigned,
        config,
        calibration: {
          inputs: quantizeInputs(sample, inputRange, config, `calibration inputs of layer ${op.name}`),
          count: sample.length / op.rows,
        },
      };
    }),
  };
}

/** Input integers of a layer for an M×K float matrix. */
export function layerInputs(layer: QuantizedLayer, x: Float32Array): Int32Array {
  return quantizeInputs(x, layer.inputRange, layer.config, `inputs of layer ${layer.op.name}`);
}

/** Integer products (M×N, integer-valued) back to floats: y · weightScale · inputRange / maxInputInt. */
export function descale(layer: QuantizedLayer, yInt: ArrayLike<number>, M: number): Float32Array {
  const N = layer.op.cols, f = descaleFactors(layer);
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < N; j++) out[m * N + j] = yInt[m * N + j]! * f[j]!;
  }
  return out;
}

/** Per output column, the factor from integer product to real value: weight scale × input scale. */
export function descaleFactors(layer: QuantizedLayer): Float64Array {
  const sc = layer.q.scales, perCol = layer.q.perColumn, inScale = layer.inputRange / maxInputInt(layer.config);
  return Float64Array.from({ length: layer.op.cols }, (_, j) => sc[perCol ? j : 0]! * inScale);
}

/** The quantized software model's product: exact integer matmul of quantized inputs and weights, de-scaled. */
export function quantizedMvm(qm: QuantizedModel): MvmFn {
  return (op, x, M) => {
    const layer = qm.layers[op.layer]!;
    const xi = layerInputs(layer, x);
    return descale(layer, integerMatmul(xi, M, layer.q.ints, op.rows, op.cols), M);
  };
}

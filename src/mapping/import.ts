// TF.js LayersModel → ImportedModel (ordered crossbar layers + host ops), with BatchNormalization folded into the
// preceding Dense/Conv2D. See types.ts for the op list and the im2col row order.
import * as tf from '@tensorflow/tfjs';
import { windowGeometry, sizeOf } from './hostops.js';
import { foldBatchNorm } from './fold-bn.js';
import { importOnnxUrl } from './onnx/fetch.js';
import {
  ModelImportError, type ActivationName, type CrossbarOp, type ImportedModel, type Op, type Padding, type WindowGeometry,
} from './types.js';

export const SUPPORTED_LAYERS = [
  'InputLayer', 'Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D',
  'GlobalMaxPooling2D', 'Flatten', 'Dropout', 'Activation', 'ReLU', 'Softmax', 'BatchNormalization', 'Add',
] as const;

export { foldBatchNorm };

const ACTIVATIONS: Record<string, ActivationName> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', hardSigmoid: 'hardSigmoid',
  hard_sigmoid: 'hardSigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu', selu: 'selu', softplus: 'softplus',
  softsign: 'softsign', swish: 'swish',
};

/** Where the model came from, for messages ("model.json", a URL, or "in-memory model"). */
export interface ImportOptions { source?: string }

type Cfg = Record<string, unknown>;

function activationOf(name: unknown, where: string): ActivationName {
  const key = name == null ? 'linear' : String(name);
  const a = ACTIVATIONS[key];
  if (!a) throw new ModelImportError(`${where}: activation "${key}" is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  return a;
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);

function checkFinite(data: Float32Array, where: string, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ModelImportError(`${where}: ${what} has a non-finite value (${data[i]}) at index ${i}; retrain or repair the weights`);
    }
  }
}

/** Reads a layer's weights by suffix of their names (kernel, bias, gamma, ...), checking shapes and values. */
function layerWeights(layer: tf.layers.Layer, where: string): Map<string, { shape: number[]; data: Float32Array }> {
  const vals = layer.getWeights();
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  layer.weights.forEach((v, i) => {
    const key = (v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, '');
    const t = vals[i];
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new ModelImportError(`${where}: weight ${key} has shape [${t.shape}] but the layer expects [${v.shape}]`);
    }
    const data = t.dataSync() as Float32Array;
    checkFinite(data, where, `weight ${key}`);
    out.set(key, { shape: t.shape.slice(), data: Float32Array.from(data) });
  });
  return out;
}

function expectShape(w: { shape: number[] } | undefined, expected: number[], where: string, what: string): void {
  if (!w) throw new ModelImportError(`${where}: missing weight ${what}; the model file does not match its topology`);
  if (w.shape.join(',') !== expected.join(',')) {
    throw new ModelImportError(`${where}: ${what} has shape [${w.shape}] but the topology implies [${expected}]; the weights do not match the model`);
  }
}

/** What converting one layer needs: the layer, its config, its inputs' ops and shapes, the ops so far. */
interface LayerCtx {
  model: tf.LayersModel;
  layer: tf.layers.Layer;
  cls: string;
  cfg: Cfg;
  where: string;
  inputs: number[];
  inShape: number[];
  shapeOf: (i: number) => number[];
  ops: Op[];
  nextLayer: () => number;
}

/** Converts an in-memory LayersModel. Throws ModelImportError naming the layer for anything unsupported. */
export function importLayersModel(model: tf.LayersModel, opts: ImportOptions = {}): ImportedModel {
  const source = opts.source ?? 'in-memory model';
  const inputShape = checkedInputShape(model, source);
  const ops: Op[] = [];
  /** layer name → op index producing its output (-1 = the model input). */
  const producer = new Map<string, number>();
  const shapeOf = (i: number): number[] => (i < 0 ? inputShape : ops[i].outShape);
  let nLayers = 0;
  const nextLayer = (): number => nLayers++;

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const where = `${source}: layer "${layer.name}" (${cls})`;
    if (cls === 'InputLayer') { producer.set(layer.name, -1); continue; }
    if (!(SUPPORTED_LAYERS as readonly string[]).includes(cls)) {
      throw new ModelImportError(`${where} is not supported; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
    }
    if (layer.inboundNodes.length !== 1) {
      throw new ModelImportError(`${where} is applied ${layer.inboundNodes.length} times; shared layers are not supported`);
    }
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => {
      // Sequential models do not list their InputLayer in model.layers.
      const p = l.getClassName() === 'InputLayer' ? -1 : producer.get(l.name);
      if (p === undefined) throw new ModelImportError(`${where}: input "${l.name}" is not part of this model`);
      return p;
    });
    const cfg = layer.getConfig() as Cfg;
    if ((cls === 'Conv2D' || cls.endsWith('Pooling2D')) && cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') {
      throw new ModelImportError(`${where}: dataFormat ${String(cfg.dataFormat)} is not supported; use channelsLast`);
    }
    const op = convertLayer({ model, layer, cls, cfg, where, inputs, inShape: shapeOf(inputs[0]), shapeOf, ops, nextLayer });
    if (op === undefined) { producer.set(layer.name, inputs[0]); continue; } // identity, or folded into its input
    ops.push(op);
    producer.set(layer.name, ops.length - 1);
  }
  const outLayer = model.outputs[0].sourceLayer;
  const output = producer.get(outLayer.name);
  if (output === undefined || output < 0) throw new ModelImportError(`${source}: output layer "${outLayer.name}" produces nothing to compute`);
  if (!ops.some((o) => o.kind === 'dense' || o.kind === 'conv2d')) {
    throw new ModelImportError(`${source}: the model has no Dense or Conv2D layer, so nothing maps to crossbars`);
  }
  const weightScales = readWeightScales(model, ops, source);
  return { name: model.name, inputShape, ops, output, ...(weightScales ? { weightScales } : {}) };
}

function checkedInputShape(model: tf.LayersModel, source: string): number[] {
  if (!model || typeof (model as { layers?: unknown }).layers !== 'object' || !Array.isArray(model.inputs)) {
    throw new ModelImportError(`${source}: not a TF.js LayersModel`);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ModelImportError(`${source}: the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only single-input, single-output models are supported`);
  }
  const inputShape = model.inputs[0].shape.slice(1) as (number | null)[];
  if (inputShape.some((d) => d == null || d < 1)) {
    throw new ModelImportError(`${source}: input shape [${inputShape}] is not fully defined; give the model a fixed inputShape`);
  }
  return inputShape as number[];
}

function needRank(c: LayerCtx, r: number, hint: string): void {
  if (c.inShape.length !== r) throw new ModelImportError(`${c.where}: input shape [${c.inShape}] has rank ${c.inShape.length}, expected ${r}; ${hint}`);
}

/** The op of one layer; undefined when the layer adds none (Dropout, a BatchNormalization folded into its input). */
function convertLayer(c: LayerCtx): Op | undefined {
  const { cls, cfg, where, inShape } = c;
  const base = { name: c.layer.name, inputs: c.inputs };
  switch (cls) {
    case 'Dropout': return undefined; // identity at inference
    case 'Dense': return denseOp(c);
    case 'Conv2D': return convOp(c);
    case 'MaxPooling2D': case 'AveragePooling2D': {
      needRank(c, 3, 'pooling needs HWC input');
      const [ph, pw] = pair(cfg.poolSize);
      const [sh, sw] = cfg.strides == null ? [ph, pw] : pair(cfg.strides);
      const g = geometry(inShape, ph, pw, sh, sw, cfg.padding, where);
      return { ...base, kind: cls === 'MaxPooling2D' ? 'maxPool' : 'avgPool', geom: g, outShape: [g.outH, g.outW, inShape[2]] };
    }
    case 'GlobalAveragePooling2D': case 'GlobalMaxPooling2D':
      needRank(c, 3, 'global pooling needs HWC input');
      return { ...base, kind: cls === 'GlobalAveragePooling2D' ? 'globalAvgPool' : 'globalMaxPool', outShape: [inShape[2]] };
    case 'Flatten': return { ...base, kind: 'flatten', outShape: [sizeOf(inShape)] };
    case 'Activation': case 'ReLU': case 'Softmax':
      return { ...base, kind: 'activation', activation: activationLayer(c), outShape: inShape };
    case 'Add':
      for (const i of c.inputs) {
        if (c.shapeOf(i).join(',') !== inShape.join(',')) throw new ModelImportError(`${where}: inputs have different shapes [${inShape}] and [${c.shapeOf(i)}]`);
      }
      return { ...base, kind: 'add', outShape: inShape };
    case 'BatchNormalization': return batchNormOp(c);
    default:
      throw new ModelImportError(`${where} is not supported; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  }
}

function denseOp(c: LayerCtx): Op {
  needRank(c, 1, 'add a Flatten layer before it');
  const w = layerWeights(c.layer, c.where);
  const K = c.inShape[0], N = Number(c.cfg.units);
  expectShape(w.get('kernel'), [K, N], c.where, 'kernel');
  const bias = w.get('bias');
  if (c.cfg.useBias !== false) expectShape(bias, [N], c.where, 'bias');
  return {
    name: c.layer.name, inputs: c.inputs, kind: 'dense', layer: c.nextLayer(), rows: K, cols: N, weights: w.get('kernel')!.data,
    bias: bias ? bias.data : new Float32Array(N), activation: activationOf(c.cfg.activation, c.where), outShape: [N], folded: [],
  };
}

function convOp(c: LayerCtx): Op {
  const { cfg, where, inShape } = c;
  needRank(c, 3, 'Conv2D needs HWC input');
  const [kh, kw] = pair(cfg.kernelSize), [sh, sw] = pair(cfg.strides), [dh, dw] = pair(cfg.dilationRate ?? 1);
  if (dh !== 1 || dw !== 1) throw new ModelImportError(`${where}: dilation ${dh}×${dw} is not supported; use dilationRate 1`);
  const g = geometry(inShape, kh, kw, sh, sw, cfg.padding, where);
  const w = layerWeights(c.layer, where);
  const cout = Number(cfg.filters);
  expectShape(w.get('kernel'), [kh, kw, inShape[2], cout], where, 'kernel');
  const bias = w.get('bias');
  if (cfg.useBias !== false) expectShape(bias, [cout], where, 'bias');
  return {
    name: c.layer.name, inputs: c.inputs, kind: 'conv2d', layer: c.nextLayer(), rows: kh * kw * inShape[2], cols: cout,
    // HWIO [kh, kw, cin, cout] row-major IS the [kh·kw·cin, cout] im2col matrix: no copy needed.
    weights: w.get('kernel')!.data, bias: bias ? bias.data : new Float32Array(cout),
    activation: activationOf(cfg.activation, where), conv: g, outShape: [g.outH, g.outW, cout], folded: [],
  };
}

function activationLayer(c: LayerCtx): ActivationName {
  const { cls, cfg, where } = c;
  if (cls === 'Activation') return activationOf(cfg.activation, where);
  if (cls === 'ReLU') {
    const mx = cfg.maxValue;
    if (mx != null && mx !== 6) throw new ModelImportError(`${where}: maxValue ${String(mx)} is not supported (only none or 6)`);
    return mx === 6 ? 'relu6' : 'relu';
  }
  const ax = cfg.axis;
  if (ax != null && ax !== -1 && ax !== c.inShape.length) throw new ModelImportError(`${where}: softmax over axis ${String(ax)} is not supported; only the last axis`);
  return 'softmax';
}

/** Folds into the preceding Dense/Conv2D when it is linear and feeds only this layer (returns undefined), else a scaleShift op. */
function batchNormOp(c: LayerCtx): Op | undefined {
  const { cfg, where, inShape } = c;
  const axis = Array.isArray(cfg.axis) ? cfg.axis : [cfg.axis];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== inShape.length)) {
    throw new ModelImportError(`${where}: normalization over axis ${JSON.stringify(cfg.axis)} is not supported; only the last (channel) axis`);
  }
  const C = inShape[inShape.length - 1];
  const w = layerWeights(c.layer, where);
  for (const k of ['moving_mean', 'moving_variance']) expectShape(w.get(k), [C], where, k);
  if (cfg.scale !== false) expectShape(w.get('gamma'), [C], where, 'gamma');
  if (cfg.center !== false) expectShape(w.get('beta'), [C], where, 'beta');
  const eps = Number(cfg.epsilon ?? 1e-3);
  const scale = new Float32Array(C), shift = new Float32Array(C);
  const mean = w.get('moving_mean')!.data, variance = w.get('moving_variance')!.data;
  const gamma = w.get('gamma')?.data, beta = w.get('beta')?.data;
  for (let ch = 0; ch < C; ch++) {
    // a negative variance would give NaN weights that fail later, named after the next layer
    if (!(variance[ch] + eps > 0)) {
      throw new ModelImportError(`${where}: moving_variance[${ch}] is ${variance[ch]} (epsilon ${eps}): a variance cannot be negative, so the layer's statistics are corrupt; recompute them (retrain or re-export the model)`);
    }
    // y = gamma·(x − mean)/sqrt(var + eps) + beta = x·s + (beta − mean·s)
    const s = (gamma ? gamma[ch] : 1) / Math.sqrt(variance[ch] + eps);
    scale[ch] = s;
    shift[ch] = (beta ? beta[ch] : 0) - mean[ch] * s;
  }
  const prev = c.inputs[0] >= 0 ? c.ops[c.inputs[0]] : undefined;
  if (prev && (prev.kind === 'dense' || prev.kind === 'conv2d') && prev.activation === 'linear' && !consumedElsewhere(c.model, c.layer, prev.name)) {
    foldBatchNorm(prev, scale, shift, c.layer.name);
    return undefined;
  }
  return { name: c.layer.name, inputs: c.inputs, kind: 'scaleShift', scale, shift, outShape: inShape };
}

/**
 * Fixed per-layer weight scales from `userDefinedMetadata.ha3m.weightScales` ({ layerName: scale }, written by MMR so
 * that tied blocks of different models quantize to the same integers). Checked: positive finite numbers, names of
 * crossbar layers (Dense/Conv2D) of this model without a folded BatchNormalization.
 */
function readWeightScales(model: tf.LayersModel, ops: Op[], source: string): Record<string, number> | undefined {
  const meta = (model as { getUserDefinedMetadata?: () => unknown }).getUserDefinedMetadata?.() as { ha3m?: { weightScales?: unknown } } | undefined;
  const raw = meta?.ha3m?.weightScales;
  if (raw === undefined) return undefined;
  const where = `${source}: userDefinedMetadata.ha3m.weightScales`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ModelImportError(`${where} must be an object { layerName: scale }, got ${JSON.stringify(raw)}; re-save the model with \`ha3m merge\` or remove the entry`);
  }
  const crossbar = new Map(ops.filter((o): o is CrossbarOp => o.kind === 'dense' || o.kind === 'conv2d').map((o) => [o.name, o]));
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const op = crossbar.get(name);
    if (!op) {
      throw new ModelImportError(`${where} names layer "${name}", which is not a Dense/Conv2D layer of this model (crossbar layers: ${[...crossbar.keys()].join(', ')}); the metadata does not belong to this model`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ModelImportError(`${where}["${name}"] must be a positive finite number, got ${JSON.stringify(v)}; fix or remove the entry`);
    }
    if (op.folded.length) {
      throw new ModelImportError(`${where}["${name}"]: the layer has BatchNormalization ${op.folded.join(', ')} folded into it, which changes its weights, so a fixed scale would not reproduce the trained integers; remove the entry or the BatchNormalization`);
    }
    out[name] = v;
  }
  return out;
}

function geometry(inShape: number[], kh: number, kw: number, sh: number, sw: number, padding: unknown, where: string): WindowGeometry {
  if (padding !== 'valid' && padding !== 'same') {
    throw new ModelImportError(`${where}: padding "${String(padding)}" is not supported; use valid or same`);
  }
  try {
    return windowGeometry(inShape[0], inShape[1], inShape[2], kh, kw, sh, sw, padding as Padding);
  } catch (e) {
    throw new ModelImportError(`${where}: ${(e as Error).message}`);
  }
}

/** True if the output of layer `prevName` feeds anything other than `bn` (then folding would change it). */
function consumedElsewhere(model: tf.LayersModel, bn: tf.layers.Layer, prevName: string): boolean {
  for (const l of model.layers) {
    if (l === bn) continue;
    for (const node of l.inboundNodes) if (node.inboundLayers.some((x) => x.name === prevName)) return true;
  }
  return model.outputs.some((o) => o.sourceLayer.name === prevName);
}

/**
 * Loads a model from a URL — an .onnx file (with its external-data files beside it), or a LayersModel (http/https, or
 * any scheme tf.loadLayersModel knows, e.g. indexeddb://) — or converts an in-memory LayersModel. For file paths in
 * Node use loadModelFile from load-node.ts.
 */
export async function loadModel(src: string | tf.LayersModel): Promise<ImportedModel> {
  if (typeof src !== 'string') return importLayersModel(src);
  if (/\.onnx([?#]|$)/i.test(src)) return importOnnxUrl(src);
  let model: tf.LayersModel;
  try {
    await tf.ready();
    model = await tf.loadLayersModel(src);
  } catch (e) {
    throw new ModelImportError(`cannot load a LayersModel from ${src}: ${(e as Error).message}`);
  }
  try {
    return importLayersModel(model, { source: src });
  } finally {
    model.dispose();
  }
}

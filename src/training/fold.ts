// Batch-norm folding: BatchNormalization right after a Conv2D/Dense (linear activation, sole consumer) is folded into
// that layer's kernel and bias — W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β — giving an
// equivalent inference model without BN layers: what the crossbar mapper programs, and what QAT should fine-tune
// when the exact encoder integers matter for a BN model (fold first, then train with --qat).
import * as tf from '@tensorflow/tfjs';

type LayerCfg = { class_name: string; name?: string; config: Record<string, unknown>; inbound_nodes?: unknown[] };
type Inbound = [string, number, number, Record<string, unknown>?];

const foldable = new Set(['Conv2D', 'Dense']);
const layerName = (l: LayerCfg): string => l.name ?? (l.config.name as string);

interface FoldPlan { bn: string; into: string }

function bnFactors(bn: tf.layers.Layer): { mul: Float32Array; add: Float32Array; mean: Float32Array } {
  const cfg = bn.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean; axis?: number | number[] };
  const ws = new Map(bn.weights.map((w) => [w.originalName.split('/').pop()!, w.read().dataSync() as Float32Array]));
  const mean = ws.get('moving_mean')!, variance = ws.get('moving_variance')!;
  const n = mean.length;
  const gamma = ws.get('gamma') ?? new Float32Array(n).fill(1);
  const beta = ws.get('beta') ?? new Float32Array(n).fill(0);
  const eps = cfg.epsilon ?? 1e-3;
  const mul = new Float32Array(n), add = new Float32Array(n);
  for (let c = 0; c < n; c++) { mul[c] = gamma[c]! / Math.sqrt(variance[c]! + eps); add[c] = beta[c]!; }
  return { mul, add, mean };
}

function foldedWeights(layer: tf.layers.Layer, bn: tf.layers.Layer): tf.Tensor[] {
  const { mul, add, mean } = bnFactors(bn);
  const [k, b] = layer.getWeights();
  const kd = k!.dataSync() as Float32Array;
  const n = mul.length;
  if (k!.shape[k!.shape.length - 1] !== n) throw new Error(`cannot fold '${bn.name}' into '${layer.name}': ${n} BN channels vs ${k!.shape[k!.shape.length - 1]} outputs`);
  const k2 = new Float32Array(kd.length);
  for (let i = 0; i < kd.length; i++) k2[i] = kd[i]! * mul[i % n]!;
  const bd = b ? (b.dataSync() as Float32Array) : new Float32Array(n);
  const b2 = new Float32Array(n);
  for (let c = 0; c < n; c++) b2[c] = (bd[c]! - mean[c]!) * mul[c]! + add[c]!;
  return [tf.tensor(k2, k!.shape), tf.tensor1d(b2)];
}

/** Returns a new model with every foldable BatchNormalization folded into the preceding Conv2D/Dense. */
export async function foldBatchNorm(model: tf.LayersModel): Promise<tf.LayersModel> {
  const cls = model.getClassName();
  // Keras-style (snake_case) topology, the format modelFromJSON reads back
  const topo = structuredClone(model.toJSON(null, false)) as unknown as { class_name: string; config: { name: string; layers: LayerCfg[]; output_layers?: Inbound[] } };
  const cfg = topo.config;
  const plans: FoldPlan[] = [];
  const byName = (n: string) => model.getLayer(n);
  const check = (prev: tf.layers.Layer, bn: tf.layers.Layer): void => {
    if (!foldable.has(prev.getClassName())) throw new Error(`cannot fold BatchNormalization '${bn.name}': it follows ${prev.getClassName()} '${prev.name}', not a Conv2D or Dense`);
    const act = (prev.getConfig() as { activation?: string }).activation;
    if (act && act !== 'linear') throw new Error(`cannot fold BatchNormalization '${bn.name}': '${prev.name}' applies ${act} before it; use a linear conv followed by BN and then the activation`);
    const ax = (bn.getConfig() as { axis?: number | number[] }).axis;
    const axes = ([] as number[]).concat(ax ?? -1);
    const rank = (bn.inputSpec?.[0]?.ndim) ?? (bn.input as tf.SymbolicTensor).shape.length;
    if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) throw new Error(`cannot fold BatchNormalization '${bn.name}': only the channel (last) axis is supported`);
  };

  if (cls === 'Sequential') {
    const keep: LayerCfg[] = [];
    cfg.layers.forEach((l, i) => {
      if (l.class_name === 'BatchNormalization' && i > 0) {
        const prev = model.layers[i - 1]!, bn = model.layers[i]!;
        check(prev, bn);
        plans.push({ bn: bn.name, into: prev.name });
        keep[keep.length - 1]!.config.use_bias = true;
        return;
      }
      keep.push(l);
    });
    cfg.layers = keep;
  } else {
    const consumers = new Map<string, number>();
    for (const l of cfg.layers) for (const node of (l.inbound_nodes ?? []) as Inbound[][]) for (const inb of node) consumers.set(inb[0], (consumers.get(inb[0]) ?? 0) + 1);
    for (const l of cfg.layers) {
      if (l.class_name !== 'BatchNormalization') continue;
      const nodes = (l.inbound_nodes ?? []) as Inbound[][];
      if (nodes.length !== 1 || nodes[0]!.length !== 1) throw new Error(`cannot fold BatchNormalization '${l.name}': it is used more than once`);
      const src = nodes[0]![0]![0];
      if ((consumers.get(src) ?? 0) !== 1) throw new Error(`cannot fold BatchNormalization '${l.name}': '${src}' also feeds other layers`);
      check(byName(src), byName(layerName(l)));
      plans.push({ bn: layerName(l), into: src });
    }
    const rename = new Map(plans.map((p) => [p.bn, p.into]));
    cfg.layers = cfg.layers.filter((l) => !rename.has(layerName(l)));
    for (const l of cfg.layers) {
      if (plans.some((p) => p.into === layerName(l))) l.config.use_bias = true;
      for (const node of (l.inbound_nodes ?? []) as Inbound[][]) for (const inb of node) inb[0] = rename.get(inb[0]) ?? inb[0];
    }
    for (const o of cfg.output_layers ?? []) o[0] = rename.get(o[0]) ?? o[0];
  }
  const folded = await tf.models.modelFromJSON({ modelTopology: topo } as unknown as tf.io.ModelJSON);
  const foldedInto = new Map(plans.map((p) => [p.into, p.bn]));
  for (const l of folded.layers) {
    const old = model.getLayer(l.name);
    const bnName = foldedInto.get(l.name);
    if (bnName) l.setWeights(foldedWeights(old, model.getLayer(bnName)));
    else if (old.weights.length) l.setWeights(old.getWeights());
  }
  return folded;
}

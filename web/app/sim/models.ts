// The models the page offers: the bundled pre-trained pair (web/assets/demo, made by web/tools/make-demo-pack.ts,
// with its MMR-merged twin and a labelled test set), models the user dropped in, and built-in seeded dense chains
// (layer shapes only for the rest).
import type { ImportedModel } from '../../../src/mapping/types.js';
import type { LayerMatrix } from '../../../src/mapping/placement.js';
import type { LabelledSet } from '../../../src/inference/engine.js';
import { MODEL_SHAPES, modelShape } from '../../shared/models.js';
import { syntheticDenseModel, syntheticInputs } from '../../shared/pipeline.js';
import type { ModelInfo } from '../protocol.js';
import { imported } from './import.js';

/** Calibration / agreement inputs per model. */
export const SAMPLES = 128;

export interface LoadedModel {
  id: string;
  label: string;
  model: ImportedModel;
  /** SAMPLES inputs for calibration and agreement checks. */
  samples: Float32Array;
  /** A labelled test set, when the model comes with one (the bundled pre-trained pair). */
  test?: LabelledSet;
}

interface DemoPack {
  testImages: { file: string; n: number; shape: number[]; scale: number };
  testLabels: string;
  permutation: string;
  models: { id: string; label: string; dir: string; testAccuracy: number; merged?: string; task?: 'b' }[];
}
interface DemoData { pack: DemoPack; images: Float32Array; labels: Int32Array; perm: Int32Array; layers: Map<string, LayerMatrix[]> }

const demoUrl = (path: string): string => new URL(`demo/${path}`, (globalThis as unknown as { location: { href: string } }).location.href).href;

async function fetchOk(path: string): Promise<Response> {
  const res = await fetch(demoUrl(path));
  if (!res.ok) throw new Error(`the page's demo pack is incomplete: demo/${path} answered ${res.status}; rebuild the page (npm run build:web)`);
  return res;
}

let demoData: Promise<DemoData | null> | null = null;

/** Loads the pack's description and test set once; null when the page was built without it. */
function loadDemo(): Promise<DemoData | null> {
  demoData ??= (async () => {
    if (typeof (globalThis as { location?: unknown }).location === 'undefined') return null; // Node (tests): no page, no pack
    const res = await fetch(demoUrl('pack.json')).catch(() => null);
    if (!res || !res.ok) return null;
    const pack = await res.json() as DemoPack;
    const bytes = new Uint8Array(await (await fetchOk(pack.testImages.file)).arrayBuffer());
    const labels = Int32Array.from(new Uint8Array(await (await fetchOk(pack.testLabels)).arrayBuffer()));
    const perm = Int32Array.from(await (await fetchOk(pack.permutation)).json() as number[]);
    const images = Float32Array.from(bytes, (v) => Math.fround(v * pack.testImages.scale));
    const layers = new Map<string, LayerMatrix[]>();
    for (const m of pack.models) {
      // Layer matrices from the weight manifest (Dense kernels are [in, out]): listing needs no TF.js.
      const json = await (await fetchOk(`${m.dir}/model.json`)).json() as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
      layers.set(m.id, json.weightsManifest.flatMap((g) => g.weights).filter((w) => w.shape.length === 2)
        .map((w) => ({ name: w.name.split('/')[0]!, rows: w.shape[0]!, cols: w.shape[1]! })));
    }
    return { pack, images, labels, perm, layers };
  })().catch((e: unknown) => { demoData = null; throw e; });
  return demoData;
}

async function demoModels(): Promise<ModelInfo[]> {
  const d = await loadDemo();
  return d ? d.pack.models.map((m) => ({
    id: `demo:${m.id}`, label: `MLP 784-64-10 trained: ${m.label}, ${(100 * m.testAccuracy).toFixed(1)} %`,
    layers: d.layers.get(m.id)!, weights: true, ...(m.merged ? { merged: `demo:${m.merged}` } : {}),
  })) : [];
}

/** Every model the page offers, in menu order. */
export async function listModels(): Promise<ModelInfo[]> {
  const shapes: ModelInfo[] = MODEL_SHAPES.map((s) => ({ id: s.id, label: s.label, layers: s.layers, weights: !!s.dense }));
  return [...await demoModels(), ...shapes, ...[...imported.values()].map((m) => m.info)];
}

export async function modelInfo(id: string): Promise<ModelInfo> {
  const m = (await listModels()).find((x) => x.id === id);
  if (!m) throw new Error(`unknown model "${id}"; pick one from the menu (or drop a model file on the page)`);
  return m;
}

const demoLoaded = new Map<string, ImportedModel>();

async function loadDemoModel(id: string): Promise<LoadedModel> {
  const d = await loadDemo();
  const entry = d?.pack.models.find((m) => `demo:${m.id}` === id);
  if (!d || !entry) throw new Error(`model "${id}" is not in this page's demo pack`);
  let model = demoLoaded.get(id);
  if (!model) {
    const tf = await import('@tensorflow/tfjs');
    const { importLayersModel } = await import('../../../src/mapping/import.js');
    await tf.setBackend('cpu');
    const lm = await tf.loadLayersModel(demoUrl(`${entry.dir}/model.json`));
    try { model = importLayersModel(lm, { source: `demo/${entry.dir}` }); } finally { lm.dispose(); }
    demoLoaded.set(id, model);
  }
  // Task B sees every image through the pack's pixel permutation.
  let images = d.images;
  if (entry.id.endsWith('-b')) {
    const per = d.perm.length;
    images = new Float32Array(d.images.length);
    for (let s = 0; s < d.pack.testImages.n; s++) for (let i = 0; i < per; i++) images[s * per + i] = d.images[s * per + d.perm[i]!]!;
  }
  const per = images.length / d.pack.testImages.n;
  return { id, label: entry.label, model, samples: images.slice(0, SAMPLES * per), test: { images, labels: d.labels, n: d.pack.testImages.n } };
}

const inputSize = (m: ImportedModel): number => m.inputShape.reduce((a, b) => a * b, 1);

/** A model with weights: the bundled pre-trained pair, a dropped-in model, or a built-in seeded dense chain. */
export async function modelWithWeights(id: string, seed: number): Promise<LoadedModel> {
  if (id.startsWith('demo:')) return loadDemoModel(id);
  const own = imported.get(id);
  if (own) return { id, label: own.info.label, model: own.model, samples: syntheticInputs(SAMPLES, inputSize(own.model), seed, 7) };
  const s = modelShape(id);
  if (!s.dense) throw new Error(`"${s.label}" has layer shapes only: it can be mapped but not programmed; pick a model with weights (an MLP, the trained MNIST pair, or your own model file)`);
  const model = syntheticDenseModel(s.id, s.dense.sizes, seed, s.dense.variant);
  return { id, label: s.label, model, samples: syntheticInputs(SAMPLES, inputSize(model), seed, 7) };
}

/** Layer matrices of any model on the menu (no weights needed: mapping). */
export async function modelLayers(id: string): Promise<{ label: string; layers: LayerMatrix[] }> {
  const m = await modelInfo(id);
  return { label: m.label, layers: m.layers };
}

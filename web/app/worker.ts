// The simulation worker: loads the wasm (same embedded bytes as Node) and serves the methods of protocol.ts, so the
// page stays responsive while kernels run. Handlers are plain functions of (params, progress).
import { init, arena, wasm, WasmRng, streamId, StreamPurpose, wasmSha256 } from '../../src/wasm/index.js';
import {
  hardwarePresets, presetNames, resolveHardware, configToJson, cellsPerWeight, tileCols, tileRows, levelsPerCell,
  magnitudeSlices, quantizeWeights, maxInputInt, TiledCore, integerMatmul,
} from '../../src/hardware/index.js';
import { runFingerprint } from '../shared/fingerprint.js';
import { MODEL_SHAPES, modelShape } from '../shared/models.js';
import { mapModel } from '../../src/mapping/map.js';
import type { Placement } from '../../src/mapping/placement.js';
import type { XammPlacement } from '../../src/mapping/xamm.js';
import type { ImportedModel } from '../../src/mapping/types.js';
import { layerMatrices as layerMatricesOf, type LayerMatrix } from '../../src/mapping/placement.js';
import type { DemoResult, Heatmap, Method, Methods, ModelInfo, ProgressFn, WorkerReply, WorkerRequest, Metric, StrategyInfo } from './protocol.js';
import { deploy, switchTo, syntheticDenseModel, syntheticInputs, type Deployment, type Switched } from '../shared/pipeline.js';
import { STRATEGIES as SWITCH_STRATEGIES, type StrategyName, type SwitchOptions, type SwitchResult } from '../../src/scenario/index.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { evaluate, type LabelledSet } from '../../src/inference/engine.js';
import type { HardwareConfig } from '../../src/hardware/config.js';
import type { ProgramReport } from '../../src/programming/report.js';
import { forward } from '../../src/mapping/forward.js';

/** Models the user dropped in (TF.js LayersModels), by id; they keep their real weights for later stages. */
const imported = new Map<string, { info: ModelInfo; model: ImportedModel }>();

async function modelLayers(id: string): Promise<{ label: string; layers: LayerMatrix[] }> {
  const demo = (await demoModels()).find((m) => m.id === id);
  if (demo) return demo;
  const own = imported.get(id);
  return own ? { label: own.info.label, layers: own.info.layers } : modelShape(id);
}

interface LoadedModel {
  label: string;
  model: ImportedModel;
  /** SAMPLES inputs for calibration and agreement checks. */
  samples: Float32Array;
  /** A labelled test set, when the model comes with one (the bundled pre-trained pair). */
  test?: LabelledSet;
}

/** Calibration / evaluation inputs: SAMPLES vectors. */
const SAMPLES = 128;

// ---- the bundled pre-trained pair (web/assets/demo, made by web/tools/make-demo-pack.ts) ----
interface DemoPack {
  testImages: { file: string; n: number; shape: number[]; scale: number };
  testLabels: string;
  permutation: string;
  models: { id: string; label: string; dir: string; testAccuracy: number }[];
}
interface DemoData { pack: DemoPack; images: Float32Array; labels: Int32Array; perm: Int32Array; layers: Map<string, LayerMatrix[]> }
let demoData: Promise<DemoData | null> | null = null;
const demoUrl = (path: string): string => new URL(`demo/${path}`, (globalThis as unknown as { location: { href: string } }).location.href).href;

/** Loads the pack's description and test set once; null when the page was built without it. */
function loadDemo(): Promise<DemoData | null> {
  return demoData ??= (async () => {
    const res = await fetch(demoUrl('pack.json')).catch(() => null);
    if (!res || !res.ok) return null;
    const pack = await res.json() as DemoPack;
    const bytes = new Uint8Array(await (await fetch(demoUrl(pack.testImages.file))).arrayBuffer());
    const labels = Int32Array.from(new Uint8Array(await (await fetch(demoUrl(pack.testLabels))).arrayBuffer()));
    const perm = Int32Array.from(await (await fetch(demoUrl(pack.permutation))).json() as number[]);
    const images = Float32Array.from(bytes, (v) => Math.fround(v * pack.testImages.scale));
    const layers = new Map<string, LayerMatrix[]>();
    for (const m of pack.models) {
      // Layer matrices from the weight manifest (Dense kernels are [in, out]): listing needs no TF.js.
      const json = await (await fetch(demoUrl(`${m.dir}/model.json`))).json() as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
      layers.set(m.id, json.weightsManifest.flatMap((g) => g.weights).filter((w) => w.shape.length === 2)
        .map((w) => ({ name: w.name.split('/')[0]!, rows: w.shape[0]!, cols: w.shape[1]! })));
    }
    return { pack, images, labels, perm, layers };
  })();
}

async function demoModels(): Promise<ModelInfo[]> {
  const d = await loadDemo();
  return d ? d.pack.models.map((m) => ({ id: `demo:${m.id}`, label: `MLP 784-64-10 trained: ${m.label}, ${(100 * m.testAccuracy).toFixed(1)} %`, layers: d.layers.get(m.id)! })) : [];
}

const demoLoaded = new Map<string, ImportedModel>();
async function loadDemoModel(id: string): Promise<LoadedModel> {
  const d = await loadDemo();
  const entry = d?.pack.models.find((m) => `demo:${m.id}` === id);
  if (!d || !entry) throw new Error(`model "${id}" is not in this page's demo pack`);
  let model = demoLoaded.get(id);
  if (!model) {
    const tf = await import('@tensorflow/tfjs');
    const { importLayersModel } = await import('../../src/mapping/import.js');
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
  return {
    label: entry.label, model, samples: images.slice(0, SAMPLES * per),
    test: { images, labels: d.labels, n: d.pack.testImages.n },
  };
}

/** A model with weights: the bundled pre-trained pair, a dropped-in TF.js model, or a built-in seeded dense chain. */
async function modelWithWeights(id: string, seed: number): Promise<LoadedModel> {
  if (id.startsWith('demo:')) return loadDemoModel(id);
  const own = imported.get(id);
  const size = (m: ImportedModel): number => m.inputShape.reduce((a, b) => a * b, 1);
  if (own) return { label: own.info.label, model: own.model, samples: syntheticInputs(SAMPLES, size(own.model), seed, 7) };
  const s = modelShape(id);
  if (!s.dense) throw new Error(`"${s.label}" has layer shapes only; pick an MLP or drop in a TF.js model to program it`);
  const model = syntheticDenseModel(s.id, s.dense.sizes, seed, s.dense.variant);
  return { label: s.label, model, samples: syntheticInputs(SAMPLES, size(model), seed, 7) };
}

/** Test images evaluated per accuracy figure (the pack has 500; fewer keeps the analog runs quick). */
const EVAL_LIMIT = 300;

/** Accuracy on the model's labelled test set (float, ideal, analog), or top-1 agreement with float otherwise. */
function accuracyMetric(what: string, d: Deployment, m: LoadedModel): Metric {
  if (m.test) {
    const acc = evaluate(d.engine, m.test, ['float', 'ideal', 'analog'], { limit: EVAL_LIMIT, batch: 100 });
    return { label: `${what} accuracy`, value: `float ${pct(acc.float!)}, crossbar ideal ${pct(acc.ideal!)}, analog ${pct(acc.analog!)}`, hint: `first ${EVAL_LIMIT} MNIST test images` };
  }
  return { label: `${what} top-1 agreement with float`, value: `ideal ${pct(top1Agreement(d, m.samples, 'ideal'))}, analog ${pct(top1Agreement(d, m.samples, 'analog'))}`, hint: `${SAMPLES} seeded inputs (no labelled data for this model)` };
}

/** Share of samples whose top-1 output in `mode` equals the float model's. */
function top1Agreement(d: Deployment, x: Float32Array, mode: 'quantized' | 'ideal' | 'analog'): number {
  const ref = forward(d.qm.model, x, SAMPLES).data, got = d.engine.run(x, SAMPLES, mode);
  const C = ref.length / SAMPLES;
  const argmax = (y: Float32Array, i: number): number => { let b = 0; for (let c = 1; c < C; c++) if (y[i * C + c]! > y[i * C + b]!) b = c; return b; };
  let same = 0;
  for (let i = 0; i < SAMPLES; i++) if (argmax(ref, i) === argmax(got, i)) same++;
  return same / SAMPLES;
}

function sameOutputs(d: Deployment, x: Float32Array): boolean {
  const q = d.engine.run(x, SAMPLES, 'quantized'), i = d.engine.run(x, SAMPLES, 'ideal');
  return q.every((v, k) => Object.is(v, i[k]));
}

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
const eng = (v: number, unit: string): string => {
  const a = Math.abs(v);
  const [k, p] = a >= 1 || a === 0 ? [1, ''] : a >= 1e-3 ? [1e3, 'm'] : a >= 1e-6 ? [1e6, 'µ'] : a >= 1e-9 ? [1e9, 'n'] : [1e12, 'p'];
  return `${(v * k).toPrecision(3)} ${p}${unit}`;
};

function reportMetrics(r: ProgramReport, what: string): Metric[] {
  const t = r.totals;
  return [
    { label: `${what}: cycles`, value: `${t.cycles.toLocaleString('en-US')} (${t.setPulses.toLocaleString('en-US')} SET, ${t.resetPulses.toLocaleString('en-US')} RESET)`, hint: 'write-verify iterations = pulses, each followed by a verify read' },
    { label: `${what}: cells touched`, value: `${t.cellsTouched.toLocaleString('en-US')} of ${t.cellsTargeted.toLocaleString('en-US')} targeted` },
    { label: `${what}: energy`, value: eng(t.energyJ, 'J') },
    { label: `${what}: latency`, value: `${eng(r.latencyS, 's')} (${r.parallelism}-parallel, ${r.crossbarsInParallel} crossbar(s) at once)` },
    { label: `${what}: pulses per cell`, value: `median ${r.distribution.median ?? '–'}, p90 ${r.distribution.p90}` },
    { label: `${what}: failures`, value: `${t.failures} cells out of band after ${r.scheme.toUpperCase()}` },
  ];
}

/** Cycles (SET + RESET) per cell of the first ≤ 16 crossbars, 2×2-averaged when crossbars exceed 64 rows. */
function cyclesHeatmap(d: Deployment, r: { perCell?: { setPulses: Uint32Array; resetPulses: Uint32Array } }, title: string): Heatmap | null {
  const pc = r.perCell;
  if (!pc) return null;
  const pool = d.pool, show = Math.min(16, pool.numCrossbars);
  const ds = pool.rows > 64 || pool.cols > 64 ? 2 : 1;
  const h = Math.ceil(pool.rows / ds), w = Math.ceil(pool.cols / ds), perRow = Math.min(show, 8);
  const rows = Math.ceil(show / perRow) * (h + 2), cols = perRow * (w + 2);
  const values = new Float32Array(rows * cols).fill(Number.NaN);
  let max = 1;
  for (let x = 0; x < show; x++) {
    const r0 = Math.floor(x / perRow) * (h + 2) + 1, c0 = (x % perRow) * (w + 2) + 1;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        let sum = 0, n = 0;
        for (let dr = 0; dr < ds; dr++) for (let dc = 0; dc < ds; dc++) {
          const rr = r * ds + dr, cc = c * ds + dc;
          if (rr >= pool.rows || cc >= pool.cols) continue;
          const i = pool.cellIndex(x, rr, cc);
          sum += pc.setPulses[i]! + pc.resetPulses[i]!; n++;
        }
        const v = sum / n;
        values[(r0 + r) * cols + c0 + c] = v;
        if (v > max) max = v;
      }
    }
  }
  // Colour scale up to the 99th percentile of the cells that got pulses (a few heavy-tailed cells would flatten it).
  const hot = Array.from(values).filter((v) => v > 0).sort((a, b) => a - b);
  const top = hot.length ? hot[Math.min(hot.length - 1, Math.floor(0.99 * hot.length))]! : max;
  const more = pool.numCrossbars > show ? ` (first ${show} of ${pool.numCrossbars} crossbars)` : '';
  return {
    title: `${title}${more}, ${ds > 1 ? '2×2 mean, ' : ''}grey = no pulse, scale to the 99th percentile (max ${+max.toPrecision(3)})`,
    rows, cols, values, min: Number.MIN_VALUE, max: Math.max(1, top), unit: 'cycles', blankBelowMin: true,
  };
}

interface SwitchContext {
  cfg: HardwareConfig; seed: number; from: Deployment; modelB: ImportedModel; x: Float32Array; progress?: ProgressFn;
}

/**
 * Switching strategies shown as buttons: the shared strategy table's (src/scenario/strategies.ts) that need no
 * merged models, BLM with either matching mode (negation allowed).
 */
const STRATEGIES: (StrategyInfo & { strategy: StrategyName; options: Omit<SwitchOptions, 'resident' | 'program' | 'engine'> })[] =
  Object.values(SWITCH_STRATEGIES).filter((s) => !s.merged).flatMap((s) => (s.placement === 'blm' ? [
    { id: s.name, label: s.label, description: `${s.description} (global assignment, negation allowed)`, strategy: s.name, options: { blm: { mode: 'global', negate: true } } },
    { id: `${s.name}-layer`, label: `${s.label} (layer)`, description: `${s.description} (layers paired first, then blocks within paired layers)`, strategy: s.name, options: { blm: { mode: 'layer', negate: true } } },
  ] : [{ id: s.name, label: s.label, description: s.description, strategy: s.name, options: {} }]));

function runStrategy(st: (typeof STRATEGIES)[number], s: SwitchContext): Switched {
  const onProgress = s.progress ? (d: number, t: number) => s.progress!(d, t, `write-verify of model B (${st.label})`) : undefined;
  return switchTo(s.from, s.modelB, s.x, SAMPLES, { ...st.options, strategy: st.strategy, seed: s.seed, program: { perCell: true, onProgress } });
}

/** Per-cell cycles of a switch (erase + write for a full reprogram). */
function switchPerCell(r: SwitchResult): { setPulses: Uint32Array; resetPulses: Uint32Array } | undefined {
  const w = r.write.perCell, e = r.erase?.perCell;
  if (!w) return undefined;
  if (!e) return w;
  return { setPulses: w.setPulses.map((v, i) => v + e.setPulses[i]!), resetPulses: w.resetPulses.map((v, i) => v + e.resetPulses[i]!) };
}

/** TF.js only loads when a model file is dropped (a separate chunk of the page). */
async function importDroppedModel(files: File[]): Promise<ModelInfo> {
  const json = files.filter((f) => f.name.endsWith('.json'));
  if (json.length !== 1) {
    throw new Error(`drop exactly one model.json together with its weight files (.bin); got ${files.map((f) => f.name).join(', ') || 'no files'}`);
  }
  const tf = await import('@tensorflow/tfjs');
  const { importLayersModel } = await import('../../src/mapping/import.js');
  const { layerMatrices } = await import('../../src/mapping/placement.js');
  await tf.setBackend('cpu');
  const ordered = [json[0]!, ...files.filter((f) => f !== json[0])];
  let layersModel;
  try {
    layersModel = await tf.loadLayersModel(tf.io.browserFiles(ordered));
  } catch (e) {
    throw new Error(`cannot load ${json[0]!.name} as a TF.js LayersModel: ${(e as Error).message}`);
  }
  try {
    const model = importLayersModel(layersModel, { source: json[0]!.name });
    const id = `file:${imported.size + 1}:${model.name}`;
    const info: ModelInfo = { id, label: `${model.name} (from ${json[0]!.name})`, layers: layerMatrices(model) };
    imported.set(id, { info, model });
    return info;
  } finally {
    layersModel.dispose();
  }
}

type Handler<M extends Method> = (params: Methods[M]['params'], progress: ProgressFn) => Methods[M]['result'] | Promise<Methods[M]['result']>;

const fmt = (v: number, digits = 3): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits));

const handlers: { [M in Method]: Handler<M> } = {
  hello: () => ({
    wasmSha256,
    presets: presetNames().map((name) => ({ name, description: hardwarePresets[name]!.description })),
    capabilities: Object.keys(handlers),
    strategies: STRATEGIES.map(({ id, label, description }) => ({ id, label, description })),
  }),

  program: async ({ preset, model, scheme, seed }, progress) => {
    arena.reset(); // the worker owns the arena: a new run releases the previous pool
    const cfg = resolveHardware({}, preset);
    const loaded = await modelWithWeights(model, seed);
    const { label, model: m, samples: x } = loaded;
    progress(0, 1, 'quantize and map');
    const d = deploy(m, cfg, x, SAMPLES, { xamm: scheme === 'xamm', seed, onProgress: (dn, t) => progress(dn, t, 'write-verify') });
    progress(1, 1, 'inference');
    const r = d.program.report;
    return {
      metrics: [
        { label: 'model', value: label },
        { label: 'mapping', value: `${scheme === 'xamm' ? 'XAMM' : 'baseline'}: ${d.placement.crossbars} crossbars, ${pct(d.placement.utilization)} of cells used` },
        ...reportMetrics(r, 'program'),
        { label: 'ideal crossbar output = quantized model', value: sameOutputs(d, x) ? 'yes, bit for bit' : 'NO' },
        accuracyMetric('model A', d, loaded),
      ],
      heatmap: cyclesHeatmap(d, d.program, 'write-verify cycles per cell, programming model A from reset'),
    };
  },

  switch: async ({ preset, modelA, modelB, scheme, strategy, seed }, progress) => {
    const st = STRATEGIES.find((s) => s.id === strategy);
    if (!st) throw new Error(`unknown strategy "${strategy}"; choose one of: ${STRATEGIES.map((s) => s.id).join(', ')}`);
    const cfg = resolveHardware({}, preset);
    const a = await modelWithWeights(modelA, seed), b = await modelWithWeights(modelB, seed);
    const inA = a.model.inputShape.join('×'), inB = b.model.inputShape.join('×');
    if (inA !== inB) throw new Error(`model A takes ${inA} inputs but model B takes ${inB}; pick two models with the same input`);
    const x = a.samples;
    const pA = mapModel(layerMatricesOf(a.model), cfg, { xamm: scheme === 'xamm' });
    const pB = mapModel(layerMatricesOf(b.model), cfg);
    const poolSize = Math.max(pA.crossbars, pB.crossbars);
    // Every strategy starts from the same state: A freshly programmed (same seed → same pool).
    const fromA = (): Deployment => {
      arena.reset(); // the worker owns the arena: each run releases the previous pool
      return deploy(a.model, cfg, x, SAMPLES, { pool: new CrossbarPool(cfg, { numCrossbars: poolSize, seed }), placement: pA, seed, onProgress: (d, t) => progress(d, t, 'write-verify of model A') });
    };
    const others: string[] = [];
    for (const o of STRATEGIES) {
      if (o.id === st.id) continue;
      progress(0, 1, `for comparison: ${o.label}`);
      const r = runStrategy(o, { cfg, seed, from: fromA(), modelB: b.model, x: b.samples, progress }).result;
      others.push(`${o.label} ${r.totals.cycles.toLocaleString('en-US')}`);
    }
    const from = fromA();
    const aCycles = from.program.report.totals.cycles;
    progress(0, 1, `switching: ${st.label}`);
    const s = runStrategy(st, { cfg, seed, from, modelB: b.model, x: b.samples, progress });
    progress(1, 1, 'inference');
    const r = s.result;
    const writeReport = r.write.report;
    const to: Deployment = { qm: s.qm, placement: r.placement, pool: from.pool, program: r.write, engine: s.engine };
    return {
      metrics: [
        { label: 'switch', value: `${a.label} → ${b.label}` },
        { label: 'strategy', value: `${st.label}: ${st.description}` },
        { label: 'pool', value: `${poolSize} crossbars; A mapped ${scheme === 'xamm' ? 'with XAMM' : 'baseline'}${r.blm ? `; BLM: ${r.blm.blocks} blocks onto ${r.blm.slots} slots, ${r.blm.negatedBlocks} negated, matching ${r.matchMs.toFixed(0)} ms` : ''}` },
        ...reportMetrics({ ...writeReport, totals: r.totals }, 'switch'),
        { label: 'other strategies (cycles)', value: others.join(' · ') },
        accuracyMetric('model B (after the switch)', to, b),
        { label: 'model A programming (before)', value: `${aCycles.toLocaleString('en-US')} cycles from reset` },
      ],
      heatmap: cyclesHeatmap(to, { perCell: switchPerCell(r) }, `reprogrammed cells: write-verify cycles per cell of the switch (${st.label})`),
    };
  },


  config: ({ preset }) => {
    const c = resolveHardware({}, preset);
    const metrics: Metric[] = [
      { label: 'crossbar', value: `${c.crossbar.rows} × ${c.crossbar.cols} cells` },
      { label: 'weights per crossbar', value: `${tileRows(c)} × ${tileCols(c)}` },
      { label: 'cells per weight', value: `${cellsPerWeight(c)} (${magnitudeSlices(c)} slices, ${c.cells.sign})` },
      { label: 'levels per cell', value: String(levelsPerCell(c)) },
      { label: 'device', value: c.device.name, hint: c.device.source },
      { label: 'window', value: `${c.device.gMinUS}–${c.device.gMaxUS} µS` },
      { label: 'write-verify', value: `${c.programming.scheme.toUpperCase()}, ±${c.programming.toleranceUS} µS, ≤ ${c.programming.maxPulses} pulses` },
      { label: 'I/O', value: `${c.io.inputBits}-bit inputs, ${c.io.dacBits}-bit DAC, ${c.io.adcBits}-bit ADC` },
    ];
    return { preset, description: hardwarePresets[preset]!.description, metrics, json: configToJson(c) };
  },

  mvmDemo: ({ preset, seed, rows, cols, batch }, progress) => {
    const c = resolveHardware({}, preset);
    return arena.scoped((a): DemoResult => {
      progress(0, 4, 'quantizing a seeded layer');
      const w = new WasmRng(seed, streamId(StreamPurpose.misc, 5), a).normal(rows * cols);
      const q = quantizeWeights(w, rows, cols, c);
      const x = Int32Array.from(new WasmRng(seed, streamId(StreamPurpose.misc, 6), a).u32(batch * rows), (v) => v % (maxInputInt(c) + 1));
      progress(1, 4, 'encoding onto crossbars');
      const core = new TiledCore(c, q.ints, rows, cols, a);
      progress(2, 4, 'ideal MVM');
      const t0 = performance.now();
      const ideal = core.mvmIdeal(x, batch);
      const tIdeal = performance.now() - t0;
      const exact = integerMatmul(x, batch, q.ints, rows, cols).every((v, i) => v === ideal[i]);
      progress(3, 4, 'analog MVM (read noise, ADC)');
      core.calibrateAdc(x, batch);
      const t1 = performance.now();
      const analog = core.mvmAnalog(x, batch, seed);
      const tAnalog = performance.now() - t1;
      let se = 0, ss = 0;
      for (let i = 0; i < ideal.length; i++) { se += (analog[i]! - ideal[i]!) ** 2; ss += ideal[i]! ** 2; }
      const t = core.tiles[0]!;
      const physCols = t.cols * cellsPerWeight(c);
      const g = t.conductances.copy();
      progress(4, 4, 'done');
      const macs = rows * cols * batch;
      return {
        metrics: [
          { label: 'layer', value: `${rows} × ${cols}, batch ${batch}` },
          { label: 'crossbars', value: String(core.crossbars) },
          { label: 'ideal = integer matmul', value: exact ? 'yes, exactly' : 'NO' },
          { label: 'analog relative error', value: fmt(Math.sqrt(se / (ss || 1))), hint: 'RMS(analog − ideal) / RMS(ideal)' },
          { label: 'ideal MVM', value: `${fmt(tIdeal)} ms (${fmt(macs / tIdeal / 1e3)} GMAC/s)` },
          { label: 'analog MVM', value: `${fmt(tAnalog)} ms (${fmt(macs / tAnalog / 1e3)} GMAC/s)` },
        ],
        heatmap: { title: `crossbar 0: conductance of each cell (${t.rows} × ${physCols})`, rows: t.rows, cols: physCols, values: g, min: c.device.gMinUS, max: c.device.gMaxUS, unit: 'µS' },
      };
    });
  },

  fingerprint: ({ seed }) => runFingerprint(seed),

  models: async () => [...await demoModels(), ...MODEL_SHAPES, ...[...imported.values()].map((m) => m.info)],

  importModel: ({ files }) => importDroppedModel(files),

  map: async ({ preset, model, scheme }) => {
    const c = resolveHardware({}, preset);
    const m = await modelLayers(model);
    const base = mapModel(m.layers, c);
    const p = scheme === 'xamm' ? mapModel(m.layers, c, { xamm: true }) as XammPlacement : base;
    const metrics: Metric[] = [
      { label: 'model', value: `${m.label}: ${m.layers.map((l) => `${l.rows}×${l.cols}`).join(', ')}` },
      { label: 'scheme', value: scheme === 'xamm' ? 'XAMM (shared crossbars)' : 'baseline (one tile per crossbar)' },
      { label: 'crossbars', value: scheme === 'xamm' ? `${p.crossbars} (baseline ${base.crossbars}, lower bound ${(p as XammPlacement).lowerBound})` : String(p.crossbars) },
      { label: 'utilization', value: `${(100 * p.utilization).toFixed(1)} % of cells hold weights` },
      { label: 'shared crossbars', value: `${p.sharing.sharedCrossbars} (≤ ${p.sharing.maxLayersPerCrossbar} layers each, ${p.sharing.extraMvmSteps} extra MVM steps)` },
      ...p.perLayer.map((l) => ({ label: l.name, value: `${l.rows} × ${l.cols}: ${l.blocks} blocks on ${l.crossbars} crossbars` })),
    ];
    return { metrics, heatmap: occupancyHeatmap(p) };
  },
};

/**
 * Crossbars side by side (wrapping), each drawn as its physical cells at reduced resolution (about 16 × 16 pixels
 * per crossbar); value = layer number (1-based) of the block on that cell, 0 = empty, NaN = gaps.
 */
function occupancyHeatmap(p: Placement): Heatmap {
  const g = p.geometry;
  const ds = Math.max(1, Math.ceil(Math.max(g.crossbarRows, g.crossbarCols) / 16));
  const h = Math.ceil(g.crossbarRows / ds), w = Math.ceil(g.crossbarCols / ds);
  const ids = p.crossbarIds;
  const perRow = Math.max(1, Math.min(ids.length, 30));
  const rows = Math.ceil(ids.length / perRow) * (h + 2), cols = perRow * (w + 2);
  const values = new Float32Array(rows * cols).fill(Number.NaN);
  const origin = (i: number): [number, number] => [Math.floor(i / perRow) * (h + 2) + 1, (i % perRow) * (w + 2) + 1];
  const slot = new Map(ids.map((id, i) => [id, i]));
  ids.forEach((_, i) => {
    const [r0, c0] = origin(i);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) values[(r0 + r) * cols + c0 + c] = 0;
  });
  for (const b of p.blocks) {
    const [r0, c0] = origin(slot.get(b.crossbar)!);
    const pc0 = b.colOffset * g.cellsPerWeight, pc1 = (b.colOffset + b.cols) * g.cellsPerWeight;
    for (let r = Math.floor(b.rowOffset / ds); r < Math.ceil((b.rowOffset + b.rows) / ds); r++) {
      for (let c = Math.floor(pc0 / ds); c < Math.ceil(pc1 / ds); c++) values[(r0 + r) * cols + c0 + c] = b.layer + 1;
    }
  }
  return {
    title: `${p.crossbars} crossbars (${p.scheme}), ${g.crossbarRows} × ${g.crossbarCols} cells each, shown 1:${ds}: layer stored on each cell (grey = empty)`,
    rows, cols, values, min: 1, max: Math.max(2, p.layers.length), unit: 'layer', blankBelowMin: true,
  };
}

const scope = globalThis as unknown as { postMessage(m: WorkerReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };

function transferables(v: unknown, out: Transferable[] = [], depth = 0): Transferable[] {
  if (depth > 4 || v === null || typeof v !== 'object') return out;
  if (ArrayBuffer.isView(v)) {
    // never the wasm memory itself (it cannot be transferred, and must not be)
    if (v.buffer instanceof ArrayBuffer && v.buffer !== wasm().memory.buffer && !out.includes(v.buffer)) out.push(v.buffer);
  }
  else for (const x of Object.values(v)) transferables(x, out, depth + 1);
  return out;
}

const ready = init();
scope.onmessage = async (e) => {
  const { id, method, params } = e.data;
  const t0 = performance.now();
  try {
    await ready;
    const handler = handlers[method] as Handler<Method> | undefined;
    if (!handler) throw new Error(`unknown method "${method}"; the worker knows: ${Object.keys(handlers).join(', ')}`);
    let last = 0;
    const progress: ProgressFn = (done, total, label) => {
      const now = performance.now();
      if (now - last < 50 && done < total) return; // at most ~20 updates per second
      last = now;
      scope.postMessage({ id, kind: 'progress', done, total, label });
    };
    const result = await handler(params as never, progress);
    scope.postMessage({ id, kind: 'result', result, ms: performance.now() - t0 }, transferables(result));
  } catch (err) {
    scope.postMessage({ id, kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

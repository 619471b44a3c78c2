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
import type { LayerMatrix } from '../../src/mapping/placement.js';
import type { DemoResult, Heatmap, Method, Methods, ModelInfo, ProgressFn, WorkerReply, WorkerRequest, Metric } from './protocol.js';

/** Models the user dropped in (TF.js LayersModels), by id; they keep their real weights for later stages. */
const imported = new Map<string, { info: ModelInfo; model: ImportedModel }>();

function modelLayers(id: string): { label: string; layers: LayerMatrix[] } {
  const own = imported.get(id);
  return own ? { label: own.info.label, layers: own.info.layers } : modelShape(id);
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
  }),

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

  models: () => [...MODEL_SHAPES, ...[...imported.values()].map((m) => m.info)],

  importModel: ({ files }) => importDroppedModel(files),

  map: ({ preset, model, scheme }) => {
    const c = resolveHardware({}, preset);
    const m = modelLayers(model);
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

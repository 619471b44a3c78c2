// The page's single-model actions: map a model, program it into a fresh pool, encode one layer and run MVMs.
// Each returns an ActionResult whose header says what ran (models, preset and edits, seed, mapping).
import { arena, WasmRng, streamId, StreamPurpose } from '../../../src/wasm/index.js';
import { cellsPerWeight, quantizeWeights, maxInputInt, TiledCore, integerMatmul } from '../../../src/hardware/index.js';
import { mapModel } from '../../../src/mapping/map.js';
import type { XammPlacement } from '../../../src/mapping/xamm.js';
import { deploy } from '../../shared/pipeline.js';
import { checkMapping, checkSeed, type HardwareChoice, type Mapping } from '../inputs.js';
import type { ActionResult, Metric, ProgressFn, ResultHeader } from '../protocol.js';
import { resolveChoice, type ResolvedHardware } from './hardware.js';
import { conductanceMaps, cyclesMaps, occupancyMaps } from './maps.js';
import { modelLayers, modelWithWeights, SAMPLES } from './models.js';
import { accuracyMetric, accuracyOf, costMetrics, eng, int, pct, sameOutputs } from './report.js';

/** Validates what every action takes (hardware, seed, mapping) at the worker's boundary. */
export function actionInputs(p: { hardware: HardwareChoice; seed: unknown; mapping?: unknown }): { hw: ResolvedHardware; seed: number; mapping: Mapping } {
  return { hw: resolveChoice(p.hardware), seed: checkSeed(p.seed), mapping: p.mapping === undefined ? 'baseline' : checkMapping(p.mapping) };
}

export function header(action: string, models: string[], hardware: HardwareChoice, hw: ResolvedHardware, seed: number, mapping: Mapping, extra: Partial<ResultHeader> = {}): ResultHeader {
  return { action, models, preset: hardware.preset, edits: hw.edits, seed, mapping, ...extra };
}

export async function mapAction(p: { hardware: HardwareChoice; model: string; mapping: Mapping; seed: number }): Promise<ActionResult> {
  const { hw, seed, mapping } = actionInputs(p);
  const m = await modelLayers(p.model);
  const base = mapModel(m.layers, hw.cfg);
  const placed = mapping === 'xamm' ? mapModel(m.layers, hw.cfg, { xamm: true }) as XammPlacement : base;
  const metrics: Metric[] = [
    { label: 'layers', value: m.layers.map((l) => `${l.name} ${l.rows}×${l.cols}`).join(', ') },
    { label: 'scheme', value: mapping === 'xamm' ? 'XAMM (small and edge tiles share crossbars)' : 'baseline (one tile per crossbar)' },
    { label: 'crossbars', value: mapping === 'xamm' ? `${placed.crossbars} (baseline ${base.crossbars}, lower bound ${(placed as XammPlacement).lowerBound})` : String(placed.crossbars) },
    { label: 'utilization', value: `${pct(placed.utilization)} of cells hold weights` },
    { label: 'shared crossbars', value: `${placed.sharing.sharedCrossbars} (≤ ${placed.sharing.maxLayersPerCrossbar} layers each, ${placed.sharing.extraMvmSteps} extra MVM steps)` },
    ...placed.perLayer.map((l) => ({ label: l.name, value: `${l.rows} × ${l.cols}: ${l.blocks} blocks on ${l.crossbars} crossbars` })),
  ];
  return { header: header('map', [m.label], p.hardware, hw, seed, mapping), config: hw.cfg, metrics, maps: [occupancyMaps(placed)] };
}

export async function programAction(p: { hardware: HardwareChoice; model: string; mapping: Mapping; seed: number }, progress: ProgressFn): Promise<ActionResult> {
  const { hw, seed, mapping } = actionInputs(p);
  const loaded = await modelWithWeights(p.model, seed);
  arena.reset(); // the worker owns the arena: a new run releases the previous pool
  progress(0, 1, 'quantize and map');
  const d = deploy(loaded.model, hw.cfg, loaded.samples, SAMPLES, { xamm: mapping === 'xamm', seed, onProgress: (dn, t) => progress(dn, t, 'write-verify') });
  progress(1, 1, 'inference');
  const r = d.program.report;
  return {
    header: header('program', [loaded.label], p.hardware, hw, seed, mapping, { poolCrossbars: d.pool.numCrossbars }),
    config: hw.cfg,
    metrics: [
      { label: 'mapping', value: `${mapping === 'xamm' ? 'XAMM' : 'baseline'}: ${d.placement.crossbars} crossbars, ${pct(d.placement.utilization)} of cells used` },
      ...costMetrics(r, 'program'),
      { label: 'ideal crossbar output = quantized model', value: sameOutputs(d, loaded.samples) ? 'yes, bit for bit' : 'NO' },
      accuracyMetric('model', accuracyOf(d, loaded)),
    ],
    maps: d.program.perCell ? [cyclesMaps('Write-verify cycles per cell, programming the model from reset', d.pool, d.program.perCell)] : [],
  };
}

/** Encodes the model's first layer (seeded random weights of its shape) and times ideal and analog MVMs. */
export async function mvmAction(p: { hardware: HardwareChoice; model: string; seed: number }, progress: ProgressFn): Promise<ActionResult> {
  const { hw, seed } = actionInputs(p);
  const m = await modelLayers(p.model);
  const { rows, cols } = m.layers[0]!;
  const batch = 64;
  const c = hw.cfg;
  arena.reset();
  return arena.scoped((a): ActionResult => {
    progress(0, 4, 'quantizing a seeded layer');
    const w = new WasmRng(seed, streamId(StreamPurpose.misc, 5), a).normal(rows * cols);
    const q = quantizeWeights(w, rows, cols, c);
    const x = Int32Array.from(new WasmRng(seed, streamId(StreamPurpose.misc, 6), a).u32(batch * rows), (v) => v % (maxInputInt(c) + 1));
    progress(1, 4, 'encoding onto crossbars');
    const core = new TiledCore(c, q.ints, rows, cols, a);
    progress(2, 4, 'ideal MVM');
    const ideal = core.mvmIdeal(x, batch);
    const tIdeal = timed(() => core.mvmIdeal(x, batch));
    const exact = integerMatmul(x, batch, q.ints, rows, cols).every((v, i) => v === ideal[i]);
    progress(3, 4, 'analog MVM (read noise, ADC)');
    core.calibrateAdc(x, batch);
    const analog = core.mvmAnalog(x, batch, seed);
    const tAnalog = timed(() => core.mvmAnalog(x, batch, seed));
    let se = 0, ss = 0;
    for (let i = 0; i < ideal.length; i++) { se += (analog[i]! - ideal[i]!) ** 2; ss += ideal[i]! ** 2; }
    const physCols = core.tiles[0]!.cols * cellsPerWeight(c);
    const maps = conductanceMaps(`Conductance of each cell of the ${core.crossbars} crossbars holding the layer`, core.crossbars,
      c.crossbar.rows, c.crossbar.cols, (t) => padded(core.tiles[t]!.conductances.copy(), core.tiles[t]!.rows, physCols, c.crossbar.rows, c.crossbar.cols, c.device.gMinUS),
      { min: c.device.gMinUS, max: c.device.gMaxUS });
    progress(4, 4, 'done');
    const macs = rows * cols * batch;
    const rate = (t: { runs: number; s: number }): string => `${t.runs} batch${t.runs > 1 ? 'es' : ''} in ${eng(t.s, 's')} → ${eng((t.runs * macs) / t.s, 'MAC/s')}`;
    return {
      header: header('encode + MVM', [`${m.label}: first layer's shape, seeded random weights`], p.hardware, hw, seed, 'baseline'),
      config: hw.cfg,
      metrics: [
        { label: 'layer', value: `${rows} × ${cols}, batch ${batch}` },
        { label: 'MACs per MVM batch', value: int(macs), hint: 'rows × cols × batch multiply-accumulates' },
        { label: 'crossbars', value: String(core.crossbars) },
        { label: 'ideal = integer matmul', value: exact ? 'yes, exactly' : 'NO' },
        { label: 'analog relative error', value: (Math.sqrt(se / (ss || 1))).toPrecision(3), hint: 'RMS(analog − ideal) / RMS(ideal)' },
        { label: 'ideal MVM', value: rate(tIdeal), hint: 'wall time in this worker, repeated for at least 50 ms; MAC/s = batches × MACs per batch / time' },
        { label: 'analog MVM', value: rate(tAnalog), hint: 'wall time in this worker, repeated for at least 50 ms; MAC/s = batches × MACs per batch / time' },
      ],
      maps: [maps],
    };
  });
}

/** Runs `fn` until at least 50 ms have passed (at least once, at most 1000 times): runs and seconds. */
function timed(fn: () => unknown): { runs: number; s: number } {
  const t0 = performance.now();
  let runs = 0, ms = 0;
  do { fn(); runs++; ms = performance.now() - t0; } while (ms < 50 && runs < 1000);
  return { runs, s: ms / 1e3 };
}

/** A tile's rows × cols conductances inside a full crossbar (cells it does not use at gMin, as in a fresh pool). */
function padded(g: Float32Array, rows: number, cols: number, R: number, C: number, fill: number): Float32Array {
  if (rows === R && cols === C) return g;
  const out = new Float32Array(R * C).fill(fill);
  for (let r = 0; r < rows; r++) out.set(g.subarray(r * cols, (r + 1) * cols), r * C);
  return out;
}

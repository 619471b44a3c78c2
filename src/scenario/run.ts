// The switching simulation (DESIGN §3.4): one persistent pool per strategy, the same sequence of models for every
// strategy, each switch programming only what its strategy places, with cost, wear, reuse, heatmaps and every
// model's accuracy recorded after each switch.
import type { HardwareConfig } from '../hardware/config.js';
import { CrossbarPool } from '../hardware/pool.js';
import { mapModel } from '../mapping/map.js';
import type { Placement } from '../mapping/placement.js';
import { CrossbarEngine } from '../inference/engine.js';
import { quantizeModel, type QuantizedModel } from '../inference/quantized-model.js';
import { NO_TARGET } from '../programming/program.js';
import { arena } from '../wasm/index.js';
import { EvaluationPlan, onCrossbar, residentAccuracy, softwareAccuracy, softwareOnly } from './accuracy.js';
import { switchModel, type SwitchOptions, type SwitchResult } from './switch.js';
import {
  RESULTS_SCHEMA, STRATEGY_DESCRIPTIONS, ScenarioError, type Accuracies, type LayerSwitchStats, type Results, type ScenarioModel,
  type ScenarioSpec, type StrategyName, type StrategyResult, type SwitchRecord,
} from './types.js';

export const VERSION = '0.1.0';
const HEATMAP_BINS = 32;

export interface RunOptions {
  /** Progress: a stage label and done/total switches over all strategies. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Fixed timestamp (tests); default now. */
  createdAt?: string;
  /**
   * Price each programming operation with the expected-cost table instead of simulating every pulse (fast design-
   * space sweeps). Analog accuracy is then not measured (null): conductances were not simulated; ideal accuracy is
   * the quantized one (the pool holds exactly the targets).
   */
  estimate?: boolean;
}

/** A model ready to be placed: its quantized form and its test set. */
export interface PreparedModel { spec: ScenarioModel; qm: QuantizedModel; crossbars: number }

export function prepareModels(models: ScenarioModel[], cfg: HardwareConfig, mapping: 'baseline' | 'xamm'): Map<string, PreparedModel> {
  const out = new Map<string, PreparedModel>();
  for (const m of models) {
    if (out.has(m.name)) throw new ScenarioError(`scenario: two models are named "${m.name}"; names must be unique`);
    const inSize = m.model.inputShape.reduce((a, b) => a * b, 1);
    if (m.calib.length !== m.calibN * inSize) {
      throw new ScenarioError(`scenario: model ${m.name} expects inputs of ${inSize} values but its calibration data has ${m.calib.length / Math.max(1, m.calibN)} per sample; check the task's input shape`);
    }
    if (m.test.images.length !== m.test.n * inSize) {
      throw new ScenarioError(`scenario: model ${m.name} (input [${m.model.inputShape.join(', ')}]) does not match its task ${m.task} (${m.test.images.length / Math.max(1, m.test.n)} values per sample)`);
    }
    const qm = quantizeModel(m.model, cfg, m.calib, m.calibN);
    out.set(m.name, { spec: m, qm, crossbars: mapModel(m.model, cfg, { xamm: mapping === 'xamm' }).crossbars });
  }
  return out;
}

export function defaultPoolCrossbars(prepared: Map<string, PreparedModel>, spare = 0.1): number {
  return Math.ceil((1 + spare) * Math.max(...[...prepared.values()].map((p) => p.crossbars)) - 1e-9);
}

function checkSpec(spec: ScenarioSpec): void {
  const names = new Set(spec.models.map((m) => m.name));
  if (spec.sequence.length < 2) throw new ScenarioError('scenario.sequence needs at least two entries (a model to start with and one switch)');
  spec.sequence.forEach((n, i) => {
    if (!names.has(n)) throw new ScenarioError(`scenario.sequence[${i}] is "${n}", which is not a model of the scenario (${[...names].join(', ')})`);
  });
  if (spec.strategies.length === 0) throw new ScenarioError('scenario.strategies is empty; choose from full, diff, blm, ha3m');
  if (spec.strategies.includes('ha3m') && !spec.merged) {
    throw new ScenarioError('strategy ha3m needs merged (MMR-retrained) models: run `ha3m merge` first or drop ha3m from the strategies');
  }
}

function heatmap(touched: Uint8Array, pool: CrossbarPool, crossbars: number[]): SwitchRecord['heatmap'] {
  const binRows = Math.min(HEATMAP_BINS, pool.rows), binCols = Math.min(HEATMAP_BINS, pool.cols);
  const values: number[][] = [];
  for (const xb of crossbars) {
    const sum = new Float64Array(binRows * binCols), cnt = new Float64Array(binRows * binCols);
    for (let r = 0; r < pool.rows; r++) {
      const br = Math.floor((r * binRows) / pool.rows);
      const base = (xb * pool.rows + r) * pool.cols;
      for (let c = 0; c < pool.cols; c++) {
        const b = br * binCols + Math.floor((c * binCols) / pool.cols);
        sum[b] += touched[base + c]!; cnt[b]++;
      }
    }
    const v = new Array<number>(sum.length);
    for (let i = 0; i < sum.length; i++) v[i] = Math.round((1000 * sum[i]!) / cnt[i]!) / 1000;
    values.push(v);
  }
  return { crossbars, binRows, binCols, values };
}

// The per-cell loops of a switch live in small functions: inside runStrategy each loop would make V8 compile the whole
// (large) function again on stack replacement, every run — seconds of background compilation per sweep point.

function cellsByLayer(regions: Int32Array, touched: Uint8Array, layers: number): { cellsPerLayer: Float64Array; touchedPerLayer: Float64Array } {
  const cellsPerLayer = new Float64Array(layers), touchedPerLayer = new Float64Array(layers);
  for (let i = 0; i < regions.length; i++) {
    const id = regions[i]!;
    if (id >= 0 && id < layers) { cellsPerLayer[id]++; if (touched[i]) touchedPerLayer[id]++; }
  }
  return { cellsPerLayer, touchedPerLayer };
}

function countNonZero(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

function countEqual(a: Uint8Array, v: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === v) n++;
  return n;
}

/** Runs one strategy over the whole sequence on a fresh pool. */
export function runStrategy(spec: ScenarioSpec, strategy: StrategyName, models: Map<string, PreparedModel>, poolCrossbars: number,
  plan: EvaluationPlan, progress?: (done: number) => void, estimate = false): StrategyResult {
  const cfg = spec.config;
  const o = spec.blm ?? {};
  const options: SwitchOptions = {
    engine: estimate ? 'estimate' : 'simulate', mapping: spec.mapping, program: { perCell: false },
    blm: { mode: o.mode ?? 'global', negate: o.negate ?? false, blockRows: o.blockRows, blockCols: o.blockCols },
  };
  const mark = arena.mark();
  try {
    const pool = new CrossbarPool(cfg, { numCrossbars: poolCrossbars, seed: spec.seed });
    const switches: SwitchRecord[] = [];
    const lastOnCrossbar = new Map<string, Accuracies>();
    let residentModel: { name: string; placement: Placement } | null = null;
    for (let index = 0; index < spec.sequence.length; index++) { // a loop, not a fresh closure V8 re-optimizes per run
      const name = spec.sequence[index]!;
      const incoming = models.get(name)!;
      const s: SwitchResult = switchModel(pool, incoming.qm, strategy, { ...options, resident: residentModel?.placement });
      const { placement, targets, regions, touched } = s;
      const layerTotals = incoming.qm.layers.map(() => ({ cycles: 0 }));
      for (const op of s.operations) {
        for (const [id, cycles] of op.perRegionCycles) {
          const lt = layerTotals[id];
          if (lt) lt.cycles += cycles;
        }
      }
      const { cellsPerLayer, touchedPerLayer } = cellsByLayer(regions, touched, incoming.qm.layers.length);
      const perLayer: LayerSwitchStats[] = incoming.qm.layers.map((l, i) => ({
        layer: i, name: l.op.name, cells: cellsPerLayer[i]!, cellsTouched: touchedPerLayer[i]!, cycles: layerTotals[i]!.cycles,
        reusedFraction: cellsPerLayer[i]! > 0 ? 1 - touchedPerLayer[i]! / cellsPerLayer[i]! : 1,
      }));
      const sum = s.totals;
      const cellsTouched = countNonZero(touched), cellsTargeted = targets.length - countEqual(targets, NO_TARGET);
      residentModel = { name, placement };
      // accuracy of every model after this switch: on-crossbar for the resident one — on its claim images when this is
      // its last residency (the accuracy the summary shows), else on the tracking images
      const engine = new CrossbarEngine(incoming.qm, placement, pool, { seed: spec.seed });
      const n = plan.isClaim(index) ? plan.claimSamples(incoming.spec) : plan.trackSamples(incoming.spec);
      const swIn = softwareAccuracy(incoming, plan.claimSamples(incoming.spec));
      // an estimate leaves the pool holding exactly the targets, so ideal = quantized by construction (the engine's
      // routing is tested bit-identical): only a simulation is worth evaluating on the crossbars
      const resident = estimate ? residentAccuracy(swIn, { value: swIn.quantized, n: swIn.n }, null) : (() => {
        const r = onCrossbar(engine, incoming.spec.test, n);
        return residentAccuracy(swIn, r.ideal, r.analog);
      })();
      const accuracy: Record<string, Accuracies> = {};
      for (const [mName, p] of models) {
        accuracy[mName] = mName === name ? resident : softwareOnly(softwareAccuracy(p, plan.claimSamples(p.spec)));
      }
      lastOnCrossbar.set(name, accuracy[name]!);
      const last = s.operations[s.operations.length - 1]!;
      switches.push({
        index, from: index === 0 ? null : spec.sequence[index - 1]!, to: name,
        cycles: sum.cycles, setPulses: sum.setPulses, resetPulses: sum.resetPulses, verifyReads: sum.verifyReads,
        energyJ: sum.energyJ, latencyS: s.latency.s, latencyCellS: s.latency.cellS, latencyRowS: s.latency.rowS,
        cellsTargeted, cellsTouched, failures: sum.failures, crossbarsUsed: placement.crossbars,
        maxWear: last.maxWear, switchesLeft: Number.isFinite(last.switchesLeft) ? last.switchesLeft : null,
        matchingSeconds: s.matchMs / 1000, perLayer, heatmap: heatmap(touched, pool, placement.crossbarIds), accuracy,
      });
      progress?.(index + 1);
    }
    const sw = switches.filter((s) => s.index >= 1);
    const mean = (f: (s: SwitchRecord) => number) => sw.reduce((a, s) => a + f(s), 0) / Math.max(1, sw.length);
    const accuracy: Record<string, Accuracies> = {};
    for (const [mName, p] of models) {
      accuracy[mName] = lastOnCrossbar.get(mName) ?? softwareOnly(softwareAccuracy(p, plan.claimSamples(p.spec)));
    }
    return {
      name: strategy, description: STRATEGY_DESCRIPTIONS[strategy],
      cyclesPerSwitch: mean((s) => s.cycles), energyPerSwitchJ: mean((s) => s.energyJ), latencyPerSwitchS: mean((s) => s.latencyS),
      latencyCellPerSwitchS: mean((s) => s.latencyCellS), latencyRowPerSwitchS: mean((s) => s.latencyRowS),
      cellsTouchedPerSwitch: mean((s) => s.cellsTouched), failuresPerSwitch: mean((s) => s.failures),
      totals: {
        cycles: switches.reduce((a, s) => a + s.cycles, 0), energyJ: switches.reduce((a, s) => a + s.energyJ, 0),
        latencyS: switches.reduce((a, s) => a + s.latencyS, 0), failures: switches.reduce((a, s) => a + s.failures, 0),
      },
      accuracy, switches,
      ...(strategy === 'ha3m' && spec.merged ? { tiedFraction: spec.merged.tiedFraction } : {}),
    };
  } finally {
    arena.release(mark);
  }
}

/** Runs every strategy of the scenario and assembles results.json (schema ha3m-results/2). */
export function runScenario(spec: ScenarioSpec, opts: RunOptions = {}): Results {
  checkSpec(spec);
  const cfg = spec.config;
  const original = prepareModels(spec.models, cfg, spec.mapping);
  const merged = spec.merged ? prepareModels(spec.merged.models, cfg, spec.mapping) : null;
  if (merged) {
    for (const n of original.keys()) if (!merged.has(n)) throw new ScenarioError(`merged models lack model "${n}"; merge every model of the scenario`);
  }
  const everyModel = new Map([...original, ...(merged ? [...merged].map(([k, v]) => [`${k} (merged)`, v] as const) : [])]);
  const poolCrossbars = spec.poolCrossbars ?? defaultPoolCrossbars(everyModel, spec.poolSpare ?? 0.1);
  for (const [n, p] of everyModel) {
    if (p.crossbars > poolCrossbars) {
      throw new ScenarioError(`model ${n} needs ${p.crossbars} crossbars but the pool has ${poolCrossbars}; raise poolCrossbars or use XAMM`);
    }
  }
  const plan = new EvaluationPlan(spec);
  const strategies: Record<string, StrategyResult> = {};
  const total = spec.strategies.length * spec.sequence.length;
  spec.strategies.forEach((s, si) => {
    const models = s === 'ha3m' ? merged! : original;
    strategies[s] = runStrategy(spec, s, models, poolCrossbars, plan,
      (done) => opts.onProgress?.(s, si * spec.sequence.length + done, total), opts.estimate);
  });
  const pareto: Results['pareto'] = [];
  for (const [i, entry] of (spec.pareto ?? []).entries()) {
    const prepared = prepareModels(entry.models, cfg, spec.mapping);
    const r = runStrategy({ ...spec, merged: entry }, 'ha3m', prepared, poolCrossbars, plan, undefined, opts.estimate);
    pareto.push({ share: entry.share, cyclesPerSwitch: r.cyclesPerSwitch, accuracy: r.accuracy, tiedFraction: entry.tiedFraction });
    opts.onProgress?.(`pareto ${entry.share}`, total, total);
  }
  const h = strategies.ha3m;
  if (h && spec.merged && pareto.length > 0) pareto.push({ share: spec.merged.share, cyclesPerSwitch: h.cyclesPerSwitch, accuracy: h.accuracy, tiedFraction: spec.merged.tiedFraction });
  pareto.sort((a, b) => a.share - b.share);
  const notes: string[] = [
    ...(spec.notes ?? []),
    'full = erase the incoming model\'s cells to HRS, then write-verify every cell; diff = in-place baseline mapping, only changed cells',
    'ideal/analog accuracies are measured on the crossbars after each switch for the resident model (its last residency on the claim images, earlier ones on the tracking images); software accuracies for the others',
    ...plan.warnings.map((w) => `warning: ${w}`),
    ...(opts.estimate ? ['costs are estimates from the expected-cost table (no pulse-level simulation); analog accuracy was not measured'] : []),
  ];
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'ha3m', version: VERSION },
    createdAt: opts.createdAt ?? new Date().toISOString(),
    seed: spec.seed,
    config: cfg,
    scenario: {
      name: spec.name,
      models: spec.models.map((m) => ({
        name: m.name, architecture: m.architecture, task: m.task, crossbars: original.get(m.name)!.crossbars, testSamples: m.test.n,
      })),
      sequence: spec.sequence, poolCrossbars, mapping: spec.mapping,
      evalSamples: spec.evalSamples === undefined ? null : spec.evalSamples, trackSamples: plan.recordedTrackSamples,
    },
    accuracyInterval: { method: 'wilson', confidence: 0.95 },
    training: spec.training ?? null,
    strategies,
    pareto,
    notes,
  };
}

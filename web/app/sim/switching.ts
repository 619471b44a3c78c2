// Switching A → B under the strategies, exactly as the CLI's `ha3m switch` does for the sequence A, B: the one
// strategy table and switch path (src/scenario), a fresh pool of ceil((1 + spare) × the largest model's crossbars)
// seeded with the seed, A switched in under the strategy, then B under the same strategy. HA3M switches the
// MMR-merged versions of A and B. One comparison row per strategy (the CLI's switch 1, number for number).
import { arena } from '../../../src/wasm/index.js';
import { CrossbarPool } from '../../../src/hardware/pool.js';
import { mapModel } from '../../../src/mapping/map.js';
import { quantizeModel } from '../../../src/inference/quantized-model.js';
import { CrossbarEngine } from '../../../src/inference/engine.js';
import { NO_TARGET } from '../../../src/programming/program.js';
import { STRATEGY_NAMES, strategyOf, switchModel, type SimulatedSwitch, type Strategy, type SwitchOptions } from '../../../src/scenario/index.js';
import type { HardwareConfig } from '../../../src/hardware/config.js';
import type { Mapping } from '../inputs.js';
import type { ActionResult, ComparisonRow, CrossbarMaps, Methods, Metric, ModelInfo, ProgressFn, StrategyInfo } from '../protocol.js';
import { actionInputs, header } from './actions.js';
import { cyclesMaps } from './maps.js';
import { modelInfo, modelWithWeights, SAMPLES, type LoadedModel } from './models.js';
import { accuracyMetric, accuracyOf, costMetrics, int } from './report.js';

export const strategyInfos = (): StrategyInfo[] => STRATEGY_NAMES.map((n) => strategyOf(n))
  .map(({ name, label, description, merged }) => ({ id: name, label, description, merged }));

/** The switch options `ha3m switch` uses by default (a scenario without a "blm" entry): global matching, no negation. */
const switchOptions = (mapping: Mapping): SwitchOptions & { engine: 'simulate' } => ({ engine: 'simulate', mapping, blm: { mode: 'global', negate: false } });

/** The model pair a strategy switches: A and B, or their merged versions for HA3M (an error when they have none). */
function pairFor(st: Strategy, a: ModelInfo, b: ModelInfo): [string, string] {
  if (!st.merged) return [a.id, b.id];
  if (!a.merged || !b.merged) {
    throw new Error(`${st.label} switches MMR-retrained (merged) versions of A and B, and ${!a.merged ? `"${a.label}"` : `"${b.label}"`} has none; ` +
      'pick the trained MNIST pair (its merged versions are bundled), or make merged models with `ha3m merge` and drop them in to switch them with BLM');
  }
  return [a.merged, b.merged];
}

interface StrategyRun { row: ComparisonRow; maps: CrossbarMaps; metrics: Metric[] }

function switchPerCell(r: SimulatedSwitch): { setPulses: Uint32Array; resetPulses: Uint32Array } {
  const w = r.write.perCell!, e = r.erase?.perCell;
  if (!e) return w;
  return { setPulses: w.setPulses.map((v, i) => v + e.setPulses[i]!), resetPulses: w.resetPulses.map((v, i) => v + e.resetPulses[i]!) };
}

function count(a: Uint8Array, pred: (v: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (pred(a[i]!)) n++;
  return n;
}

interface SwitchSetup { cfg: HardwareConfig; mapping: Mapping; poolSize: number; seed: number; progress: ProgressFn }

/** A fresh pool, A switched in under the strategy, then the switch to B; the pool is released afterwards. */
function runStrategy(st: Strategy, a: LoadedModel, b: LoadedModel, { cfg, mapping, poolSize, seed, progress }: SwitchSetup): StrategyRun {
  const mark = arena.mark();
  try {
    const pool = new CrossbarPool(cfg, { numCrossbars: poolSize, seed });
    const qmA = quantizeModel(a.model, cfg, a.samples, SAMPLES), qmB = quantizeModel(b.model, cfg, b.samples, SAMPLES);
    const opts = switchOptions(mapping);
    const sA = switchModel(pool, qmA, st.name, { ...opts, program: { onProgress: (d, t) => progress(d, t, `${st.label}: programming A`) } });
    const s = switchModel(pool, qmB, st.name, { ...opts, resident: sA.placement, program: { perCell: true, onProgress: (d, t) => progress(d, t, `${st.label}: switching to B`) } });
    progress(1, 1, `${st.label}: accuracy of B on the crossbars`);
    const acc = accuracyOf({ qm: qmB, engine: new CrossbarEngine(qmB, s.placement, pool, { seed }) }, b);
    const t = s.totals;
    const cellsTouched = count(s.touched, (v) => v !== 0), cellsTargeted = count(s.targets, (v) => v !== NO_TARGET);
    const row: ComparisonRow = {
      strategy: st.name, label: st.label, from: a.label, to: b.label, cycles: t.cycles, setPulses: t.setPulses, resetPulses: t.resetPulses,
      energyJ: t.energyJ, latencyS: s.latency.s, cellsTouched, cellsTargeted, failures: t.failures,
      crossbarsUsed: s.placement.crossbars, accuracyKind: acc.kind, accuracyIdeal: acc.ideal, accuracyAnalog: acc.analog,
      programACycles: sA.totals.cycles,
    };
    const metrics: Metric[] = [
      { label: 'strategy', value: `${st.label}: ${st.description}` },
      { label: 'switch', value: `${a.label} → ${b.label}` },
      { label: 'placement', value: `${s.placement.crossbars} crossbars (${s.placement.scheme})${s.blm ? `; BLM: ${s.blm.blocks} blocks onto ${s.blm.slots} slots, matching ${s.matchMs.toFixed(0)} ms` : ''}` },
      ...costMetrics(s.write.report, 'switch', { ...t, cellsTouched, cellsTargeted }, s.latency.s, s.erase ? '; the erase to HRS comes on top' : ''),
      accuracyMetric('model B after the switch:', acc),
      { label: 'before: programming A from reset', value: `${int(sA.totals.cycles)} cycles` },
    ];
    const maps = cyclesMaps(`Write-verify cycles per cell of the switch A → B (${st.label})`, pool, switchPerCell(s));
    return { row, maps: { ...maps, name: st.label }, metrics };
  } finally {
    arena.release(mark);
  }
}

/**
 * The pool every strategy starts from, as `ha3m switch --spare` sizes it: the largest model of the scenario × (1 +
 * spare), the scenario being A, B and their merged versions when they have them — whichever strategies run, so that
 * one strategy alone and all of them side by side start from the same pool.
 */
async function poolCrossbars(a: ModelInfo, b: ModelInfo, cfg: HardwareConfig, mapping: Mapping, spare: number): Promise<number> {
  const merged = a.merged && b.merged ? [await modelInfo(a.merged), await modelInfo(b.merged)] : [];
  const largest = Math.max(...[a, b, ...merged].map((m) => mapModel(m.layers, cfg, { xamm: mapping === 'xamm' }).crossbars));
  return Math.ceil((1 + spare) * largest - 1e-9);
}

export async function switchAction(p: Methods['switch']['params'], progress: ProgressFn): Promise<ActionResult> {
  const { hw, seed, mapping } = actionInputs(p);
  if (!Array.isArray(p.strategies) || p.strategies.length === 0) throw new Error('switch: choose at least one strategy');
  const infoA = await modelInfo(p.modelA), infoB = await modelInfo(p.modelB);
  const strategies: Strategy[] = [], pairs: [string, string][] = [], skipped: NonNullable<ActionResult['skipped']> = [];
  for (const st of p.strategies.map((n) => strategyOf(n))) {
    try {
      pairs.push(pairFor(st, infoA, infoB));
      strategies.push(st);
    } catch (e) {
      if (!p.skipUnavailable) throw e;
      skipped.push({ strategy: st.name, label: st.label, reason: (e as Error).message });
    }
  }
  const loaded = new Map<string, LoadedModel>();
  for (const id of new Set(pairs.flat())) loaded.set(id, await modelWithWeights(id, seed));
  for (const [a, b] of pairs) {
    const inA = loaded.get(a)!.model.inputShape.join('×'), inB = loaded.get(b)!.model.inputShape.join('×');
    if (inA !== inB) throw new Error(`model A takes ${inA} inputs but model B takes ${inB}; pick two models with the same input`);
  }
  const poolSize = await poolCrossbars(infoA, infoB, hw.cfg, mapping, hw.spare);
  arena.reset(); // the worker owns the arena: a new run releases the previous pools
  const setup: SwitchSetup = { cfg: hw.cfg, mapping, poolSize, seed, progress };
  const runs = strategies.map((st, i) => runStrategy(st, loaded.get(pairs[i]![0])!, loaded.get(pairs[i]![1])!, setup));
  const one = runs.length === 1 ? runs[0]! : null;
  return {
    header: header(one ? 'switch' : 'compare strategies', [infoA.label, infoB.label], p.hardware, hw, seed, mapping,
      { poolCrossbars: poolSize, ...(one ? { strategy: one.row.label } : {}) }),
    metrics: one ? one.metrics : [
      { label: 'pool', value: `${poolSize} crossbars (the largest model × (1 + ${hw.spare}))` },
      ...runs.map((r) => ({ label: r.row.label, value: `${int(r.row.cycles)} cycles; ${r.row.accuracyKind} of B ${(100 * r.row.accuracyIdeal).toFixed(1)} % ideal, ${(100 * r.row.accuracyAnalog).toFixed(1)} % analog`, hint: r.metrics[0]!.value })),
      ...skipped.map((x) => ({ label: x.label, value: `not run: ${x.reason}` })),
    ],
    skipped,
    config: hw.cfg,
    maps: runs.map((r) => r.maps),
    rows: runs.map((r) => r.row),
  };
}

// One phase of the scale bench (bench/scale.bench.ts), run in a child process: set up the pair, time the phase
// (wall and CPU), report the process's peak RSS.
import { initSync } from '../src/wasm/index.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { CrossbarPool } from '../src/hardware/pool.js';
import { loadModelFile } from '../src/mapping/load-node.js';
import { mapModel } from '../src/mapping/map.js';
import { sizeOf } from '../src/mapping/hostops.js';
import { quantizeModel, programModel, placementTargets } from '../src/inference/index.js';
import { NO_TARGET } from '../src/programming/program.js';
import { HostRng } from '../src/wasm/index.js';
import { switchModel } from '../src/scenario/index.js';
import { blmPlacement } from '../src/matching/blm.js';
import type { ScaleModel } from './scale-models.js';

export interface Job { model: ScaleModel; phase: string; dir: string; simulate: boolean }
export interface Row { model: string; phase: string; wallMs: number; cpuMs: number; peakMB: number; info: Record<string, unknown> }

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

export async function runPhase(job: Job): Promise<Row> {
  initSync();
  const cfg = resolveHardware({}, 'default');
  const [mA, mB] = [await loadModelFile(`${job.dir}/${job.model}-a/model.json`), await loadModelFile(`${job.dir}/${job.model}-b/model.json`)];
  // the programming cost depends on the weights alone: one calibration input
  const calib = (n: number) => { const r = new HostRng(7, 0); return Float32Array.from({ length: n }, () => r.uniform()); };
  const qmA = quantizeModel(mA, cfg, calib(sizeOf(mA.inputShape)), 1), qmB = quantizeModel(mB, cfg, calib(sizeOf(mB.inputShape)), 1);
  const row = (wallMs: number, cpuMs: number, info: Record<string, unknown>): Row =>
    ({ model: job.model, phase: job.phase, wallMs, cpuMs, peakMB: process.resourceUsage().maxRSS / 1024, info });
  if (job.phase === 'map') {
    const base = timed(() => mapModel(mB, cfg)), xamm = timed(() => mapModel(mB, cfg, { xamm: true }));
    return row(base.wallMs + xamm.wallMs, base.cpuMs + xamm.cpuMs, {
      baselineMs: Math.round(base.wallMs), xammMs: Math.round(xamm.wallMs), crossbars: base.value.crossbars, xammCrossbars: xamm.value.crossbars,
    });
  }
  const pA = mapModel(mA, cfg), pB = mapModel(mB, cfg);
  const pool = new CrossbarPool(cfg, { numCrossbars: Math.max(pA.crossbars, pB.crossbars) + 8, seed: 1 });
  if (job.phase === 'program') {
    const t = timed(() => switchModel(pool, qmA, 'diff'));
    return row(t.wallMs, t.cpuMs, { cells: pool.numCells, cycles: t.value.totals.cycles });
  }
  const m = /^blm (layer|global)( exact| k128)?$/.exec(job.phase);
  if (!m) throw new Error(`unknown phase ${job.phase}`);
  if (job.simulate) switchModel(pool, qmA, 'diff');
  else {
    // what programming A leaves in the level array, and all the matcher reads (with the fault map)
    const { targets } = placementTargets(qmA, pA, pool);
    const lv = pool.levels().view;
    for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET) lv[i] = targets[i]!;
  }
  const t = timed(() => blmPlacement(qmB, pool, { mode: m[1] as 'layer' | 'global', resident: pA, candidates: m[2] === ' exact' ? 'all' : m[2] === ' k128' ? 128 : 'auto' }));
  const r = t.value;
  const info: Record<string, unknown> = {
    blocks: r.blocks, slots: r.slots, candidates: r.candidates, expected: r.expectedCost, inPlace: r.inPlaceCost, usedInPlace: r.usedInPlace,
    matchMs: Math.round(r.matchMs), costMs: Math.round(r.costMs), assignMs: Math.round(r.assignMs), pricedPairs: r.pricedPairs, notes: r.notes,
  };
  if (job.simulate) info.cycles = programModel(qmB, r.placement, pool).report.totals.cycles;
  return row(t.wallMs, t.cpuMs, info);
}

// Pricing a programming operation with the expected-cost table instead of simulating every pulse (sweeps'
// --estimate mode). Cycles, pulses, reads and energy are sums of per-transition means, so they are unbiased for
// healthy cells; stuck cells are priced exactly as the kernel treats them (maxPulses and a failure, unless their
// stuck value is already in band). Row-parallel latency needs E[max] over a row's cells, approximated by
// mean + σ·√(2 ln k) over the k cells moving each way (an extreme-value estimate: its error is measured by
// bench/sweep.bench.ts). The pool is left as if programmed ideally: levels = targets, conductances at the level
// centres (stuck cells stay stuck), wear += the expected pulses rounded — so analog accuracy is not meaningful
// after an estimate and is not measured.
import type { HardwareConfig } from '../hardware/config.js';
import { CrossbarPool, FAULT_NONE, FAULT_STUCK_HRS, STATUS_UNVERIFIED, STATUS_VERIFIED } from '../hardware/pool.js';
import { deepMerge, validate } from '../hardware/resolve.js';
import { costTableKey, expectedCostTable } from '../programming/cost-table.js';
import { listSchedule } from '../programming/report.js';
import { NO_TARGET, programPool } from '../programming/program.js';
import { arena } from '../wasm/arena.js';

/** What programming a stuck cell to each level costs: [kind − 1][level] → per-cell means. */
interface StuckCosts { set: Float64Array[]; reset: Float64Array[]; reads: Float64Array[]; energy: Float64Array[]; failed: Float64Array[] }
const stuckCache = new Map<string, StuckCosts>();

/**
 * Stuck cells never move, so what a write-verify costs them depends only on the fault, the target level and the
 * scheme (amplitude ramps included): simulated once per configuration with the kernel itself, on all-stuck pools.
 */
export function stuckCellCosts(cfg: HardwareConfig): StuckCosts {
  const key = costTableKey(cfg, 0, 0, true);
  const hit = stuckCache.get(key);
  if (hit) return hit;
  const L = 2 ** cfg.cells.cellBits, perLevel = cfg.crossbar.cols; // one row per target level
  const out: StuckCosts = { set: [], reset: [], reads: [], energy: [], failed: [] };
  const mark = arena.mark();
  try {
    for (const [hrs, lrs] of [[1, 0], [0, 1]] as const) {
      const mc = validate(deepMerge(cfg, {
        crossbar: { rows: L, numCrossbars: 1 },
        device: { faults: { stuckHrsRate: hrs, stuckLrsRate: lrs } },
        programming: { initialState: 'hrs', crossbarsInParallel: 1 },
      }));
      const pool = new CrossbarPool(mc, { numCrossbars: 1, seed: 1 });
      const targets = Uint8Array.from({ length: pool.numCells }, (_, i) => Math.floor(i / perLevel));
      // a stuck cell already verified at its target is skipped; force the verify so every level is priced
      const { perCell } = programPool(pool, targets, { perCell: true, verifyAll: true });
      const st = pool.status().view;
      const m = { set: new Float64Array(L), reset: new Float64Array(L), reads: new Float64Array(L), energy: new Float64Array(L), failed: new Float64Array(L) };
      for (let i = 0; i < pool.numCells; i++) {
        const t = targets[i]!;
        m.set[t]! += perCell!.setPulses[i]! / perLevel; m.reset[t]! += perCell!.resetPulses[i]! / perLevel;
        m.reads[t]! += perCell!.verifyReads[i]! / perLevel; m.energy[t]! += perCell!.energyJ[i]! / perLevel;
        m.failed[t]! += (st[i] !== STATUS_VERIFIED ? 1 : 0) / perLevel;
      }
      out.set.push(m.set); out.reset.push(m.reset); out.reads.push(m.reads); out.energy.push(m.energy); out.failed.push(m.failed);
    }
  } finally {
    arena.release(mark);
  }
  if (stuckCache.size > 32) stuckCache.clear();
  stuckCache.set(key, out);
  return out;
}

/** What one programming operation cost (simulated or estimated): the fields a switch record needs. */
export interface OperationCost {
  totals: { cycles: number; setPulses: number; resetPulses: number; verifyReads: number; energyJ: number; failures: number };
  latencyS: number;
  latencyCellS: number;
  latencyRowS: number;
  /** Cycles per region id. */
  perRegionCycles: Map<number, number>;
  maxWear: number;
  switchesLeft: number;
  /** Marks the cells that got (or are expected to get) at least one pulse. */
  markTouched(touched: Uint8Array): void;
}

/** Prices `targets` on `pool` with the expected-cost table and applies them to the pool. */
export function estimateProgramming(pool: CrossbarPool, targets: Uint8Array, regions?: Int32Array): OperationCost {
  const cfg = pool.config;
  const p = cfg.programming;
  const table = expectedCostTable(cfg);
  const L = table.levels;
  const n = pool.numCells;
  if (targets.length !== n) throw new Error(`estimateProgramming: targets has ${targets.length} entries but the pool has ${n} cells`);
  const lv = pool.levels().view, g = pool.conductances().view, st = pool.status().view, ft = pool.faults().view, wr = pool.wear().view;
  const gMin = cfg.device.gMinUS, spacing = (cfg.device.gMaxUS - gMin) / (L - 1);
  const tPulse = p.tPulseS, tRead = p.tReadS, nReads = p.readsPerVerify;
  const stuckCosts = stuckCellCosts(cfg);
  const totals = { cycles: 0, setPulses: 0, resetPulses: 0, verifyReads: 0, energyJ: 0, failures: 0 };
  const perRegionCycles = new Map<number, number>();
  const rows = pool.rows, cols = pool.cols, nb = pool.numCrossbars;
  const cellS = new Float64Array(nb), rowS = new Float64Array(nb);
  const pulsed = new Uint8Array(n);
  let maxWear = 0, switchesLeft = Infinity;
  const endurance = cfg.device.enduranceCycles;
  for (let cb = 0; cb < nb; cb++) {
    for (let r = 0; r < rows; r++) {
      // per direction: max mean, mean σ, count — for the row's E[max pulses]
      let upMax = 0, upSig = 0, upN = 0, dnMax = 0, dnSig = 0, dnN = 0, checked = false;
      const base = (cb * rows + r) * cols;
      for (let c = 0; c < cols; c++) {
        const i = base + c;
        const t = targets[i]!;
        if (t === NO_TARGET) continue;
        if (t >= L) throw new Error(`estimateProgramming: target ${t} at cell ${i} is outside [0, ${L})`);
        const from = lv[i]!;
        const fault = ft[i]!;
        if (from === t && st[i] === STATUS_VERIFIED) continue; // verified at its level: costs nothing
        checked = true;
        let set: number, reset: number, reads: number, energy: number, sigma: number;
        if (fault !== FAULT_NONE) {
          const k = fault === FAULT_STUCK_HRS ? 0 : 1;
          set = stuckCosts.set[k]![t]!; reset = stuckCosts.reset[k]![t]!; reads = stuckCosts.reads[k]![t]!; energy = stuckCosts.energy[k]![t]!;
          const failed = stuckCosts.failed[k]![t]!;
          totals.failures += failed;
          sigma = 0;
          lv[i] = t; st[i] = failed >= 0.5 ? STATUS_UNVERIFIED : STATUS_VERIFIED;
        } else {
          const k = from * L + t;
          set = table.setMean[k]!; reset = table.resetMean[k]!; reads = table.readsMean[k]!; energy = table.energyMeanJ[k]!;
          sigma = table.std[k]!;
          totals.failures += table.failureRate[k]!;
          lv[i] = t; st[i] = STATUS_VERIFIED; g[i] = gMin + t * spacing;
        }
        const pulses = set + reset;
        totals.setPulses += set; totals.resetPulses += reset; totals.cycles += pulses; totals.verifyReads += reads; totals.energyJ += energy;
        cellS[cb] += pulses * tPulse + reads * tRead;
        if (regions) { const id = regions[i]!; if (id >= 0) perRegionCycles.set(id, (perRegionCycles.get(id) ?? 0) + pulses); }
        if (pulses > 0) {
          pulsed[i] = 1;
          const w = (wr[i] = wr[i]! + Math.round(pulses));
          if (w > maxWear) maxWear = w;
          const left = (endurance - w) / pulses;
          if (left < switchesLeft) switchesLeft = left;
          if (set >= reset) { if (pulses > upMax) upMax = pulses; upSig += sigma; upN++; }
          else { if (pulses > dnMax) dnMax = pulses; dnSig += sigma; dnN++; }
        }
      }
      if (!checked) continue;
      const eMax = (max: number, sig: number, k: number) => (k === 0 ? 0 : max + (k > 1 ? (sig / k) * Math.sqrt(2 * Math.log(k)) : 0));
      const steps = Math.min(p.maxPulses, eMax(upMax, upSig, upN)) + Math.min(p.maxPulses, eMax(dnMax, dnSig, dnN));
      rowS[cb] += steps * tPulse + (Math.min(p.maxPulses, Math.max(eMax(upMax, upSig, upN), eMax(dnMax, dnSig, dnN))) + 1) * nReads * tRead;
    }
  }
  for (let i = 0; i < n; i++) if (wr[i]! > maxWear) maxWear = wr[i]!;
  pool.opCounter++;
  const latencyCellS = listSchedule(cellS, p.crossbarsInParallel), latencyRowS = listSchedule(rowS, p.crossbarsInParallel);
  return {
    totals, latencyCellS, latencyRowS, latencyS: p.parallelism === 'row' ? latencyRowS : latencyCellS,
    perRegionCycles, maxWear, switchesLeft: switchesLeft === Infinity ? Infinity : Math.max(0, Math.floor(switchesLeft)),
    markTouched(touched) { for (let i = 0; i < n; i++) if (pulsed[i]) touched[i] = 1; },
  };
}

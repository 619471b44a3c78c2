// Pricing a programming operation with the expected-cost table instead of simulating every pulse (sweeps'
// --estimate mode). Cycles, pulses, reads and energy are sums of per-transition means, so they are unbiased for
// healthy cells; stuck cells are priced exactly as the kernel treats them (maxPulses and a failure, unless their
// stuck value is already in band). Row-parallel latency needs E[max] over a row's cells, approximated by
// mean + σ·√(2 ln k) over the k cells moving each way (an extreme-value estimate: its error is measured by
// bench/sweep.bench.ts). The pool is left as if programmed ideally: levels = targets, conductances at the level
// centres (stuck cells stay stuck), wear += the expected pulses rounded — so analog accuracy is not meaningful
// after an estimate and is not measured.
import type { CrossbarPool } from '../hardware/pool.js';
import { FAULT_NONE, FAULT_STUCK_HRS, STATUS_UNVERIFIED, STATUS_VERIFIED } from '../hardware/pool.js';
import { expectedCostTable } from '../programming/cost-table.js';
import { listSchedule } from '../programming/report.js';
import { NO_TARGET } from '../programming/program.js';

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
  const gMin = cfg.device.gMinUS, spacing = (cfg.device.gMaxUS - gMin) / (L - 1), tol = p.toleranceUS;
  const tPulse = p.tPulseS, tRead = p.tReadS, nReads = p.readsPerVerify;
  // energy per pulse of a stuck cell: the table's mean energy per pulse (reads included) of the full swing that way
  const perPulseE = (i: number, j: number) => {
    const k = i * L + j;
    const pulses = table.setMean[k]! + table.resetMean[k]!;
    return pulses > 0 ? table.energyMeanJ[k]! / pulses : 0;
  };
  const stuckUpE = perPulseE(0, L - 1), stuckDownE = perPulseE(L - 1, 0);
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
        const stuck = ft[i]! !== FAULT_NONE;
        if (!stuck && from === t && st[i] === STATUS_VERIFIED) continue; // verified at its level: costs nothing
        checked = true;
        let set: number, reset: number, reads: number, energy: number, sigma: number;
        if (stuck) {
          const gStuck = ft[i] === FAULT_STUCK_HRS ? cfg.device.gMinUS : cfg.device.gMaxUS;
          if (Math.abs(gStuck - (gMin + t * spacing)) <= tol) { set = 0; reset = 0; reads = nReads; energy = 0; }
          else {
            const up = gMin + t * spacing > gStuck;
            set = up ? p.maxPulses : 0; reset = up ? 0 : p.maxPulses;
            reads = (p.maxPulses + 1) * nReads; energy = p.maxPulses * (up ? stuckUpE : stuckDownE);
            totals.failures++;
          }
          sigma = 0;
          lv[i] = t; st[i] = STATUS_UNVERIFIED;
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

// Pricing a programming operation with the expected-cost table instead of simulating every pulse (sweeps'
// --estimate mode). Cycles, pulses, reads and energy are sums of per-transition means, so they are unbiased for
// healthy cells; stuck cells are priced exactly as the kernel treats them (maxPulses and a failure, unless their
// stuck value is already in band). Row-parallel latency needs E[max] over a row's cells: computed exactly for
// independent cells from the table's per-transition pulse-count distributions (error measured by
// bench/sweep.bench.ts). The pool is left as if programmed ideally: levels = targets, conductances at the level
// centres (stuck cells stay stuck), wear += the expected pulses rounded — so analog accuracy is not meaningful
// after an estimate and is not measured. Failures are drawn per cell (a seeded hash against the transition's
// failure rate) and leave the cell unverified, as the kernel does; the next operation prices an unverified cell
// with the table's retry statistics (a failed cell costs pulses again even when its target stays the same).
import type { CrossbarPool } from '../hardware/pool.js';
import { FAULT_NONE, FAULT_STUCK_HRS, STATUS_UNVERIFIED, STATUS_VERIFIED } from '../hardware/pool.js';
import { expectedCostTable } from '../programming/cost-table.js';
import { emptyTotals, listSchedule, type ProgramTotals } from '../programming/report.js';
import { NO_TARGET } from '../programming/program.js';
import { stuckCellCosts } from '../programming/stuck-costs.js';

/** What one programming operation cost (simulated or estimated): the fields a switch record needs. */
export interface OperationCost {
  /** Sums over cells (an estimate's are expectations; its latencyCellS / latencyRowS are unscheduled sums). */
  totals: ProgramTotals;
  /** Latency under the configured parallelism, with crossbarsInParallel crossbars programmed at once. */
  latencyS: number;
  latencyCellS: number;
  latencyRowS: number;
  /** Cycles per region id. */
  perRegionCycles: Map<number, number>;
  maxWear: number;
  switchesLeft: number;
}

/**
 * Prices `targets` on `pool` with the expected-cost table and applies them to the pool. `touched` (one byte per
 * cell), when given, gets a 1 for every cell expected to take at least one pulse.
 */
export function estimateProgramming(pool: CrossbarPool, targets: Uint8Array, regions?: Int32Array, touched?: Uint8Array): OperationCost {
  const cfg = pool.config;
  const p = cfg.programming;
  const table = expectedCostTable(cfg);
  const L = table.levels;
  const n = pool.numCells;
  if (targets.length !== n) throw new Error(`estimateProgramming: targets has ${targets.length} entries but the pool has ${n} cells`);
  const lv = pool.levels().view, g = pool.conductances().view, st = pool.status().view, ft = pool.faults().view, wr = pool.wear().view;
  const levelG = Array.from({ length: L }, (_, t) => pool.levelConductance(t));
  const tPulse = p.tPulseS, tRead = p.tReadS, nReads = p.readsPerVerify;
  const stuckCosts = stuckCellCosts(cfg);
  const totals = emptyTotals();
  const perRegionCycles = new Map<number, number>();
  const rows = pool.rows, cols = pool.cols, nb = pool.numCrossbars;
  const cellS = new Float64Array(nb), rowS = new Float64Array(nb);
  let maxWear = 0, switchesLeft = Infinity;
  const endurance = cfg.device.enduranceCycles;
  // E[max pulses] over a row's cells from the transitions' distributions: log P(max ≤ k) = Σ n_pair·log F_pair(k)
  const P = table.maxPulses + 1;
  // pair ids: from·L + to for verified cells, L² + from·L + to for unverified (failed) ones, priced by table.retry
  const LL = L * L;
  const logCdf = new Float64Array(2 * LL * P);
  for (let x = 0; x < LL * P; x++) { logCdf[x] = Math.log(table.cdf[x]!); logCdf[LL * P + x] = Math.log(table.retry.cdf[x]!); }
  const stats = (pair: number) => (pair < LL ? table : table.retry);
  // the distributions change only at a few pulse counts (the long flat tail up to maxPulses holds the rare failures):
  // E[max] sums 1 − P(max ≤ k) over k, constant between those counts, so it is summed per segment
  const starts: number[] = [0];
  for (let k = 1; k < P - 1; k++) {
    for (let pr = 0; pr < 2 * LL; pr++) if (logCdf[pr * P + k] !== logCdf[pr * P + k - 1]) { starts.push(k); break; }
  }
  starts.push(P - 1);
  const upCount = new Int32Array(2 * LL), dnCount = new Int32Array(2 * LL);
  const seed = (pool.seed ^ Math.floor(pool.seed / 4294967296)) >>> 0, op = pool.opCounter >>> 0;
  const upPairs: number[] = [], dnPairs: number[] = [];
  const expectedMax = (groups: Array<[number[], Int32Array]>, stuckPulses: number): number => {
    const floor = Math.round(stuckPulses); // a stuck cell's (mean) pulse count, as a whole step count
    let sum = Math.min(floor, P - 1); // below a stuck cell's fixed count the row is surely still pulsing
    for (let i = 0; i + 1 < starts.length; i++) {
      const a = Math.max(starts[i]!, floor), b = starts[i + 1]!;
      if (a >= b) continue;
      let lp = 0;
      for (const [pairs, count] of groups) for (const pr of pairs) lp += count[pr]! * logCdf[pr * P + a]!;
      if (lp === 0) break; // every cell is done by a
      sum += (b - a) * (1 - Math.exp(lp));
    }
    return sum;
  };
  for (let cb = 0; cb < nb; cb++) {
    for (let r = 0; r < rows; r++) {
      // stuck cells' pulse counts are fixed: they floor the row's maxima
      let stuckUp = 0, stuckDn = 0, checked = false;
      const base = (cb * rows + r) * cols;
      for (let c = 0; c < cols; c++) {
        const i = base + c;
        const t = targets[i]!;
        if (t === NO_TARGET) continue;
        if (t >= L) throw new Error(`estimateProgramming: target ${t} at cell ${i} is outside [0, ${L})`);
        totals.cellsTargeted++;
        const from = lv[i]!;
        const fault = ft[i]!;
        if (from === t && st[i] === STATUS_VERIFIED) continue; // verified at its level: costs nothing
        checked = true;
        totals.cellsChecked++;
        let set: number, reset: number, reads: number, energy: number;
        if (fault !== FAULT_NONE) {
          const k = fault === FAULT_STUCK_HRS ? 0 : 1;
          set = stuckCosts.set[k]![t]!; reset = stuckCosts.reset[k]![t]!; reads = stuckCosts.reads[k]![t]!; energy = stuckCosts.energy[k]![t]!;
          const failed = stuckCosts.failed[k]![t]!;
          totals.failures += failed;
          if (set >= reset) stuckUp = Math.max(stuckUp, set + reset); else stuckDn = Math.max(stuckDn, set + reset);
          lv[i] = t; st[i] = failed >= 0.5 ? STATUS_UNVERIFIED : STATUS_VERIFIED;
        } else {
          const retry = st[i] !== STATUS_VERIFIED;
          const k = from * L + t, pair = retry ? LL + k : k, tab = stats(pair);
          set = tab.setMean[k]!; reset = tab.resetMean[k]!; reads = tab.readsMean[k]!; energy = tab.energyMeanJ[k]!;
          const rate = tab.failureRate[k]!;
          totals.failures += rate;
          const up = t > from || (t === from && set >= reset);
          if (up) { if (upCount[pair]++ === 0) upPairs.push(pair); } else if (dnCount[pair]++ === 0) dnPairs.push(pair);
          lv[i] = t; st[i] = rate > 0 && cellUniform(seed, op, i) < rate ? STATUS_UNVERIFIED : STATUS_VERIFIED; g[i] = levelG[t]!;
        }
        const pulses = set + reset;
        totals.setPulses += set; totals.resetPulses += reset; totals.cycles += pulses; totals.verifyReads += reads; totals.energyJ += energy;
        cellS[cb] += pulses * tPulse + reads * tRead;
        if (regions) { const id = regions[i]!; if (id >= 0) perRegionCycles.set(id, (perRegionCycles.get(id) ?? 0) + pulses); }
        if (pulses > 0) {
          totals.cellsTouched++;
          if (touched) touched[i] = 1;
          const w = (wr[i] = wr[i]! + Math.round(pulses));
          if (w > maxWear) maxWear = w;
          const left = (endurance - w) / pulses;
          if (left < switchesLeft) switchesLeft = left;
        }
      }
      if (!checked) continue;
      // row mode (DESIGN §2.1): a SET step while any cell still moves up, a RESET step while any moves down, one
      // verify round per step of the slowest cell (+ the first verify)
      const up = expectedMax([[upPairs, upCount]], stuckUp), down = expectedMax([[dnPairs, dnCount]], stuckDn);
      const all = expectedMax([[upPairs, upCount], [dnPairs, dnCount]], Math.max(stuckUp, stuckDn));
      rowS[cb] += (up + down) * tPulse + (all + 1) * nReads * tRead;
      for (const pr of upPairs) upCount[pr] = 0;
      for (const pr of dnPairs) dnCount[pr] = 0;
      upPairs.length = 0; dnPairs.length = 0;
    }
  }
  for (let i = 0; i < n; i++) if (wr[i]! > maxWear) maxWear = wr[i]!;
  for (let cb = 0; cb < nb; cb++) { totals.latencyCellS += cellS[cb]!; totals.latencyRowS += rowS[cb]!; }
  pool.opCounter++;
  const latencyCellS = listSchedule(cellS, p.crossbarsInParallel), latencyRowS = listSchedule(rowS, p.crossbarsInParallel);
  return {
    totals, latencyCellS, latencyRowS, latencyS: p.parallelism === 'row' ? latencyRowS : latencyCellS,
    perRegionCycles, maxWear, switchesLeft: switchesLeft === Infinity ? Infinity : Math.max(0, Math.floor(switchesLeft)),
  };
}

/** A uniform draw in [0, 1) fixed by (seed, operation, cell): which cells an estimate lets fail (murmur3-style mix). */
export function cellUniform(seed: number, op: number, cell: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ op;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) ^ cell;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

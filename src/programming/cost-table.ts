// Expected-cost table E[cycles | level i → level j] and its spread, by Monte Carlo with a fixed seed (DESIGN §2.1,
// §3.2). BLM prices a placement with it instead of simulating it.
//
//   const t = expectedCostTable(cfg);              // cached per (device, cellBits, programming, samples, seed)
//   t.levels                                       // L = 2^cellBits
//   t.mean[i * t.levels + j]                       // expected write-verify cycles to turn a cell at level i into j
//   t.std[i * t.levels + j]                        // their standard deviation across cells
//   t.mean[i * L + i] === 0                        // a cell already at its level costs nothing (exactly 0)
//
// How: `samples` healthy cells per (i, j) pair are first programmed from the reset state to level i (so they start
// from the conductance spread a real verified cell has), then to level j; the table holds the mean and std of the
// second operation's pulses per cell. Faults are excluded by default (a stuck cell costs maxPulses whatever the
// placement; pass includeFaults to fold them in). Uses the wasm kernel and temporary arena memory.
import type { HardwareConfig } from '../hardware/config.js';
import { deepMerge, validate } from '../hardware/resolve.js';
import { CrossbarPool } from '../hardware/pool.js';
import { arena } from '../wasm/arena.js';
import { programPool } from './program.js';

export interface CostTableOptions {
  /** Cells simulated per (from, to) pair (default 2048). */
  samples?: number;
  /** Monte Carlo seed (default 0x5eed). */
  seed?: number;
  /** Keep the device's stuck-at rates (default false: healthy cells). */
  includeFaults?: boolean;
}

export interface ExpectedCostTable {
  levels: number;
  /** Row-major L × L: mean[i·L + j] = E[cycles | i → j]. */
  mean: Float32Array;
  /** Row-major L × L: standard deviation of the cycles. */
  std: Float32Array;
  /** Row-major L × L: fraction of the simulated cells that failed (hit maxPulses) going i → j. */
  failureRate: Float32Array;
  /** Row-major L × L means per cell of the other costs (estimates of energy and latency price with them). */
  setMean: Float32Array;
  resetMean: Float32Array;
  readsMean: Float32Array;
  energyMeanJ: Float32Array;
  /**
   * Pulse-count distribution per transition: cdf[(i·L + j)·(maxPulses + 1) + k] = P(cycles ≤ k | i → j); estimates
   * of row-parallel latency need E[max] over a row's cells, which means alone cannot give.
   */
  cdf: Float32Array;
  /**
   * The same statistics for a cell whose last operation failed (hit maxPulses short of level i, left unverified) and
   * is now programmed to j — j = i included: such a cell is off its band and costs pulses again. Estimates of a
   * switch that follows one with failures price those cells with these (a simulation re-programs them).
   */
  retry: RetryStats;
  maxPulses: number;
  samples: number;
  seed: number;
  key: string;
}

export interface RetryStats {
  mean: Float32Array;
  failureRate: Float32Array;
  setMean: Float32Array;
  resetMean: Float32Array;
  readsMean: Float32Array;
  energyMeanJ: Float32Array;
  cdf: Float32Array;
  /** Failed cells behind each entry (0: no cell failed on the way to i; the entry falls back, see below). */
  cells: Int32Array;
}

const cache = new Map<string, ExpectedCostTable>();

/** The cache key: every field that changes the cycle counts. */
export function costTableKey(cfg: HardwareConfig, samples: number, seed: number, includeFaults: boolean): string {
  // every programming field changes pulses, reads or energy, except how cells and crossbars are scheduled (latency
  // only) and the fresh state (the table programs from reset itself)
  const { parallelism: _p, crossbarsInParallel: _c, initialState: _i, ...programming } = cfg.programming;
  const { name: _n, source: _s, ...device } = cfg.device;
  return JSON.stringify({
    device, cellBits: cfg.cells.cellBits, programming,
    samples, seed, includeFaults,
  });
}

export function expectedCostTable(cfg: HardwareConfig, opts: CostTableOptions = {}): ExpectedCostTable {
  const samples = opts.samples ?? 2048;
  const seed = opts.seed ?? 0x5eed;
  const includeFaults = opts.includeFaults ?? false;
  if (!Number.isInteger(samples) || samples < 1 || samples > 1 << 20) {
    throw new Error(`expectedCostTable: samples must be an integer in [1, 1048576], got ${samples}`);
  }
  const key = costTableKey(cfg, samples, seed, includeFaults);
  const hit = cache.get(key);
  if (hit) return hit;

  const L = 2 ** cfg.cells.cellBits;
  const cols = 256;
  const rows = Math.ceil(samples / cols);
  const mc = validate(deepMerge(cfg, {
    crossbar: { rows, cols, numCrossbars: L * L },
    device: includeFaults ? {} : { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } },
    programming: { initialState: 'hrs' },
  }));
  const mark = arena.mark();
  try {
    const pool = new CrossbarPool(mc, { numCrossbars: L * L, seed });
    const cpc = pool.cellsPerCrossbar;
    const from = new Uint8Array(pool.numCells);
    const to = new Uint8Array(pool.numCells);
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const cb = i * L + j;
        // only the first `samples` cells of each crossbar take part
        from.fill(255, cb * cpc, (cb + 1) * cpc);
        to.fill(255, cb * cpc, (cb + 1) * cpc);
        from.fill(i, cb * cpc, cb * cpc + samples);
        to.fill(j, cb * cpc, cb * cpc + samples);
      }
    }
    programPool(pool, from, { perCell: false });
    const failedFirst = pool.status().view.slice(); // cells that failed on the way to i (unverified)
    const { perCell } = programPool(pool, to, { perCell: true });
    const mean = new Float32Array(L * L), std = new Float32Array(L * L), failureRate = new Float32Array(L * L);
    const setMean = new Float32Array(L * L), resetMean = new Float32Array(L * L), readsMean = new Float32Array(L * L);
    const energyMeanJ = new Float32Array(L * L);
    const P = mc.programming.maxPulses + 1;
    const cdf = new Float32Array(L * L * P);
    for (let i = 0; i < L; i++) cdf.fill(1, (i * L + i) * P, (i * L + i + 1) * P); // i → i costs exactly 0
    const st = pool.status().view;
    for (let cb = 0; cb < L * L; cb++) {
      if (Math.floor(cb / L) === cb % L) continue; // i → i: exactly 0
      let s = 0, s2 = 0, f = 0, ns = 0, nr = 0, rd = 0, e = 0;
      const hist = new Float64Array(P);
      for (let c = cb * cpc; c < cb * cpc + samples; c++) {
        const x = perCell!.setPulses[c]! + perCell!.resetPulses[c]!;
        s += x; s2 += x * x;
        ns += perCell!.setPulses[c]!; nr += perCell!.resetPulses[c]!; rd += perCell!.verifyReads[c]!; e += perCell!.energyJ[c]!;
        hist[Math.min(x, P - 1)]!++;
        if (st[c] !== 0) f++;
      }
      const m = s / samples;
      mean[cb] = m;
      setMean[cb] = ns / samples; resetMean[cb] = nr / samples; readsMean[cb] = rd / samples; energyMeanJ[cb] = e / samples;
      for (let k = 0, acc = 0; k < P; k++) { acc += hist[k]!; cdf[cb * P + k] = acc / samples; }
      std[cb] = samples > 1 ? Math.sqrt(Math.max(0, (s2 - samples * m * m) / (samples - 1))) : 0;
      failureRate[cb] = f / samples;
    }
    // a third pass sends every cell to its level j again: the ones that failed the second pass retry j → j
    const failedSecond = st.slice();
    const third = programPool(pool, to, { perCell: true }).perCell!;
    const retry = retryStats(L, P, samples, cpc, [
      { failed: failedFirst, costs: perCell!, status: failedSecond, entry: (i, j) => i * L + j },
      { failed: failedSecond, costs: third, status: st, entry: (_i, j) => j * L + j },
    ], { mean, failureRate, setMean, resetMean, readsMean, energyMeanJ, cdf });
    const table: ExpectedCostTable = { levels: L, mean, std, failureRate, setMean, resetMean, readsMean, energyMeanJ, cdf, retry, maxPulses: P - 1, samples, seed, key };
    if (cache.size > 32) cache.clear();
    cache.set(key, table);
    return table;
  } finally {
    arena.release(mark);
  }
}

interface RetryPass {
  /** Cells that failed the pass before (status after it). */
  failed: Uint8Array;
  /** This pass's per-cell counts. */
  costs: { setPulses: Uint32Array; resetPulses: Uint32Array; verifyReads: Uint32Array; energyJ: Float32Array };
  /** Status after this pass (≠ 0: failed again). */
  status: Uint8Array;
  /** The retry entry a cell of crossbar (i → j) informs. */
  entry: (i: number, j: number) => number;
}

/**
 * Statistics of a pass over the cells that failed the pass before: the second pass (i → j after a failed reset → i)
 * and, for i → i entries the second pass leaves empty, the third (j → j after a failed i → j). Entries with no such
 * cell at all fall back: i → j (j ≠ i) to the healthy
 * i → j entry; i → i to the average of the other levels' k → i entries (a failed cell sits somewhere off level i, as
 * a cell arriving from another level does).
 */
function retryStats(L: number, P: number, samples: number, cpc: number, passes: RetryPass[], healthy: Omit<RetryStats, 'cells'>): RetryStats {
  const n = L * L;
  const r: RetryStats = {
    mean: new Float32Array(n), failureRate: new Float32Array(n), setMean: new Float32Array(n), resetMean: new Float32Array(n),
    readsMean: new Float32Array(n), energyMeanJ: new Float32Array(n), cdf: new Float32Array(n * P), cells: new Int32Array(n),
  };
  const hist = new Float64Array(n * P);
  for (const pass of passes) {
    const c0 = pass.costs;
    const filled = r.cells.slice(); // an earlier pass's data wins: a later one only fills entries it left empty
    for (let cb = 0; cb < n; cb++) {
      const e = pass.entry(Math.floor(cb / L), cb % L);
      if (filled[e]! > 0) continue;
      for (let c = cb * cpc; c < cb * cpc + samples; c++) {
        if (pass.failed[c] === 0) continue;
        const x = c0.setPulses[c]! + c0.resetPulses[c]!;
        r.cells[e]++; r.mean[e] += x; r.setMean[e] += c0.setPulses[c]!; r.resetMean[e] += c0.resetPulses[c]!;
        r.readsMean[e] += c0.verifyReads[c]!; r.energyMeanJ[e] += c0.energyJ[c]!;
        hist[e * P + Math.min(x, P - 1)]!++;
        if (pass.status[c] !== 0) r.failureRate[e]++;
      }
    }
  }
  const fields = ['mean', 'failureRate', 'setMean', 'resetMean', 'readsMean', 'energyMeanJ'] as const;
  for (let e = 0; e < n; e++) {
    const cnt = r.cells[e]!;
    if (cnt === 0) continue;
    for (const fld of fields) r[fld][e] = r[fld][e]! / cnt;
    for (let k = 0, acc = 0; k < P; k++) { acc += hist[e * P + k]!; r.cdf[e * P + k] = acc / cnt; }
  }
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const e = i * L + j;
      if (r.cells[e]! > 0) continue;
      const from = i !== j ? [e] : Array.from({ length: L - 1 }, (_, k) => (k < i ? k : k + 1) * L + j);
      for (const fld of fields) r[fld][e] = from.reduce((a, x) => a + healthy[fld][x]!, 0) / from.length;
      for (let k = 0; k < P; k++) r.cdf[e * P + k] = from.reduce((a, x) => a + healthy.cdf[x * P + k]!, 0) / from.length;
    }
  }
  return r;
}

/** Drops cached tables (tests). */
export function clearCostTableCache(): void { cache.clear(); }

// ProgramReport: what one programming operation cost (DESIGN §2.1), built from the kernel's per-cell counts.
//
// Accumulator: feed chunks of per-cell outputs (addChunk), then finish(). Totals are summed in a fixed order
// (cell index order), so they are deterministic and equal to the sums of the per-cell arrays.
import type { HardwareConfig } from '../hardware/config.js';

export interface ProgramTotals {
  /** Cells with a target (not the 255 sentinel). */
  cellsTargeted: number;
  /** Targeted cells that were verified (read at least once); the others were skipped as already programmed. */
  cellsChecked: number;
  /** Cells that got at least one pulse. */
  cellsTouched: number;
  /** Programming cycles = write-verify iterations = SET + RESET pulses (the headline metric). */
  cycles: number;
  setPulses: number;
  resetPulses: number;
  verifyReads: number;
  energyJ: number;
  /** Cells that hit maxPulses without verifying in band. */
  failures: number;
  /** Cell-serial latency (Σ per cell pulses·tPulse + reads·tRead), s. */
  latencyCellS: number;
  /** Row-parallel latency (Σ per row), s. */
  latencyRowS: number;
}

export interface PulseDistribution {
  /** histogram[k] = targeted cells that took k pulses (length maxPulses + 1). */
  histogram: number[];
  cells: number;
  mean: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  /** Mean over cells that got at least one pulse. */
  meanTouched: number;
  /** failures / cells checked. */
  failureRate: number;
  /** Checked cells whose true conductance ended inside the band (read noise can make a verify lie). */
  inBandRate: number;
}

export interface WearSummary {
  enduranceCycles: number;
  /** Largest cumulative pulse count of any cell of the pool (after this operation). */
  maxWear: number;
  /** Mean cumulative pulses over the pool's cells. */
  meanWear: number;
  /** Cells at or past the endurance budget. */
  cellsWornOut: number;
  /** endurance − maxWear. */
  remainingCycles: number;
  /**
   * Lifetime in switches: how many more operations like this one the pool survives before its first cell reaches
   * the endurance budget (min over touched cells of (endurance − wear)/pulses this operation). Infinity when no
   * cell was pulsed.
   */
  switchesLeft: number;
}

export interface ProgramReport {
  ok: boolean;
  scheme: HardwareConfig['programming']['scheme'];
  opCounter: number;
  seed: number;
  totals: ProgramTotals;
  /** Latency under the configured parallelism (cell|row) with crossbarsInParallel crossbars programmed at once. */
  latencyS: number;
  latencyCellS: number;
  latencyRowS: number;
  parallelism: 'cell' | 'row';
  crossbarsInParallel: number;
  perCrossbar: {
    cycles: Float64Array; setPulses: Float64Array; resetPulses: Float64Array; verifyReads: Float64Array;
    energyJ: Float64Array; failures: Float64Array; cellsTouched: Float64Array; latencyCellS: Float64Array;
    latencyRowS: Float64Array;
  };
  /** Totals per region id (only when regions were given). */
  perRegion: Map<number, ProgramTotals>;
  distribution: PulseDistribution;
  failures: { count: number; cells: Uint32Array };
  wear: WearSummary;
  warnings: string[];
}

export function emptyTotals(): ProgramTotals {
  return { cellsTargeted: 0, cellsChecked: 0, cellsTouched: 0, cycles: 0, setPulses: 0, resetPulses: 0,
    verifyReads: 0, energyJ: 0, failures: 0, latencyCellS: 0, latencyRowS: 0 };
}

/** Percentile (nearest rank, p in (0, 1]) from an integer histogram. */
export function histogramQuantile(hist: ArrayLike<number>, total: number, p: number): number {
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * total));
  let acc = 0;
  for (let k = 0; k < hist.length; k++) {
    acc += hist[k]!;
    if (acc >= rank) return k;
  }
  return hist.length - 1;
}

/** Makespan of jobs (in index order) list-scheduled on `lanes` identical channels: each job takes the first free one. */
export function listSchedule(durations: ArrayLike<number>, lanes: number): number {
  const n = durations.length;
  if (lanes <= 1) { let s = 0; for (let i = 0; i < n; i++) s += durations[i]!; return s; }
  const heap: number[] = [];
  const push = (v: number): void => {
    heap.push(v);
    let i = heap.length - 1;
    while (i > 0) { const p = (i - 1) >> 1; if (heap[p]! <= heap[i]!) break; [heap[p], heap[i]] = [heap[i]!, heap[p]!]; i = p; }
  };
  const pop = (): number => {
    const top = heap[0]!; const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last; let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1; let m = i;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === i) break; [heap[m], heap[i]] = [heap[i]!, heap[m]!]; i = m;
      }
    }
    return top;
  };
  let makespan = 0;
  for (let i = 0; i < n; i++) {
    const d = durations[i]!;
    if (d <= 0) continue;
    const start = heap.length < lanes ? 0 : pop();
    const end = start + d;
    push(end);
    if (end > makespan) makespan = end;
  }
  return makespan;
}

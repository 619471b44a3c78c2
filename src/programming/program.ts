// Write-verify driver (DESIGN §2.1): validates a programming operation, runs the wasm kernel (or its TS reference)
// over the pool chunk by chunk, updates the pool state, and sums the per-cell counts into a ProgramReport.
//
//   const pool = new CrossbarPool(cfg, { numCrossbars: 4, seed: 1 });
//   const targets = new Uint8Array(pool.numCells).fill(NO_TARGET);   // 255 = leave the cell alone
//   targets.fill(2, 0, 128);                                          // program the first row of crossbar 0 to level 2
//   const { report, perCell } = programPool(pool, targets, { regions: [{ id: 7, start: 0, end: 128 }] });
//   report.totals.cycles, report.latencyS, report.distribution.p90, report.failures.cells ...
//
// Randomness: crossbar c of operation k keys its cells' generators with stream streamId(programming, c, k) of the
// pool's seed, one xoshiro128** per cell (layout: src/wasm/rng.ts, assembly/program.ts), so results do not depend
// on chunking, SIMD lanes or scheduling. pool.opCounter counts operations.
import type { DeepPartial, HardwareConfig } from '../hardware/config.js';
import { deepMerge, validate } from '../hardware/resolve.js';
import type { CrossbarPool } from '../hardware/pool.js';
import { arena, WasmArray } from '../wasm/arena.js';
import { reference, resolveBackend, wasmKernels, type Backend } from '../wasm/index.js';
import { StreamPurpose, streamId } from '../wasm/rng.js';
import { buildParams, buildTables, programFlagsBytes, PROGRAM_SCRATCH_BYTES, SUMMARY_FIELDS } from './tables.js';
import { landingWarning } from './landing.js';
import {
  emptyTotals, histogramQuantile, listSchedule, type ProgramReport, type ProgramTotals,
} from './report.js';

export const NO_TARGET = 255;

export type RegionSpec = Int32Array | ReadonlyArray<{ id: number; start: number; end: number }>;

export interface ProgramOptions {
  /** Overrides of the programming section for this operation (e.g. { scheme: 'fppv' }). */
  programming?: DeepPartial<HardwareConfig['programming']>;
  /** Region id per physical cell (Int32Array, length = pool cells; negative = no region), or cell index ranges. */
  regions?: RegionSpec;
  /** Return per-cell SET/RESET/read counts and energy (default: when the pool has ≤ 16 M cells). */
  perCell?: boolean;
  /** Also verify cells whose target equals their verified level (default false: they cost nothing). */
  verifyAll?: boolean;
  /** 'wasm' (default) or the kernel's TS twin (slow; for tests and benches). */
  backend?: Backend;
  /** Cells per kernel call (rounded to whole crossbars); default 4 M. */
  chunkCells?: number;
  onProgress?: (doneCells: number, totalCells: number) => void;
  /** Called with each warning (they are also listed in report.warnings). Default: none. */
  onWarning?: (message: string) => void;
}

export interface PerCellCounts {
  setPulses: Uint32Array;
  resetPulses: Uint32Array;
  verifyReads: Uint32Array;
  energyJ: Float32Array;
}

export interface ProgramResult {
  report: ProgramReport;
  perCell?: PerCellCounts;
}

/** Checks a programming config against the device; throws on impossible settings, returns warnings. */
export function checkProgramming(cfg: HardwareConfig): string[] {
  const p = cfg.programming, d = cfg.device;
  const L = 2 ** cfg.cells.cellBits;
  const spacing = (d.gMaxUS - d.gMinUS) / (L - 1);
  if (!Number.isInteger(p.maxPulses) || p.maxPulses <= 0) {
    throw new Error(`programming.maxPulses must be a positive integer (got ${p.maxPulses}); a cell needs at least one pulse to move`);
  }
  if (!(p.toleranceUS > 0)) throw new Error(`programming.toleranceUS must be positive (got ${p.toleranceUS})`);
  if (p.toleranceUS >= spacing / 2) {
    throw new Error(`programming.toleranceUS (${p.toleranceUS} µS) must be below half the level spacing (${(spacing / 2).toFixed(3)} µS), ` +
      'or adjacent levels overlap; narrow the band or use fewer bits per cell');
  }
  const warnings: string[] = [];
  const floor = (d.readNoise.relative * d.gMaxUS + d.readNoise.absoluteUS) / Math.sqrt(p.readsPerVerify);
  if (p.toleranceUS < floor) {
    warnings.push(`programming.toleranceUS (${p.toleranceUS} µS) is below the read-noise floor (σ ≈ ${floor.toFixed(3)} µS at gMax ` +
      `with ${p.readsPerVerify} read(s) per verify): the verify loop cannot converge reliably; widen the band or raise readsPerVerify`);
  }
  const landing = landingWarning(cfg);
  if (landing) warnings.push(landing);
  return warnings;
}

function effectiveConfig(pool: CrossbarPool, over?: DeepPartial<HardwareConfig['programming']>): HardwareConfig {
  if (!over) return pool.config;
  return validate(deepMerge(pool.config, { programming: over }));
}

function checkTargets(targets: Uint8Array, n: number, L: number): void {
  if (targets.length !== n) {
    throw new Error(`targets has ${targets.length} entries but the pool has ${n} cells; pass one level per physical cell ` +
      `(index (crossbar·rows + row)·cols + col), ${NO_TARGET} for cells to leave alone`);
  }
  const bad = (i: number): never => {
    throw new Error(`targets[${i}] = ${targets[i]} is not a level: levels are integers in [0, ${L - 1}] for ${Math.log2(L)}-bit cells ` +
      `(${NO_TARGET} = leave the cell alone)`);
  };
  // L is a power of two: four targets at a time are all levels when no byte has a bit at or above L; only words
  // with such a bit (NO_TARGET or a bad value) are checked byte by byte
  let i = 0;
  if (targets.byteOffset % 4 === 0 && L <= 256) {
    const high = Math.imul((~(L - 1)) & 0xff, 0x01010101);
    const words = new Uint32Array(targets.buffer, targets.byteOffset, n >>> 2);
    for (let k = 0; k < words.length; k++) {
      if ((words[k]! & high) === 0) continue;
      for (let j = 4 * k; j < 4 * k + 4; j++) { const t = targets[j]!; if (t >= L && t !== NO_TARGET) bad(j); }
    }
    i = 4 * words.length;
  }
  for (; i < n; i++) { const t = targets[i]!; if (t >= L && t !== NO_TARGET) bad(i); }
}

/** Max, sum and count at or above `endurance` of the wear counters (the sum is exact below 2^53, as f64 sums are). */
function wearStats(wv: Uint32Array, endurance: number): { maxWear: number; sumWear: number; worn: number } {
  let maxWear = 0, sumWear = 0, worn = 0;
  for (let i = 0; i < wv.length; i++) {
    const w = wv[i]!;
    sumWear += w;
    if (w > maxWear) maxWear = w;
    if (w >= endurance) worn++;
  }
  return { maxWear, sumWear, worn };
}

/** Programs the pool to `targets` (one u8 per physical cell; 255 = not part of this operation). */
export function programPool(pool: CrossbarPool, targets: Uint8Array | WasmArray<'u8'>, opts: ProgramOptions = {}): ProgramResult {
  const cfg = effectiveConfig(pool, opts.programming);
  const warnings = checkProgramming(cfg);
  for (const w of warnings) opts.onWarning?.(w);
  const L = 2 ** cfg.cells.cellBits;
  const n = pool.numCells;
  const tJs = targets instanceof WasmArray ? null : targets;
  checkTargets(tJs ?? (targets as WasmArray<'u8'>).view, n, L);
  const regions = opts.regions;
  if (regions instanceof Int32Array && regions.length !== n) {
    throw new Error(`regions has ${regions.length} entries but the pool has ${n} cells; pass one region id per cell or a list of { id, start, end } ranges`);
  }
  if (regions && !(regions instanceof Int32Array)) {
    for (const r of regions) {
      if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.end <= n && r.start <= r.end)) {
        throw new Error(`region ${r.id}: range [${r.start}, ${r.end}) is not inside the pool's cells [0, ${n})`);
      }
    }
  }
  const p = cfg.programming;
  const rows = pool.rows, cols = pool.cols, cpc = pool.cellsPerCrossbar;
  const chunkCb = Math.max(1, Math.min(pool.numCrossbars, Math.floor((opts.chunkCells ?? 4 * 2 ** 20) / cpc)));
  const wantPerCell = opts.perCell ?? n <= 16 * 2 ** 20;
  const perCell: PerCellCounts | undefined = wantPerCell ? {
    setPulses: new Uint32Array(n), resetPulses: new Uint32Array(n), verifyReads: new Uint32Array(n), energyJ: new Float32Array(n),
  } : undefined;
  const op = pool.opCounter;
  const prm = buildParams(cfg, { seed: pool.seed, verifyAll: opts.verifyAll });
  const tab = buildTables(cfg);
  const useRef = resolveBackend(opts.backend, 'programPool') === 'reference';
  const kernels = wasmKernels('program');
  const nb = pool.numCrossbars;
  const per = {
    cycles: new Float64Array(nb), setPulses: new Float64Array(nb), resetPulses: new Float64Array(nb),
    verifyReads: new Float64Array(nb), energyJ: new Float64Array(nb), failures: new Float64Array(nb),
    cellsTouched: new Float64Array(nb), latencyCellS: new Float64Array(nb), latencyRowS: new Float64Array(nb),
  };
  const totals = emptyTotals();
  const hist = new Float64Array(p.maxPulses + 1);
  const failedCells: number[] = [];
  const regionTotals = new Map<number, ProgramTotals>();
  let inBand = 0;
  let switchesLeft = Infinity;
  const tPulse = p.tPulseS, tRead = p.tReadS, nReads = p.readsPerVerify;
  const gMin = cfg.device.gMinUS, spacing = (cfg.device.gMaxUS - gMin) / (L - 1), tol = p.toleranceUS;
  const endurance = cfg.device.enduranceCycles;
  const gLevel = Float64Array.from({ length: L }, (_, l) => gMin + l * spacing);

  arena.scoped((a) => {
    const prmW = a.from('f64', prm);
    const tabW = a.from('f32', tab);
    const chunkCells = chunkCb * cpc;
    // not zeroed (false): the kernel initialises its flags and scratch and writes every cell's counts and every
    // row's latency; programSummary writes its sums and the failed list; targets and streams are set per chunk
    const streamsW = a.alloc('u32', chunkCb, false);
    const flagsW = a.alloc('u8', programFlagsBytes(p.maxPulses), false);
    const rngW = a.alloc('u8', PROGRAM_SCRATCH_BYTES, false);
    const tgtW = tJs ? a.alloc('u8', chunkCells, false) : null;
    const oSet = a.alloc('u32', chunkCells, false), oReset = a.alloc('u32', chunkCells, false);
    const oReads = a.alloc('u32', chunkCells, false), oEnergy = a.alloc('f32', chunkCells, false);
    const rowOut = a.alloc('u32', chunkCb * rows * 3, false);
    const levelW = a.from('f64', gLevel);
    const sumW = a.alloc('f64', chunkCb * SUMMARY_FIELDS, false);
    const histW = a.alloc('f64', p.maxPulses + 1);
    const failW = a.alloc('u32', chunkCells, false);

    for (let cb0 = 0; cb0 < nb; cb0 += chunkCb) {
      const ncb = Math.min(chunkCb, nb - cb0);
      const first = cb0 * cpc, cells = ncb * cpc;
      const sv = streamsW.view;
      for (let c = 0; c < ncb; c++) sv[c] = streamId(StreamPurpose.programming, cb0 + c, op);
      if (tgtW) tgtW.view.set(tJs!.subarray(first, first + cells));
      const tgtPtr = tgtW ? tgtW.ptr : (targets as WasmArray<'u8'>).ptr + first;
      const gA = pool.conductances(), lvA = pool.levels(), stA = pool.status(), ftA = pool.faults(), wrA = pool.wear();
      if (useRef) {
        reference('program').refProgramCells(prm, tab, {
          g: gA.view.subarray(first, first + cells), level: lvA.view.subarray(first, first + cells),
          fault: ftA.view.subarray(first, first + cells), status: stA.view.subarray(first, first + cells),
          wear: wrA.view.subarray(first, first + cells),
          targets: tgtW ? tgtW.view.subarray(0, cells) : (targets as WasmArray<'u8'>).view.subarray(first, first + cells),
          outSet: oSet.view, outReset: oReset.view, outReads: oReads.view, outEnergy: oEnergy.view,
          rowOut: rowOut.view, streams: streamsW.view,
        }, ncb, rows, cols);
      } else {
        kernels.programCells(prmW.ptr, tabW.ptr,
          gA.ptr + 4 * first, lvA.ptr + first, ftA.ptr + first, stA.ptr + first, wrA.ptr + 4 * first, tgtPtr,
          oSet.ptr, oReset.ptr, oReads.ptr, oEnergy.ptr, rowOut.ptr, streamsW.ptr, flagsW.ptr, rngW.ptr, ncb, rows, cols);
      }
      // ---- summarize the chunk ----
      const tv = tgtW ? tgtW.view : (targets as WasmArray<'u8'>).view.subarray(first, first + cells);
      const sSet = oSet.view, sReset = oReset.view, sReads = oReads.view, sE = oEnergy.view;
      const stv = stA.view;
      if (perCell) {
        perCell.setPulses.set(sSet.subarray(0, cells), first);
        perCell.resetPulses.set(sReset.subarray(0, cells), first);
        perCell.verifyReads.set(sReads.subarray(0, cells), first);
        perCell.energyJ.set(sE.subarray(0, cells), first);
      }
      // per-crossbar sums in wasm (the same host accounting for both backends): PROGRAM_SUMMARY_FIELDS f64 each
      const nf = kernels.programSummary(tgtPtr, oSet.ptr, oReset.ptr, oReads.ptr, oEnergy.ptr,
        gA.ptr + 4 * first, stA.ptr + first, wrA.ptr + 4 * first, rowOut.ptr, levelW.ptr, ncb, rows, cols, first,
        tol, endurance, tPulse, nReads, tRead, sumW.ptr, histW.ptr, failW.ptr);
      const fv = failW.view;
      for (let k = 0; k < nf; k++) failedCells.push(fv[k]!);
      const sm = sumW.view;
      for (let c = 0; c < ncb; c++) {
        const cb = cb0 + c, o = c * SUMMARY_FIELDS;
        const targeted = sm[o]!, checked = sm[o + 1]!, touched = sm[o + 2]!, ns = sm[o + 3]!, nr = sm[o + 4]!;
        const reads = sm[o + 5]!, energy = sm[o + 6]!, fails = sm[o + 7]!, rowS = sm[o + 10]!;
        inBand += sm[o + 8]!;
        if (sm[o + 9]! < switchesLeft) switchesLeft = sm[o + 9]!;
        const cellS = (ns + nr) * tPulse + reads * tRead;
        per.cycles[cb] = ns + nr; per.setPulses[cb] = ns; per.resetPulses[cb] = nr; per.verifyReads[cb] = reads;
        per.energyJ[cb] = energy; per.failures[cb] = fails; per.cellsTouched[cb] = touched;
        per.latencyCellS[cb] = cellS; per.latencyRowS[cb] = rowS;
        totals.cellsTargeted += targeted; totals.cellsChecked += checked; totals.cellsTouched += touched;
        totals.setPulses += ns; totals.resetPulses += nr; totals.cycles += ns + nr; totals.verifyReads += reads;
        totals.energyJ += energy; totals.failures += fails; totals.latencyCellS += cellS; totals.latencyRowS += rowS;
      }
      if (regions) accumulateRegions(regions, regionTotals, first, cells, tv, sSet, sReset, sReads, sE, stv, tPulse, tRead);
      opts.onProgress?.(first + cells, n);
    }
    hist.set(histW.view);
  });
  pool.opCounter = op + 1;

  // wear over the whole pool
  const { maxWear, sumWear, worn } = wearStats(pool.wear().view.subarray(0, n), endurance);
  const checked = totals.cellsChecked, targeted = totals.cellsTargeted;
  const histogram = Array.from(hist);
  let sum = 0, max = 0;
  for (let k = 0; k < histogram.length; k++) { sum += k * histogram[k]!; if (histogram[k]! > 0) max = k; }
  const latencyCellS = listSchedule(per.latencyCellS, p.crossbarsInParallel);
  const latencyRowS = listSchedule(per.latencyRowS, p.crossbarsInParallel);
  if (totals.failures > 0) {
    const msg = `${totals.failures} of ${checked} cells failed to verify in band within ${p.maxPulses} pulses (stuck or unconvergent)`;
    warnings.push(msg);
    opts.onWarning?.(msg);
  }
  const report: ProgramReport = {
    ok: totals.failures === 0,
    scheme: p.scheme,
    opCounter: op,
    seed: pool.seed,
    totals,
    latencyS: p.parallelism === 'row' ? latencyRowS : latencyCellS,
    latencyCellS,
    latencyRowS,
    parallelism: p.parallelism,
    crossbarsInParallel: p.crossbarsInParallel,
    perCrossbar: per,
    perRegion: regionTotals,
    distribution: {
      histogram,
      cells: targeted,
      mean: targeted ? sum / targeted : 0,
      median: histogramQuantile(histogram, targeted, 0.5),
      p90: histogramQuantile(histogram, targeted, 0.9),
      p99: histogramQuantile(histogram, targeted, 0.99),
      max,
      meanTouched: totals.cellsTouched ? totals.cycles / totals.cellsTouched : 0,
      failureRate: checked ? totals.failures / checked : 0,
      inBandRate: checked ? inBand / checked : 1,
    },
    failures: { count: totals.failures, cells: Uint32Array.from(failedCells) },
    wear: {
      enduranceCycles: endurance,
      maxWear,
      meanWear: n ? sumWear / n : 0,
      cellsWornOut: worn,
      remainingCycles: endurance - maxWear,
      switchesLeft: Math.max(0, Math.floor(switchesLeft)),
    },
    warnings,
  };
  if (switchesLeft === Infinity) report.wear.switchesLeft = Infinity;
  return { report, perCell };
}

function addCell(t: ProgramTotals, s: number, r: number, rd: number, e: number, failed: boolean, tPulse: number, tRead: number): void {
  t.cellsTargeted++;
  if (rd === 0) return;
  t.cellsChecked++;
  if (s + r > 0) t.cellsTouched++;
  t.setPulses += s; t.resetPulses += r; t.cycles += s + r; t.verifyReads += rd; t.energyJ += e;
  if (failed) t.failures++;
  t.latencyCellS += (s + r) * tPulse + rd * tRead;
}

function accumulateRegions(regions: RegionSpec, out: Map<number, ProgramTotals>, first: number, cells: number,
  tv: Uint8Array, sSet: Uint32Array, sReset: Uint32Array, sReads: Uint32Array, sE: Float32Array, stv: Uint8Array,
  tPulse: number, tRead: number): void {
  const get = (id: number): ProgramTotals => {
    let t = out.get(id);
    if (!t) { t = emptyTotals(); t.latencyRowS = NaN; out.set(id, t); }
    return t;
  };
  if (regions instanceof Int32Array) {
    let lastId = NaN, cur: ProgramTotals | null = null;
    for (let j = 0; j < cells; j++) {
      if (tv[j] === NO_TARGET) continue;
      const id = regions[first + j]!;
      if (id < 0) continue;
      if (id !== lastId) { cur = get(id); lastId = id; }
      addCell(cur!, sSet[j]!, sReset[j]!, sReads[j]!, sE[j]!, stv[first + j] !== 0, tPulse, tRead);
    }
    return;
  }
  for (const r of regions) {
    const lo = Math.max(r.start, first), hi = Math.min(r.end, first + cells);
    const t = get(r.id);
    for (let gi = lo; gi < hi; gi++) {
      const j = gi - first;
      if (tv[j] === NO_TARGET) continue;
      addCell(t, sSet[j]!, sReset[j]!, sReads[j]!, sE[j]!, stv[gi] !== 0, tPulse, tRead);
    }
  }
}

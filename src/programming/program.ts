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
import { arena, WasmArray, type Arena } from '../wasm/arena.js';
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
  const o = prepareOperation(pool, targets, opts);
  const sums = arena.scoped((a) => runChunks(o, a));
  pool.opCounter = o.op + 1;
  return { report: operationReport(o, sums), perCell: o.perCell };
}

/** One programming operation, validated: its config, targets, regions, kernel inputs and chunking. */
interface Operation {
  pool: CrossbarPool;
  cfg: HardwareConfig;
  opts: ProgramOptions;
  warnings: string[];
  /** Targets as a JS array (copied into wasm memory chunk by chunk), or null when they already live there. */
  tJs: Uint8Array | null;
  tWasm: WasmArray<'u8'> | null;
  regions: RegionSpec | undefined;
  /** Crossbars per kernel call. */
  chunkCb: number;
  perCell: PerCellCounts | undefined;
  /** The pool's operation counter for this operation (its random streams). */
  op: number;
  prm: Float64Array;
  tab: Float32Array;
  useReference: boolean;
  /** Conductance of each level's centre (the accounting's in-band check). */
  gLevel: Float64Array;
}

/** Validates the config, targets and regions and builds the kernel's parameter block and tables. */
function prepareOperation(pool: CrossbarPool, targets: Uint8Array | WasmArray<'u8'>, opts: ProgramOptions): Operation {
  const cfg = effectiveConfig(pool, opts.programming);
  const warnings = checkProgramming(cfg);
  for (const w of warnings) opts.onWarning?.(w);
  const L = 2 ** cfg.cells.cellBits;
  const n = pool.numCells;
  const tJs = targets instanceof WasmArray ? null : targets;
  const tWasm = targets instanceof WasmArray ? targets : null;
  checkTargets(tJs ?? tWasm!.view, n, L);
  checkRegions(opts.regions, n);
  const gMin = cfg.device.gMinUS, spacing = (cfg.device.gMaxUS - gMin) / (L - 1);
  return {
    pool, cfg, opts, warnings, tJs, tWasm, regions: opts.regions,
    chunkCb: Math.max(1, Math.min(pool.numCrossbars, Math.floor((opts.chunkCells ?? 4 * 2 ** 20) / pool.cellsPerCrossbar))),
    perCell: (opts.perCell ?? n <= 16 * 2 ** 20) ? {
      setPulses: new Uint32Array(n), resetPulses: new Uint32Array(n), verifyReads: new Uint32Array(n), energyJ: new Float32Array(n),
    } : undefined,
    op: pool.opCounter,
    prm: buildParams(cfg, { seed: pool.seed, verifyAll: opts.verifyAll }),
    tab: buildTables(cfg),
    useReference: resolveBackend(opts.backend, 'programPool') === 'reference',
    gLevel: Float64Array.from({ length: L }, (_, l) => gMin + l * spacing),
  };
}

function checkRegions(regions: RegionSpec | undefined, n: number): void {
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
}

/** What the chunks add up to: per crossbar, in total, per region, the pulse histogram and the failed cells. */
interface OperationSums {
  per: ProgramReport['perCrossbar'];
  totals: ProgramTotals;
  hist: Float64Array;
  failedCells: number[];
  regionTotals: Map<number, ProgramTotals>;
  inBand: number;
  switchesLeft: number;
}

/** The kernel's working memory for one chunk of crossbars (reused by every chunk). */
type ChunkBuffers = ReturnType<typeof chunkBuffers>;

function chunkBuffers(o: Operation, a: Arena) {
  const p = o.cfg.programming, rows = o.pool.rows, chunkCells = o.chunkCb * o.pool.cellsPerCrossbar;
  // not zeroed (false): the kernel initialises its flags and scratch and writes every cell's counts and every
  // row's latency; programSummary writes its sums and the failed list; targets and streams are set per chunk
  return {
    prm: a.from('f64', o.prm), tab: a.from('f32', o.tab),
    streams: a.alloc('u32', o.chunkCb, false),
    flags: a.alloc('u8', programFlagsBytes(p.maxPulses), false),
    rng: a.alloc('u8', PROGRAM_SCRATCH_BYTES, false),
    targets: o.tJs ? a.alloc('u8', chunkCells, false) : null,
    set: a.alloc('u32', chunkCells, false), reset: a.alloc('u32', chunkCells, false),
    reads: a.alloc('u32', chunkCells, false), energy: a.alloc('f32', chunkCells, false),
    rowOut: a.alloc('u32', o.chunkCb * rows * 3, false),
    levelG: a.from('f64', o.gLevel),
    sums: a.alloc('f64', o.chunkCb * SUMMARY_FIELDS, false),
    hist: a.alloc('f64', p.maxPulses + 1),
    failed: a.alloc('u32', chunkCells, false),
  };
}

/** Runs the kernel over the pool chunk by chunk and adds up each chunk's accounting. */
function runChunks(o: Operation, a: Arena): OperationSums {
  const pool = o.pool, nb = pool.numCrossbars, cpc = pool.cellsPerCrossbar;
  const b = chunkBuffers(o, a);
  const sums: OperationSums = {
    per: {
      cycles: new Float64Array(nb), setPulses: new Float64Array(nb), resetPulses: new Float64Array(nb),
      verifyReads: new Float64Array(nb), energyJ: new Float64Array(nb), failures: new Float64Array(nb),
      cellsTouched: new Float64Array(nb), latencyCellS: new Float64Array(nb), latencyRowS: new Float64Array(nb),
    },
    totals: emptyTotals(), hist: new Float64Array(o.cfg.programming.maxPulses + 1), failedCells: [],
    regionTotals: new Map(), inBand: 0, switchesLeft: Infinity,
  };
  for (let cb0 = 0; cb0 < nb; cb0 += o.chunkCb) {
    const ncb = Math.min(o.chunkCb, nb - cb0);
    const first = cb0 * cpc, cells = ncb * cpc;
    const sv = b.streams.view;
    for (let c = 0; c < ncb; c++) sv[c] = streamId(StreamPurpose.programming, cb0 + c, o.op);
    if (b.targets) b.targets.view.set(o.tJs!.subarray(first, first + cells));
    runKernel(o, b, ncb, first, cells);
    summarizeChunk(o, b, sums, cb0, ncb, first, cells);
    o.opts.onProgress?.(first + cells, pool.numCells);
  }
  sums.hist.set(b.hist.view);
  return sums;
}

/** Where this chunk's targets are: in the chunk buffer, or in the caller's wasm array. */
function chunkTargetPtr(o: Operation, b: ChunkBuffers, first: number): number {
  return b.targets ? b.targets.ptr : o.tWasm!.ptr + first;
}

/** The write-verify loop over one chunk of crossbars, by the wasm kernel or its TS twin (the same results). */
function runKernel(o: Operation, b: ChunkBuffers, ncb: number, first: number, cells: number): void {
  const pool = o.pool, rows = pool.rows, cols = pool.cols;
  const gA = pool.conductances(), lvA = pool.levels(), stA = pool.status(), ftA = pool.faults(), wrA = pool.wear();
  if (o.useReference) {
    const sub = <T extends { subarray(s: number, e: number): T }>(v: T): T => v.subarray(first, first + cells);
    reference('program').refProgramCells(o.prm, o.tab, {
      g: sub(gA.view), level: sub(lvA.view), fault: sub(ftA.view), status: sub(stA.view), wear: sub(wrA.view),
      targets: b.targets ? b.targets.view.subarray(0, cells) : sub(o.tWasm!.view),
      outSet: b.set.view, outReset: b.reset.view, outReads: b.reads.view, outEnergy: b.energy.view,
      rowOut: b.rowOut.view, streams: b.streams.view,
    }, ncb, rows, cols);
    return;
  }
  wasmKernels('program').programCells(b.prm.ptr, b.tab.ptr,
    gA.ptr + 4 * first, lvA.ptr + first, ftA.ptr + first, stA.ptr + first, wrA.ptr + 4 * first, chunkTargetPtr(o, b, first),
    b.set.ptr, b.reset.ptr, b.reads.ptr, b.energy.ptr, b.rowOut.ptr, b.streams.ptr, b.flags.ptr, b.rng.ptr, ncb, rows, cols);
}

/** Per-cell copies, the per-crossbar accounting (in wasm, the same for both backends) and the region totals. */
function summarizeChunk(o: Operation, b: ChunkBuffers, s: OperationSums, cb0: number, ncb: number, first: number, cells: number): void {
  const pool = o.pool, p = o.cfg.programming;
  const tPulse = p.tPulseS, tRead = p.tReadS;
  const sSet = b.set.view, sReset = b.reset.view, sReads = b.reads.view, sE = b.energy.view;
  if (o.perCell) {
    o.perCell.setPulses.set(sSet.subarray(0, cells), first);
    o.perCell.resetPulses.set(sReset.subarray(0, cells), first);
    o.perCell.verifyReads.set(sReads.subarray(0, cells), first);
    o.perCell.energyJ.set(sE.subarray(0, cells), first);
  }
  const gA = pool.conductances(), stA = pool.status(), wrA = pool.wear();
  const nf = wasmKernels('program').programSummary(chunkTargetPtr(o, b, first), b.set.ptr, b.reset.ptr, b.reads.ptr, b.energy.ptr,
    gA.ptr + 4 * first, stA.ptr + first, wrA.ptr + 4 * first, b.rowOut.ptr, b.levelG.ptr, ncb, pool.rows, pool.cols, first,
    p.toleranceUS, o.cfg.device.enduranceCycles, tPulse, p.readsPerVerify, tRead, b.sums.ptr, b.hist.ptr, b.failed.ptr);
  const fv = b.failed.view;
  for (let k = 0; k < nf; k++) s.failedCells.push(fv[k]!);
  const sm = b.sums.view, per = s.per, totals = s.totals;
  for (let c = 0; c < ncb; c++) {
    const cb = cb0 + c, f = c * SUMMARY_FIELDS;
    const targeted = sm[f]!, checked = sm[f + 1]!, touched = sm[f + 2]!, ns = sm[f + 3]!, nr = sm[f + 4]!;
    const reads = sm[f + 5]!, energy = sm[f + 6]!, fails = sm[f + 7]!, rowS = sm[f + 10]!;
    s.inBand += sm[f + 8]!;
    if (sm[f + 9]! < s.switchesLeft) s.switchesLeft = sm[f + 9]!;
    const cellS = (ns + nr) * tPulse + reads * tRead;
    per.cycles[cb] = ns + nr; per.setPulses[cb] = ns; per.resetPulses[cb] = nr; per.verifyReads[cb] = reads;
    per.energyJ[cb] = energy; per.failures[cb] = fails; per.cellsTouched[cb] = touched;
    per.latencyCellS[cb] = cellS; per.latencyRowS[cb] = rowS;
    totals.cellsTargeted += targeted; totals.cellsChecked += checked; totals.cellsTouched += touched;
    totals.setPulses += ns; totals.resetPulses += nr; totals.cycles += ns + nr; totals.verifyReads += reads;
    totals.energyJ += energy; totals.failures += fails; totals.latencyCellS += cellS; totals.latencyRowS += rowS;
  }
  if (o.regions) {
    const tv = b.targets ? b.targets.view : o.tWasm!.view.subarray(first, first + cells);
    accumulateRegions(o.regions, s.regionTotals, first, cells, tv, sSet, sReset, sReads, sE, stA.view, tPulse, tRead);
  }
}

/** The report of a finished operation: totals, latency under the parallelism, distribution, failures, wear. */
function operationReport(o: Operation, s: OperationSums): ProgramReport {
  const { pool, cfg, warnings } = o;
  const p = cfg.programming, n = pool.numCells, totals = s.totals;
  const endurance = cfg.device.enduranceCycles;
  // wear over the whole pool
  const { maxWear, sumWear, worn } = wearStats(pool.wear().view.subarray(0, n), endurance);
  const checked = totals.cellsChecked, targeted = totals.cellsTargeted;
  const histogram = Array.from(s.hist);
  let sum = 0, max = 0;
  for (let k = 0; k < histogram.length; k++) { sum += k * histogram[k]!; if (histogram[k]! > 0) max = k; }
  const latencyCellS = listSchedule(s.per.latencyCellS, p.crossbarsInParallel);
  const latencyRowS = listSchedule(s.per.latencyRowS, p.crossbarsInParallel);
  if (totals.failures > 0) {
    const msg = `${totals.failures} of ${checked} cells failed to verify in band within ${p.maxPulses} pulses (stuck or unconvergent)`;
    warnings.push(msg);
    o.opts.onWarning?.(msg);
  }
  return {
    ok: totals.failures === 0, scheme: p.scheme, opCounter: o.op, seed: pool.seed, totals,
    latencyS: p.parallelism === 'row' ? latencyRowS : latencyCellS, latencyCellS, latencyRowS,
    parallelism: p.parallelism, crossbarsInParallel: p.crossbarsInParallel, perCrossbar: s.per, perRegion: s.regionTotals,
    distribution: {
      histogram, cells: targeted, mean: targeted ? sum / targeted : 0,
      median: histogramQuantile(histogram, targeted, 0.5), p90: histogramQuantile(histogram, targeted, 0.9),
      p99: histogramQuantile(histogram, targeted, 0.99), max,
      meanTouched: totals.cellsTouched ? totals.cycles / totals.cellsTouched : 0,
      failureRate: checked ? totals.failures / checked : 0,
      inBandRate: checked ? s.inBand / checked : 1,
    },
    failures: { count: totals.failures, cells: Uint32Array.from(s.failedCells) },
    wear: {
      enduranceCycles: endurance, maxWear, meanWear: n ? sumWear / n : 0, cellsWornOut: worn,
      remainingCycles: endurance - maxWear,
      switchesLeft: s.switchesLeft === Infinity ? Infinity : Math.max(0, Math.floor(s.switchesLeft)),
    },
    warnings,
  };
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

// Native ceiling of the write-verify (ISPP) loop, to tell whether a wasm kernel ≥ 20× its TS twin is reachable: how
// fast the same per-cell loop runs as C, scalar and with 128-bit SIMD laid out like the wasm kernel (lookups as scalar
// loads, since wasm SIMD128 has no gather), and with AVX2, all bit-identical to the TS reference on every cell.
// The workload is bench/program.bench.ts's ISPP op (default hardware, 4 crossbars, seed 1, random 2-bit targets
// with seed 2), taken as the exact kernel inputs (parameter block, tables, per-crossbar RNG keys, initial state).
// Times the kernels alone: refProgramCells, the wasm programCells call, and bench/native/write-verify.c built with
// gcc into a temp dir (skipped, with a note, if gcc is missing); rounds interleave all versions so load hits them
// alike; M it/s best and median over all runs, ratios = median over rounds of the per-round ratio of medians.
//   node --import tsx bench/program-ceiling.bench.ts        (HA3M_CEILING_ROUNDS=n, default 6; ~20 s)
// Optional (the C part needs gcc); not run by CI or the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, arena, wasm, StreamPurpose, streamId } from '../src/wasm/index.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { CrossbarPool } from '../src/hardware/pool.js';
import { programPool } from '../src/programming/program.js';
import { withScheme } from '../src/programming/calibration.js';
import {
  buildParams, buildTables, programFlagsBytes, P, PROGRAM_SCRATCH_BYTES, SAT_N, T_AMP, T_C2C, T_NORMAL, T_SAT, T_VSQ,
} from '../src/programming/tables.js';
import { refProgramCells } from '../src/reference/program.js';
import { RefRng } from '../src/reference/rng.js';
import { median, randomLevels } from './util.js';

initSync();

const rounds = Number(process.env.HA3M_CEILING_ROUNDS ?? 6);
const load0 = loadavg();
console.log(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);

// ---- the workload: the kernel inputs of the bench's ISPP op ----
const cfg = withScheme(resolveHardware({}), 'ispp');
const pool = new CrossbarPool(cfg, { numCrossbars: 4, seed: 1 });
const targets = randomLevels(pool.numCells, 2);
const n = pool.numCells, nb = pool.numCrossbars, rows = pool.rows, cols = pool.cols;
const op = pool.opCounter;
const prm = buildParams(cfg, { seed: pool.seed, verifyAll: false });
const tab = buildTables(cfg);
const streams = Uint32Array.from({ length: nb }, (_, c) => streamId(StreamPurpose.programming, c, op));
// per-crossbar key of the cells' generators: the first four outputs of stream (seed, streams[cb])
const keys = new Uint32Array(4 * nb);
for (let c = 0; c < nb; c++) { const xr = new RefRng(pool.seed, streams[c]!); for (let j = 0; j < 4; j++) keys[4 * c + j] = xr.nextU32(); }
const init = { g: pool.conductances().copy(), level: pool.levels().copy(), status: pool.status().copy(), fault: pool.faults().copy(), wear: pool.wear().copy() };
const restorePool = (): void => {
  pool.conductances().view.set(init.g); pool.levels().view.set(init.level); pool.status().view.set(init.status);
  pool.wear().view.set(init.wear); pool.opCounter = op;
};

interface Outputs { g: Float32Array; set: Uint32Array; reset: Uint32Array; status: Uint8Array; energy: Float32Array }
/** Cells whose G, SET, RESET, status or energy differ (bit for bit) from ref's. */
function mismatches(a: Outputs, ref: Outputs): number {
  const ga = new Uint32Array(a.g.buffer, a.g.byteOffset, n), gr = new Uint32Array(ref.g.buffer, ref.g.byteOffset, n);
  const ea = new Uint32Array(a.energy.buffer, a.energy.byteOffset, n), er = new Uint32Array(ref.energy.buffer, ref.energy.byteOffset, n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    if (ga[i] !== gr[i] || a.set[i] !== ref.set[i] || a.reset[i] !== ref.reset[i] || a.status[i] !== ref.status[i] || ea[i] !== er[i]) bad++;
  }
  return bad;
}
const copyOut = (o: Outputs): Outputs => ({ g: o.g.slice(0, n), set: o.set.slice(0, n), reset: o.reset.slice(0, n), status: o.status.slice(0, n), energy: o.energy.slice(0, n) });

// ---- TS reference (refProgramCells alone, fresh state copied in before each run) ----
const ra = {
  g: new Float32Array(n), level: new Uint8Array(n), fault: init.fault, status: new Uint8Array(n), wear: new Uint32Array(n), targets,
  outSet: new Uint32Array(n), outReset: new Uint32Array(n), outReads: new Uint32Array(n), outEnergy: new Float32Array(n),
  rowOut: new Uint32Array(nb * rows * 3), streams,
};
const refOut: Outputs = { g: ra.g, set: ra.outSet, reset: ra.outReset, status: ra.status, energy: ra.outEnergy };
function runRef(): number {
  ra.g.set(init.g); ra.level.set(init.level); ra.status.set(init.status); ra.wear.set(init.wear);
  const t0 = performance.now();
  refProgramCells(prm, tab, ra, nb, rows, cols);
  return performance.now() - t0;
}
runRef();
const ref = copyOut(refOut);
let iterations = 0;
for (let i = 0; i < n; i++) iterations += ref.set[i]! + ref.reset[i]!;

// the extracted inputs are what the kernel gets: programPool (as bench/program.bench.ts runs it) gives the same
restorePool();
const pp = programPool(pool, targets, { perCell: true });
const ppBad = mismatches({ g: pool.conductances().view, set: pp.perCell!.setPulses, reset: pp.perCell!.resetPulses, status: pool.status().view, energy: pp.perCell!.energyJ }, ref);
console.log(`workload: ISPP, ${n} cells (${nb} × ${rows} × ${cols}), ${iterations} write-verify iterations (programPool totals.cycles ` +
  `${pp.report.totals.cycles}), readsPerVerify ${cfg.programming.readsPerVerify}; refProgramCells on the extracted inputs vs programPool: ${ppBad} mismatching cells`);
if (ppBad !== 0 || pp.report.totals.cycles !== iterations) throw new Error('the extracted workload does not reproduce programPool: the kernel inputs changed, update this bench');

// ---- wasm kernel alone (programCells with the arguments programPool passes) ----
const sa = arena.mark();
const prmW = arena.from('f64', prm), tabW = arena.from('f32', tab), streamsW = arena.from('u32', streams), tgtW = arena.from('u8', targets);
const flagsW = arena.alloc('u8', programFlagsBytes(cfg.programming.maxPulses), false), scratchW = arena.alloc('u8', PROGRAM_SCRATCH_BYTES, false);
const oSet = arena.alloc('u32', n, false), oReset = arena.alloc('u32', n, false), oReads = arena.alloc('u32', n, false), oEnergy = arena.alloc('f32', n, false);
const rowOutW = arena.alloc('u32', nb * rows * 3, false);
const programCells = wasm().programCells as (...args: number[]) => void;
function runWasm(): number {
  restorePool();
  const gA = pool.conductances(), lvA = pool.levels(), stA = pool.status(), ftA = pool.faults(), wrA = pool.wear();
  const t0 = performance.now();
  programCells(prmW.ptr, tabW.ptr, gA.ptr, lvA.ptr, ftA.ptr, stA.ptr, wrA.ptr, tgtW.ptr, oSet.ptr, oReset.ptr, oReads.ptr, oEnergy.ptr,
    rowOutW.ptr, streamsW.ptr, flagsW.ptr, scratchW.ptr, nb, rows, cols);
  return performance.now() - t0;
}
const wasmOut = (): Outputs => ({ g: pool.conductances().view, set: oSet.view, reset: oReset.view, status: pool.status().view, energy: oEnergy.view });

// ---- C variants ----
const here = dirname(fileURLToPath(import.meta.url));
const cSource = join(here, 'native', 'write-verify.c');
const dir = mkdtempSync(join(tmpdir(), 'ha3m-ceiling-'));
interface CVariant { label: string; key: string; flags: string[]; bin: string; note?: string }
const cVariants: CVariant[] = [];
const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
const cpuFlags = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
if (gcc.error || gcc.status !== 0) {
  console.log('gcc not found: the C variants are skipped (TS reference and wasm only)');
} else {
  console.log(`C compiler: ${gcc.stdout.split('\n')[0]}`);
  const wanted: Omit<CVariant, 'bin'>[] = [
    { label: 'C scalar', key: 'cScalar', flags: ['-O3', '-ffp-contract=off', '-fno-tree-vectorize'] },
  ];
  if (process.arch === 'x64') {
    wanted.push({ label: 'C SSE4.1 2×4 (scalar-load lookups)', key: 'cSse41', flags: ['-O3', '-msse4.1', '-mno-avx', '-ffp-contract=off'] });
    if (/\bavx2\b/.test(cpuFlags)) wanted.push({ label: 'C AVX2 2×8 (scalar-load lookups)', key: 'cAvx2', flags: ['-O3', '-mavx2', '-ffp-contract=off'] });
    else console.log('no AVX2 on this CPU (or no /proc/cpuinfo): the AVX2 variant is skipped');
  } else {
    console.log(`${process.arch}: only the scalar C variant is built (the SIMD variants are x86-64)`);
  }
  // the table layout as compile-time constants (the C file checks them against params.txt)
  const layout = Object.entries({ T_AMP, T_VSQ, T_SAT, T_C2C, T_NORMAL, SAT_N }).map(([k, v]) => `-D${k}=${v}`);
  for (const v of wanted) {
    const bin = join(dir, `write-verify-${v.key}`);
    const cc = spawnSync('gcc', [...v.flags, ...layout, '-o', bin, cSource, '-lm'], { encoding: 'utf8' });
    if (cc.status !== 0) { console.log(`${v.label}: gcc failed, skipped\n${cc.stderr}`); continue; }
    cVariants.push({ ...v, bin });
  }
  // the workload for the C driver (layout: bench/native/write-verify.c header)
  const params = [`numCrossbars ${nb}`, `rows ${rows}`, `cols ${cols}`,
    ...Object.entries(P).map(([name, idx]) => `prm.${name} ${prm[idx]}`),
    `T_AMP ${T_AMP}`, `T_VSQ ${T_VSQ}`, `T_SAT ${T_SAT}`, `T_C2C ${T_C2C}`, `T_NORMAL ${T_NORMAL}`, `SAT_N ${SAT_N}`, `tablesLength ${tab.length}`];
  writeFileSync(join(dir, 'params.txt'), params.join('\n') + '\n');
  const put = (name: string, a: ArrayBufferView): void => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  put('tables.f32', tab); put('keys.u32', keys);
  put('g.f32', init.g); put('level.u8', init.level); put('status.u8', init.status); put('fault.u8', init.fault); put('targets.u8', targets);
  put('ref_g.f32', ref.g); put('ref_set.u32', ref.set); put('ref_reset.u32', ref.reset); put('ref_status.u8', ref.status); put('ref_energy.f32', ref.energy);
}
interface CResult { variant: string; iterations: number; reps: number; bestS: number; medianS: number; mismatchingCells: number }
function runC(v: CVariant, reps: number): CResult {
  const r = spawnSync(v.bin, [dir, String(reps)], { encoding: 'utf8' });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`${v.label} failed (status ${r.status}, ${r.signal ?? ''}): ${r.stderr}`);
  if (r.stderr) process.stderr.write(`${v.label}: ${r.stderr}`);
  return JSON.parse(line) as CResult;
}

// ---- interleaved rounds ----
interface Row { label: string; key: string; ms: number[]; roundMedians: number[]; bad: number }
const rowsOut: Row[] = [
  { label: 'TS reference (refProgramCells)', key: 'tsReference', ms: [], roundMedians: [], bad: 0 },
  { label: 'wasm programCells', key: 'wasm', ms: [], roundMedians: [], bad: 0 },
  ...cVariants.map((v) => ({ label: v.label, key: v.key, ms: [], roundMedians: [], bad: 0 })),
];
const REF_RUNS = 5, WASM_RUNS = 30, C_REPS = 30;
for (let w = 0; w < 3; w++) runRef();
for (let w = 0; w < 20; w++) runWasm();
try {
  for (let r = 0; r < rounds; r++) {
    const tr: number[] = [];
    for (let k = 0; k < REF_RUNS; k++) { tr.push(runRef()); rowsOut[0]!.bad = Math.max(rowsOut[0]!.bad, mismatches(refOut, ref)); }
    const tw: number[] = [];
    for (let k = 0; k < WASM_RUNS; k++) { tw.push(runWasm()); if (k === 0) rowsOut[1]!.bad = Math.max(rowsOut[1]!.bad, mismatches(wasmOut(), ref)); }
    rowsOut[0]!.ms.push(...tr); rowsOut[0]!.roundMedians.push(median(tr));
    rowsOut[1]!.ms.push(...tw); rowsOut[1]!.roundMedians.push(median(tw));
    cVariants.forEach((v, j) => {
      const res = runC(v, C_REPS), row = rowsOut[2 + j]!;
      // matching cells imply the same iteration total; a different total with no mismatch means a broken driver
      if (res.iterations !== iterations && res.mismatchingCells === 0) throw new Error(`${v.label}: ${res.iterations} iterations, expected ${iterations}`);
      row.bad = Math.max(row.bad, res.mismatchingCells);
      row.ms.push(res.bestS * 1e3); row.roundMedians.push(res.medianS * 1e3); // the C driver reports best and median per round
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true }); // the built binaries and the dumped workload
}
arena.release(sa);
const load1 = loadavg();

// ---- table ----
const perRoundRatio = (slow: Row, fast: Row): number => median(slow.roundMedians.map((ms, i) => ms / fast.roundMedians[i]!));
const tsRow = rowsOut[0]!, wasmRow = rowsOut[1]!;
const mits = (ms: number): number => iterations / ms / 1e3;
console.log(`\n## write-verify kernels alone, ISPP: ${iterations} iterations per run on ${n} cells (${rounds} interleaved rounds; ` +
  `per round ${REF_RUNS} TS runs, ${WASM_RUNS} wasm runs, ${C_REPS} runs of each C binary)`);
console.log(`${'version'.padEnd(36)} ${'M it/s best'.padStart(11)} ${'median'.padStart(8)} ${'ns/it'.padStart(7)} ${'× TS ref'.padStart(9)} ${'× wasm'.padStart(7)}  mismatching cells`);
const results: Record<string, unknown> = {};
for (const row of rowsOut) {
  // C rows hold per-round best and median; TS and wasm rows hold every run
  const isC = row !== tsRow && row !== wasmRow;
  const best = Math.min(...row.ms), med = median(isC ? row.roundMedians : row.ms);
  const xRef = perRoundRatio(tsRow, row), xWasm = perRoundRatio(wasmRow, row);
  console.log(`${row.label.padEnd(36)} ${mits(best).toFixed(1).padStart(11)} ${mits(med).toFixed(1).padStart(8)} ` +
    `${((med * 1e6) / iterations).toFixed(2).padStart(7)} ${xRef.toFixed(2).padStart(9)} ${xWasm.toFixed(2).padStart(7)}  ${row.bad}`);
  results[row.key] = { itersPerSBest: mits(best) * 1e6, itersPerSMedian: mits(med) * 1e6, nsPerIter: (med * 1e6) / iterations, ratioToRef: xRef, ratioToWasm: xWasm, mismatchingCells: row.bad };
}
console.log(`load average at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ ispp: { iterations, cells: n, rounds, loadStart: load0, loadEnd: load1, ...results } }));
if (rowsOut.some((r) => r.bad !== 0)) process.exitCode = 1;

// Write-verify kernel speed: simulated write-verify iterations (pulse + verify) per second, wasm vs the TS
// reference, in one run (interleaved rounds, medians; wall and CPU time, since the machine is shared); then a
// pool the size of an 11.7M-weight network at the default encoding (≈ 94M cells) programmed from reset to random
// levels (time and peak RSS).
//   node --import tsx bench/program.bench.ts            (HA3M_BENCH_BIG=0 skips the big pool;
//                                                         HA3M_BENCH_BIG_SCHEME=ispp|fppv|adaptive, default ispp)
import { cpus, loadavg } from 'node:os';
import { median, randomLevels, runTasks, ratio } from './util.js';
import { initSync, arena } from '../src/wasm/index.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { cellsPerWeight } from '../src/hardware/derived.js';
import { CrossbarPool } from '../src/hardware/pool.js';
import { programPool } from '../src/programming/program.js';
import { withScheme } from '../src/programming/calibration.js';

initSync();

const results: Record<string, unknown> = {};
const cpuMs = (): number => process.cpuUsage().user / 1000;
const load0 = loadavg();
console.log(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
for (const scheme of ['ispp', 'fppv', 'adaptive'] as const) {
  const cfg = withScheme(resolveHardware({}), scheme);
  const pool = new CrossbarPool(cfg, { numCrossbars: 4, seed: 1 });
  const targets = randomLevels(pool.numCells, 2);
  // every operation starts from the same fresh state (a memcpy of 11 B per cell), so the kernel and its accounting
  // are what is timed
  const snap = { g: pool.conductances().copy(), lv: pool.levels().copy(), st: pool.status().copy(), w: pool.wear().copy() };
  const restore = (): void => {
    pool.conductances().view.set(snap.g); pool.levels().view.set(snap.lv);
    pool.status().view.set(snap.st); pool.wear().view.set(snap.w); pool.opCounter = 0;
  };
  restore();
  const iters = programPool(pool, targets, { perCell: false }).report.totals.cycles; // same for both backends
  const cpu: Record<string, number[]> = { wasm: [], reference: [] };
  const task = (backend: 'wasm' | 'reference') => ({
    name: `${scheme} ${backend}`,
    fn: () => {
      restore();
      const c0 = cpuMs();
      programPool(pool, targets, { backend, perCell: false });
      cpu[backend]!.push(cpuMs() - c0);
    },
  });
  const rows = await runTasks(`${scheme}: ${iters} write-verify iterations per op on ${pool.numCells} cells (readsPerVerify ${cfg.programming.readsPerVerify})`,
    [task('wasm'), task('reference')], { timeMs: 2500, warmupMs: 300, rounds: 5 });
  const wallW = iters / rows[0]!.meanMs / 1e3, wallR = iters / rows[1]!.meanMs / 1e3;
  const cpuW = iters / median(cpu.wasm!) / 1e3, cpuR = iters / median(cpu.reference!) / 1e3;
  results[scheme] = { itersPerOp: iters, cellsPerOp: pool.numCells, wasmItersPerS: wallW * 1e6, refItersPerS: wallR * 1e6,
    speedupWall: ratio(rows, `${scheme} reference`, `${scheme} wasm`), wasmItersPerCpuS: cpuW * 1e6, refItersPerCpuS: cpuR * 1e6, speedupCpu: cpuW / cpuR };
  console.log(`${scheme.padEnd(8)} wall (median of rounds) wasm ${wallW.toFixed(1)} M it/s, reference ${wallR.toFixed(2)} M it/s, ` +
    `×${(results[scheme] as { speedupWall: number }).speedupWall.toFixed(1)}; CPU time (median per op) wasm ${cpuW.toFixed(1)} M it/s, ` +
    `reference ${cpuR.toFixed(2)} M it/s, ×${(cpuW / cpuR).toFixed(1)}`);
  arena.reset();
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

if (process.env.HA3M_BENCH_BIG !== '0') {
  const scheme = (process.env.HA3M_BENCH_BIG_SCHEME ?? 'ispp') as 'ispp' | 'fppv' | 'adaptive';
  const cfg = withScheme(resolveHardware({}), scheme);
  const weights = 11_700_000;
  const cells = weights * cellsPerWeight(cfg);
  const cpc = cfg.crossbar.rows * cfg.crossbar.cols;
  const t0 = performance.now();
  const pool = new CrossbarPool(cfg, { numCrossbars: Math.ceil(cells / cpc), seed: 1 });
  const tInit = performance.now() - t0;
  const targets = randomLevels(pool.numCells, 4);
  const t1 = performance.now();
  const c1 = cpuMs();
  let last = 0;
  const { report } = programPool(pool, targets, {
    perCell: false,
    onProgress: (d, n) => { if (d - last >= n / 10) { last = d; process.stderr.write(`  ${((100 * d) / n).toFixed(0)} %\r`); } },
  });
  const tProg = performance.now() - t1;
  const cProg = cpuMs() - c1;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(`big pool: ${weights} weights × ${cellsPerWeight(cfg)} cells = ${pool.numCells} cells on ${pool.numCrossbars} crossbars; ` +
    `wasm memory ${(initSync().memory.buffer.byteLength / 2 ** 30).toFixed(2)} GiB`);
  console.log(`  init ${(tInit / 1000).toFixed(1)} s, ${scheme} programming ${(tProg / 1000).toFixed(1)} s for ${report.totals.cycles} iterations ` +
    `(${(report.totals.cycles / tProg / 1e3).toFixed(1)} M it/s wall, ${(cProg / 1000).toFixed(1)} s CPU = ` +
    `${(report.totals.cycles / cProg / 1e3).toFixed(1)} M it/s, incl. accounting), mean ${report.distribution.mean.toFixed(2)} pulses/cell, ` +
    `${report.failures.count} failures; peak RSS ${peakRssMB.toFixed(0)} MB`);
  results.big = { cells: pool.numCells, initS: tInit / 1000, programS: tProg / 1000, programCpuS: cProg / 1000, iterations: report.totals.cycles, peakRssMB };
}
console.log(JSON.stringify(results));

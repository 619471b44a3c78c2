// Analog MVM throughput (8-bit sign-magnitude weights on four 2-bit slices, differential pairs, 8-bit unsigned inputs
// applied bit-serially, 8-bit ADC per (slice, input bit) with CrossSim's MAX range, batch 256), at 128×128 (one
// crossbar, 128×16 logical weights) and 512×256 logical weights (64 crossbars): ha3m's wasm kernel, noiseless (cells
// at exact levels: the integer path; programmed cells: the f32 path) and with read noise σ = 0.02·Gmax (models
// "pair" and "device"), against a NumPy restatement of the same bit-sliced computation (bench/numpy_analog.py: one
// BLAS GEMM per (slice, input bit), OPENBLAS_NUM_THREADS=1; with noise, every device redrawn per vector and read).
// Times are CPU time per vector on both sides; rounds interleave every task; ratios are medians of per-round ratios.
// Run: node --import tsx bench/analog.bench.ts   (the NumPy baseline runs when /usr/bin/python3 has numpy;
// HA3M_BENCH_NUMPY=python picks another interpreter, HA3M_BENCH_NUMPY=0 skips it)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from '../src/wasm/index.js';
import { RefRng } from '../src/reference/rng.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { TiledCore, adcSteps } from '../src/hardware/mvm.js';
import { cellsPerWeight, levelSpacingUS, magnitudeSlices, tileCols } from '../src/hardware/derived.js';
import { median } from './util.js';

initSync();
const B = 256, ROUNDS = 5;
const python = process.env.HA3M_BENCH_NUMPY ?? '/usr/bin/python3';
const hasNumpy = python !== '0' && spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const script = fileURLToPath(new URL('./numpy_analog.py', import.meta.url));

const base = { io: { adcRange: 'max' as const, adcBits: 8 } };
const noiseless = resolveHardware(base, 'ideal');
const withNoise = (model: 'pair' | 'device') =>
  resolveHardware({ ...base, device: { readNoise: { model, relative: 0, absoluteUS: 0.02 * noiseless.device.gMaxUS } } }, 'ideal');

/** CPU ms per call (process time, as the NumPy side measures it, so other load on the machine does not count). */
function timeIt(fn: () => unknown, ms: number): number {
  fn();
  let n = 0;
  const t0 = performance.now(), c0 = process.cpuUsage();
  while (performance.now() - t0 < ms || n < 2) { fn(); n++; }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

function numpy(dir: string, mode: 'noiseless' | 'device', reps: number): number {
  const r = spawnSync(python, [script, dir, mode, String(reps)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`numpy baseline failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return Number(r.stdout.trim());
}

for (const [K, N] of [[128, tileCols(noiseless)], [512, 256]] as const) {
  const rng = new RefRng(K, N);
  const w = Int32Array.from({ length: K * N }, () => (rng.nextU32() % 255) - 127);
  const x = Int32Array.from({ length: B * K }, () => rng.nextU32() % 256);
  const exact = new TiledCore(noiseless, w, K, N);
  const programmed = new TiledCore(noiseless, w, K, N);
  programmed.tiles.forEach((t, i) => {
    const g = t.conductances.view.slice();
    for (let c = 0; c < g.length; c++) g[c] = Math.fround(g[c]! + 0.5 * (rng.uniform() - 0.5));
    programmed.setConductances(i, g);
  });
  const pair = new TiledCore(withNoise('pair'), w, K, N);
  const device = new TiledCore(withNoise('device'), w, K, N);
  if (!exact.tiles.every((t) => t.analog.exact) || programmed.tiles.some((t) => t.analog.exact)) throw new Error('unexpected analog path');

  // the same matrices for NumPy: per slice and row tile, the differential levels (and the two devices' conductances)
  const S = magnitudeSlices(noiseless), T = noiseless.crossbar.rows, tr = K / T, cpw = cellsPerWeight(noiseless);
  const d = new Int8Array(S * K * N), gp = new Float32Array(S * K * N), gn = new Float32Array(S * K * N);
  for (const t of exact.tiles) {
    for (let i = 0; i < t.rows; i++) {
      for (let j = 0; j < t.cols; j++) {
        for (let s = 0; s < S; s++) {
          const c = i * t.cols * cpw + j * cpw + 2 * s, at = s * K * N + (t.row0 + i) * N + t.col0 + j;
          d[at] = t.levels[c]! - t.levels[c + 1]!;
          gp[at] = t.conductances.view[c]!; gn[at] = t.conductances.view[c + 1]!;
        }
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'ha3m-analog-bench-'));
  try {
    const { steps, half } = adcSteps(noiseless, T);
    const noisyVectors = K > 128 ? 2 : 8;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({
      batch: B, K, N, slices: S, tileRows: T, inputBits: 8, cellBits: noiseless.cells.cellBits, half, steps: Array.from(steps),
      relative: 0, absolute: 0.02 * noiseless.device.gMaxUS, invDG: 1 / levelSpacingUS(noiseless), noisyVectors,
    }));
    writeFileSync(join(dir, 'x.i32'), x); writeFileSync(join(dir, 'd.i8'), d);
    writeFileSync(join(dir, 'gp.f32'), gp); writeFileSync(join(dir, 'gn.f32'), gn);

    const yOurs = exact.mvmAnalog(x, B, 1);
    if (hasNumpy) {
      numpy(dir, 'noiseless', 1);
      const yNp = new Float64Array(readFileSync(join(dir, 'y.f64')).buffer.slice(0));
      let worst = 0;
      for (let i = 0; i < yOurs.length; i++) worst = Math.max(worst, Math.abs(yOurs[i]! - yNp[i]!) / Math.max(1, Math.abs(yNp[i]!)));
      console.log(`\n${K}×${N}: ha3m (exact path) vs NumPy noiseless outputs: max relative difference ${worst.toExponential(2)}`);
    }
    const tasks: Array<[string, () => unknown]> = [
      ['ha3m noiseless, exact levels (integer path)', () => exact.mvmAnalog(x, B, 1)],
      ['ha3m noiseless, programmed cells (f32 path)', () => programmed.mvmAnalog(x, B, 1)],
      ['ha3m read noise "pair"', () => pair.mvmAnalog(x, B, 1)],
      ['ha3m read noise "device"', () => device.mvmAnalog(x, B, 1)],
    ];
    const perRound = new Map<string, number[]>([...tasks.map(([n]) => [n, []] as [string, number[]]), ['NumPy noiseless', []], ['NumPy device noise', []]]);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, fn] of tasks) perRound.get(name)!.push(timeIt(fn, 600) / B);
      if (hasNumpy) {
        perRound.get('NumPy noiseless')!.push(numpy(dir, 'noiseless', 3));
        perRound.get('NumPy device noise')!.push(numpy(dir, 'device', 1));
      }
    }
    const macs = K * N;
    console.log(`\n## analog MVM ${K}×${N} logical weights, batch ${B} (median of ${ROUNDS} interleaved rounds)`);
    for (const [name, ms] of perRound) {
      if (!ms.length) continue;
      const m = median(ms);
      console.log(`${name.padEnd(46)} ${(m * 1000).toFixed(2).padStart(10)} µs CPU/vector  ${(macs / m / 1e3).toFixed(1).padStart(8)} M logical MAC/s`);
    }
    if (hasNumpy) {
      const rat = (slow: string, fast: string) => median(perRound.get(slow)!.map((v, i) => v / perRound.get(fast)![i]!));
      console.log(`noiseless, exact levels vs NumPy:     ${rat('NumPy noiseless', 'ha3m noiseless, exact levels (integer path)').toFixed(2)}×  (goal ≥ 1.5×)`);
      console.log(`noiseless, programmed cells vs NumPy: ${rat('NumPy noiseless', 'ha3m noiseless, programmed cells (f32 path)').toFixed(2)}×`);
      console.log(`read noise "pair" vs NumPy device:    ${rat('NumPy device noise', 'ha3m read noise "pair"').toFixed(0)}×  (goal ≥ 100×)`);
      console.log(`read noise "device" vs NumPy device:  ${rat('NumPy device noise', 'ha3m read noise "device"').toFixed(0)}×`);
    } else {
      console.log('(NumPy baseline skipped: no numpy in /usr/bin/python3; set HA3M_BENCH_NUMPY to a Python with numpy)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

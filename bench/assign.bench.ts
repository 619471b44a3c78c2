// Assignment solver speed: dense uniform random n × n matrices, n = 128 … 2048, wasm vs the TS reference vs the
// npm package `linear-sum-assignment` (mljs; ~1.2M downloads/month, the most used assignment package on npm; it
// implements the same Crouse/Jonker-Volgenant shortest augmenting path algorithm in plain JS on ml-matrix), all
// in one run. Then the block cost-matrix kernel (BLM pricing) at the brief's size: 16384-cell blocks (128×16
// weights × 8 cells), 300 blocks × 300 slots, L = 4.
//   node --import tsx bench/assign.bench.ts
//   HA3M_BENCH_ASSIGN_MAX=1024 …   largest n (default 2048); HA3M_BENCH_NPM_MAX=1024 … largest n for the npm package
import { Bench } from 'tinybench';
import { linearSumAssignment } from 'linear-sum-assignment';
import { initSync } from '../src/wasm/index.js';
import { RefRng } from '../src/reference/rng.js';
import { linearAssignment } from '../src/matching/assignment.js';
import { blockCostMatrix, type BlockCostMode } from '../src/matching/cost.js';

initSync();

const maxN = Number(process.env.HA3M_BENCH_ASSIGN_MAX ?? 2048);
const npmMax = Number(process.env.HA3M_BENCH_NPM_MAX ?? 2048);

interface Timing { wall: number; cpu: number }

/**
 * Mean wall ms per call (tinybench: time-based sampling for fast tasks, a fixed small count for slow ones) and
 * mean CPU ms per call of this process (process.cpuUsage over extra calls). This machine is shared, so CPU time
 * is the steadier figure; ratios are computed from it.
 */
async function measure(name: string, fn: () => unknown, slow: boolean): Promise<Timing> {
  const bench = new Bench(slow
    ? { time: 0, iterations: 1, warmupTime: 0, warmupIterations: 0 }
    : { time: 1500, iterations: 5, warmupTime: 300, warmupIterations: 3 });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0].result as { state: string; latency?: { mean: number }; error?: Error };
  if (r.state !== 'completed' || !r.latency) throw new Error(`${name}: ${r.error?.message ?? r.state}`);
  const reps = slow ? 1 : 5;
  const c0 = process.cpuUsage();
  for (let k = 0; k < reps; k++) fn();
  const c = process.cpuUsage(c0);
  return { wall: r.latency.mean, cpu: (c.user + c.system) / 1000 / reps };
}

const fmt = (t: Timing | undefined, d = 2) => (t === undefined ? 'skipped' : `${t.cpu.toFixed(d)} (${t.wall.toFixed(d)})`);

console.log('## Linear assignment, dense uniform random n × n: CPU ms per solve (wall ms in parentheses)');
console.log(`${'n'.padStart(5)} ${'wasm'.padStart(18)} ${'TS reference'.padStart(20)} ${'linear-sum-assignment'.padStart(22)} ` +
  `${'ref/wasm'.padStart(9)} ${'npm/wasm'.padStart(9)}`);
const summary: Record<number, { wasm: Timing; ref: Timing; npm?: Timing }> = {};
for (const n of [128, 256, 512, 1024, 2048].filter((x) => x <= maxN)) {
  const rng = new RefRng(2026, n);
  const cost = new Float64Array(n * n);
  for (let k = 0; k < cost.length; k++) cost[k] = rng.uniform();
  const nested: number[][] = [];
  for (let i = 0; i < n; i++) nested.push(Array.from(cost.subarray(i * n, (i + 1) * n)));

  // same optimum from all three (sanity)
  const w = linearAssignment(cost, n, n);
  const wasm = await measure('wasm', () => linearAssignment(cost, n, n), false);
  const ref = await measure('reference', () => linearAssignment(cost, n, n, { backend: 'reference' }), n >= 1024);
  const r = linearAssignment(cost, n, n, { backend: 'reference' });
  if (r.total !== w.total || r.rowToCol.some((j, i) => j !== w.rowToCol[i])) throw new Error(`n=${n}: reference ≠ wasm`);
  let npm: Timing | undefined;
  if (n <= npmMax) {
    const got = linearSumAssignment(nested, { maximaze: false }) as { rowAssignments: ArrayLike<number> };
    let t = 0;
    for (let i = 0; i < n; i++) t += cost[i * n + got.rowAssignments[i]];
    if (Math.abs(t - w.total) > 1e-9) throw new Error(`n=${n}: linear-sum-assignment total ${t} ≠ ${w.total}`);
    npm = await measure('npm', () => linearSumAssignment(nested, { maximaze: false }), n >= 512);
  }
  summary[n] = { wasm, ref, npm };
  console.log(`${String(n).padStart(5)} ${fmt(wasm).padStart(18)} ${fmt(ref, 1).padStart(20)} ${fmt(npm, 0).padStart(22)} ` +
    `${(ref.cpu / wasm.cpu).toFixed(1).padStart(8)}× ${(npm === undefined ? '-' : (npm.cpu / wasm.cpu).toFixed(1) + '×').padStart(9)}`);
}
const s1024 = summary[1024];
if (s1024) {
  console.log(`\nn = 1024: wasm ${s1024.wasm.cpu.toFixed(1)} ms CPU (goal ≈ ≤ 46 ms, scipy's C++ on this kind of machine); ` +
    `${s1024.npm ? (s1024.npm.cpu / s1024.wasm.cpu).toFixed(1) + '× linear-sum-assignment (goal ≥ 20×)' : 'npm package skipped'}`);
}

console.log('\n## Block cost matrix: 300 blocks × 300 slots × 16384 cells, L = 4 (per matrix; reference on 12 × 12)');
{
  const rng = new RefRng(7, 0);
  const L = 4, cpb = 16384, nb = 300, ns = 300;
  const table = Float32Array.from({ length: L * L }, (_, k) => (Math.floor(k / L) === k % L ? 0 : 1 + rng.uniform() * 20));
  const blocks = new Uint8Array(nb * cpb), slots = new Uint8Array(ns * cpb);
  for (let k = 0; k < blocks.length; k++) blocks[k] = rng.nextU32() & 3;
  for (let k = 0; k < slots.length; k++) slots[k] = rng.nextU32() & 3;
  // the reference on a 12 × 12 corner, scaled per pair
  const nbR = 12, nsR = 12;
  const bR = blocks.subarray(0, nbR * cpb), sR = slots.subarray(0, nsR * cpb);
  for (const [mode, negate] of [['expected', false], ['mismatch', false], ['l1', false], ['expected', true]] as Array<[BlockCostMode, boolean]>) {
    const opts = { mode, table: mode === 'expected' ? table : undefined, levels: L, negate };
    const wasm = await measure('cost wasm', () => blockCostMatrix(blocks, nb, slots, ns, cpb, opts), true);
    const ref = await measure('cost ref', () => blockCostMatrix(bR, nbR, sR, nsR, cpb, { ...opts, backend: 'reference' }), true);
    const perPairRatio = (ref.cpu / (nbR * nsR)) / (wasm.cpu / (nb * ns));
    console.log(`${(mode + (negate ? ' + negate' : '')).padEnd(18)} wasm ${wasm.cpu.toFixed(0).padStart(5)} ms CPU ` +
      `(${wasm.wall.toFixed(0)} wall), ${(wasm.cpu * 1e3 / (nb * ns)).toFixed(2)} µs/pair; ` +
      `TS reference ${(ref.cpu * 1e3 / (nbR * nsR)).toFixed(0)} µs/pair (${perPairRatio.toFixed(0)}× slower)`);
  }
}

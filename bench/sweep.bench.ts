// Sweep throughput: a 100-point grid of hardware-only changes on LeNet-5 MNIST ↔ Fashion-MNIST (A → B, diff and blm),
// points per minute with 1 and 2 workers (scaling ratio, wall time: that is what workers buy), and --estimate vs
// full simulation on the same points (speed ratio, and the estimate's error in cycles/energy/latency per switch).
//
//   node --import tsx bench/sweep.bench.ts
//     HA3M_BENCH_SWEEP_POINTS=N   simulate N points of the 100 (a seeded random subset; default 32; 100 = all)
//     HA3M_BENCH_SWEEP_ESTIMATE_ALL=0   skip the --estimate run of all 100 points
//     HA3M_BENCH_MODEL_A / _B     LeNet-5 model directories (MNIST / Fashion); default: train both briefly (QAT,
//                                 1 epoch on 6000 images — costs depend on the weights' distribution, not accuracy)
// Run it on an otherwise idle machine: two workers need two free cores. The sweeps run the built CLI
// (`node bin/ha3m.js sweep`, what users run; `npm run build` first — the bench refuses a dist older than src/), each in
// its own process, so the workers run compiled JS, not the TypeScript loader this file runs under.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import type { SweepRecord } from '../src/sweep/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'ha3m.js');
{
  const newest = (d: string): number => readdirSync(d, { withFileTypes: true })
    .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs), 0);
  const built = join(root, 'dist', 'src', 'cli', 'main.js');
  let builtAt = 0;
  try { builtAt = statSync(built).mtimeMs; } catch { /* not built */ }
  if (builtAt < newest(join(root, 'src'))) throw new Error(`${built} is missing or older than src/: run \`npm run build\` first`);
}
interface SweepRun { records: SweepRecord[] }

const dir = mkdtempSync(join(tmpdir(), 'ha3m-sweep-bench-'));
const nSim = Number(process.env.HA3M_BENCH_SWEEP_POINTS ?? 32);

async function model(envVar: string, data: string): Promise<string> {
  const given = process.env[envVar];
  if (given) return given;
  const out = join(dir, data);
  console.log(`training LeNet-5 on ${data} (QAT, 1 epoch, 6000 images) → ${out}`);
  await main(['node', 'ha3m', 'train', '--model', 'lenet5', '--data', data, '--epochs', '1', '--limit', '6000', '--qat', '--out', out, '--no-progress', '--json']);
  return join(out, 'model');
}

const modelA = await model('HA3M_BENCH_MODEL_A', 'mnist');
const modelB = await model('HA3M_BENCH_MODEL_B', 'fashion');
writeFileSync(join(dir, 'scenario.json'), JSON.stringify({
  name: 'LeNet-5 MNIST <-> Fashion', models: [{ name: 'A', path: modelA, task: 'mnist' }, { name: 'B', path: modelB, task: 'fashion' }],
  rounds: 1, strategies: ['diff', 'blm'], evalSamples: 100, calibSamples: 64,
}));
// 5 crossbar shapes × 5 verify budgets × 4 write-verify set-ups = 100 points, hardware only
const parameters = {
  'hardware.crossbar.rows,hardware.crossbar.cols': [[64, 64], [128, 128], [256, 256], [128, 64], [64, 256]],
  'hardware.programming.maxPulses': [60, 100, 200, 400, 800],
  'hardware.programming.scheme,hardware.programming.readsPerVerify': [['ispp', 1], ['ispp', 2], ['fppv', 1], ['adaptive', 1]],
};
const grid = (name: string, extra: object) => {
  const f = join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify({ name, scenario: 'scenario.json', parameters, ...extra }));
  return f;
};
const full = grid('full-grid', {});
// the simulated subset: a seeded random sample of the same grid, so its points are the grid's points
const subset = nSim >= 100 ? full : grid('subset', { mode: 'random', budget: nSim, seed: 7 });

async function timed(label: string, gridPath: string, workers: number, mode: 'simulate' | 'estimate'): Promise<{ run: SweepRun; seconds: number }> {
  const out = join(dir, label);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sweep', '--grid', gridPath, '--out', out, '--workers', String(workers),
    ...(mode === 'estimate' ? ['--estimate'] : []), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${label}: ha3m sweep exited with ${r.status}: ${r.stderr}`);
  const run: SweepRun = { records: readFileSync(join(out, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SweepRecord) };
  const failed = run.records.filter((r) => r.status === 'error');
  if (failed.length) throw new Error(`${label}: ${failed.length} points failed, e.g. ${failed[0]!.error}`);
  console.log(`${label.padEnd(28)} ${run.records.length} points in ${seconds.toFixed(1)} s = ${(60 * run.records.length / seconds).toFixed(2)} points/min`);
  return { run, seconds };
}

// workers load their models and datasets once; warm the page cache so both runs pay the same
const sim2 = await timed('simulate, 2 workers', subset, 2, 'simulate');
const sim1 = await timed('simulate, 1 worker', subset, 1, 'simulate');
const est1 = await timed('estimate, 1 worker', subset, 1, 'estimate');
const est2all = process.env.HA3M_BENCH_SWEEP_ESTIMATE_ALL === '0' ? null : await timed('estimate, 2 workers, all 100', full, 2, 'estimate');

const byId = (rs: SweepRecord[]) => new Map(rs.map((r) => [r.id, r]));
const sim = byId(sim2.run.records);
const errs: Record<string, number[]> = { cycles: [], energy: [], latency: [] };
for (const e of est1.run.records) {
  const s = sim.get(e.id)!;
  for (const strat of ['diff', 'blm'] as const) {
    const a = e.result!.strategies[strat]!, b = s.result!.strategies[strat]!;
    errs.cycles!.push((a.cyclesPerSwitch - b.cyclesPerSwitch) / b.cyclesPerSwitch);
    errs.energy!.push((a.energyPerSwitchJ - b.energyPerSwitchJ) / b.energyPerSwitchJ);
    errs.latency!.push((a.latencyPerSwitchS - b.latencyPerSwitchS) / b.latencyPerSwitchS);
  }
}
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log('\n## sweep throughput and estimate error');
console.log(`scaling, 2 workers vs 1 (same ${sim1.run.records.length} points, wall time): ${(sim1.seconds / sim2.seconds).toFixed(2)}× (goal ≥ 1.8×)`);
console.log(`estimate vs simulate speed (1 worker, same points): ${(sim1.seconds / est1.seconds).toFixed(1)}×`);
if (est2all) console.log(`full 100-point grid with --estimate on 2 workers: ${est2all.seconds.toFixed(1)} s (${(6000 / est2all.seconds).toFixed(1)} points/min)`);
// each worker first loads its modules, models and datasets; on a long sweep only the per-point time counts
const meanPoint = (r: SweepRun) => r.records.reduce((a, x) => a + x.seconds, 0) / r.records.length;
console.log(`mean seconds per point in a worker: 1 worker ${meanPoint(sim1.run).toFixed(2)} s, 2 workers ${meanPoint(sim2.run).toFixed(2)} s → steady-state scaling ${(2 * meanPoint(sim1.run) / meanPoint(sim2.run)).toFixed(2)}×`);
console.log(`simulated 100-point grid on 2 workers, projected: ${(100 * sim2.seconds / sim2.run.records.length / 60).toFixed(1)} min`);
for (const [k, v] of Object.entries(errs)) {
  const abs = v.map(Math.abs);
  console.log(`estimate error in ${k}/switch over ${v.length} point×strategy pairs: mean |err| ${pct(abs.reduce((a, b) => a + b, 0) / abs.length)}, max |err| ${pct(Math.max(...abs))}, mean signed ${pct(v.reduce((a, b) => a + b, 0) / v.length)}${k === 'cycles' ? ' (goal within 5 %)' : ''}`);
}
console.log(`(outputs in ${dir})`);

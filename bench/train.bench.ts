// Training throughput on MNIST, one process. First the GEMM alone (GFLOP/s of our kernel vs tf.matMul on stock and
// patched tfjs-wasm at the MLP's three training shapes), then a fixed sample count (default 1024 = 16 batches of 64,
// env HA3M_TRAIN_BENCH_SAMPLES; the cpu backend gets 256 / 128) of the MLP (784-256-128-10) and LeNet-5, Adam:
//   ha3m wasm   — tfjs-backend-wasm with our training kernels (src/training/kernels.ts), fused Adam (adam.ts) and the
//                 fused cross-entropy train() uses with our kernels (crossEntropyFused in train.ts)
//   stock wasm  — tfjs-backend-wasm as shipped with tf.train.adam and the composed tfjs loss (LeNet-5 cannot train: no
//                 Conv2DBackpropFilter)
//   stock wasm + host Adam — the stock kernels and loss with our Adam (MLP only: separates the kernels' and fused
//                 loss's share of the gain from Adam's)
//   cpu         — plain tfjs cpu backend with tf.train.adam
// Goals (training is the slow part of every experiment): ≥ 5× stock wasm on the MLP, ≥ 50× cpu on LeNet-5. Run: node --import tsx bench/train.bench.ts
// (HA3M_TRAIN_BENCH=gemm or =train runs one section). The wasm configurations run in HA3M_TRAIN_BENCH_ROUNDS (5)
// interleaved rounds; their ratios are medians of per-round ratios (the machine is shared; load swings hit all alike).
// PyTorch (optional; the goal is ≤ 3× its CPU time, what users compare against): HA3M_BENCH_PYTORCH=python (a Python with torch) runs
// bench/pytorch_train.py once per round, on one thread, same models, optimizer, batch and sample count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, type BackendOptions } from '../src/training/backend.js';
import { loadMnist } from '../src/training/data/datasets.js';
import { buildModel, type ZooModelName } from '../src/training/zoo.js';
import { train } from '../src/training/train.js';
import { gemm } from '../src/training/gemm.js';
import { initSync } from '../src/wasm/index.js';
import { arena } from '../src/wasm/arena.js';
import { RefRng } from '../src/reference/rng.js';
import { median, runTasks, type BenchRow, type BenchTask } from './util.js';

// ---- GEMM alone: our kernel on arena arrays vs tf.matMul through the backends (shapes of the MLP's training step) ----
type Shape = { label: string; m: number; n: number; k: number; ta: boolean; tb: boolean };
const shapes: Shape[] = [
  { label: 'fwd  x·W     64×256×784', m: 64, n: 256, k: 784, ta: false, tb: false },
  { label: 'dW   xᵀ·dy   784×256×64', m: 784, n: 256, k: 64, ta: true, tb: false },
  { label: 'dx   dy·Wᵀ   64×784×256', m: 64, n: 784, k: 256, ta: false, tb: true },
];
const gflops = (s: Shape, ms: number) => (2 * s.m * s.n * s.k) / ms / 1e6;
async function gemmSection(): Promise<void> {
  const rng = new RefRng(5, 1);
  const rnd = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() - 0.5);
  const tasks: BenchTask[] = [];
  const ins = shapes.map((s) => ({ a: rnd(s.m * s.k), b: rnd(s.k * s.n) }));
  initSync();
  const mark = arena.mark();
  shapes.forEach((s, i) => {
    const A = arena.from('f32', ins[i]!.a), B = arena.from('f32', ins[i]!.b), C = arena.alloc('f32', s.m * s.n, false);
    tasks.push({ name: `${s.label} ha3m gemm (arena)`, fn: () => gemm({ m: s.m, n: s.n, k: s.k, transA: s.ta, transB: s.tb, a: A, b: B, c: C }) });
  });
  const rows: BenchRow[] = [];
  rows.push(...await runTasks('GEMM kernel alone', tasks, { timeMs: 1500, rounds: 3 }));
  for (const patch of [true, false]) {
    await setupBackend({ backend: 'wasm', patchWasm: patch, log: null });
    const t: BenchTask[] = shapes.map((s, i) => {
      const a = tf.tensor2d(ins[i]!.a, s.ta ? [s.k, s.m] : [s.m, s.k]), b = tf.tensor2d(ins[i]!.b, s.tb ? [s.n, s.k] : [s.k, s.n]);
      return { name: `${s.label} tf.matMul ${patch ? 'ha3m wasm' : 'stock wasm'}`, fn: () => tf.tidy(() => { tf.matMul(a, b, s.ta, s.tb).dataSync(); }) };
    });
    rows.push(...await runTasks(`tf.matMul on ${patch ? 'ha3m' : 'stock'} wasm`, t, { timeMs: 1500, rounds: 3 }));
  }
  arena.release(mark);
  console.log('\nGFLOP/s (2mnk / time):');
  for (const s of shapes) {
    const f = (suffix: string) => { const r = rows.find((x) => x.name === `${s.label} ${suffix}`)!; return gflops(s, r.meanMs).toFixed(2).padStart(6); };
    console.log(`${s.label}: ha3m gemm ${f('ha3m gemm (arena)')}, tf.matMul ha3m wasm ${f('tf.matMul ha3m wasm')}, tf.matMul stock wasm ${f('tf.matMul stock wasm')}`);
  }
}
console.log(`load average at start: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const sections = (process.env.HA3M_TRAIN_BENCH ?? 'gemm,train').split(',');
if (sections.includes('gemm')) await gemmSection();
if (!sections.includes('train')) process.exit(0);

// ---- Training throughput: a fixed sample count per configuration; ratios are of per-sample times ----
const samples = Number(process.env.HA3M_TRAIN_BENCH_SAMPLES ?? 1024);
const cpuSamples = { mlp: 256, lenet5: 128 } as const; // the cpu backend is ~100× slower: fewer samples, same per-sample rate
const batchSize = 64;
const { train: mnist } = await loadMnist();
const subset = (n: number) => ({ ...mnist, n, images: mnist.images.subarray(0, n * 784), labels: mnist.labels.subarray(0, n) });

type Cfg = { label: string; backend: BackendOptions; optimizer: 'adam' | 'tfjs-adam'; only?: ZooModelName };
const cfgs: Cfg[] = [
  { label: 'ha3m wasm', backend: { backend: 'wasm', patchWasm: true }, optimizer: 'adam' },
  { label: 'stock wasm', backend: { backend: 'wasm', patchWasm: false }, optimizer: 'tfjs-adam' },
  { label: 'stock wasm + host Adam', backend: { backend: 'wasm', patchWasm: false }, optimizer: 'adam', only: 'mlp' },
  { label: 'cpu', backend: { backend: 'cpu' }, optimizer: 'tfjs-adam' },
];

const results = new Map<string, number | string>(); // ms per sample (wasm configs: median over interleaved rounds)
const roundRatios = new Map<string, number[]>(); // per-round time ratio vs ha3m wasm, same round
const rounds = Number(process.env.HA3M_TRAIN_BENCH_ROUNDS ?? 5);
const pytorch = process.env.HA3M_BENCH_PYTORCH;
const torchMs = new Map<string, number[]>(); // per round, ms per sample
function runPytorch(model: ZooModelName): number {
  const r = spawnSync(pytorch!, [fileURLToPath(new URL('./pytorch_train.py', import.meta.url)), String(samples), '1', model], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`HA3M_BENCH_PYTORCH=${pytorch}: bench/pytorch_train.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).msPerSample[model];
}
for (const model of ['mlp', 'lenet5'] as ZooModelName[]) {
  // wasm configurations run in interleaved rounds (each once per round), so load swings on the shared machine hit all alike
  const live: Array<{ c: Cfg; key: string; m: tf.LayersModel; data: ReturnType<typeof subset>; ms: number[] }> = [];
  for (const c of cfgs) {
    if ((c.only && c.only !== model) || c.label === 'cpu') continue;
    const key = `${model} / ${c.label}`;
    const data = subset(samples);
    await setupBackend({ ...c.backend, log: null });
    const m = buildModel(model, { seed: 1 });
    try {
      await train([{ name: 'warm', model: m, train: { ...data, n: batchSize } }], { epochs: 1, batchSize, optimizer: c.optimizer }); // warm-up (kernel setup, tier-up)
      live.push({ c, key, m, data, ms: [] });
    } catch (e) {
      results.set(key, `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 90)}`);
      m.dispose();
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const l of live) {
      await setupBackend({ ...l.c.backend, log: null });
      const t0 = performance.now();
      await train([{ name: 'mnist', model: l.m, train: l.data }], { epochs: 1, batchSize, seed: 1 + r, restoreBest: false, optimizer: l.c.optimizer });
      l.ms.push((performance.now() - t0) / samples);
    }
    if (pytorch && !results.has(`${model} / PyTorch CPU, 1 thread`)) {
      try {
        const v = torchMs.get(model) ?? []; v.push(runPytorch(model)); torchMs.set(model, v);
      } catch (e) {
        results.set(`${model} / PyTorch CPU, 1 thread`, `fails: ${(e as Error).message.slice(0, 120)}`);
      }
    }
  }
  const base = live.find((l) => l.c.label === 'ha3m wasm');
  if (pytorch && base && torchMs.get(model)?.length === rounds) {
    results.set(`${model} / PyTorch CPU, 1 thread`, median(torchMs.get(model)!));
    roundRatios.set(`${model} / vs PyTorch`, base.ms.map((v, i) => v / torchMs.get(model)![i]!));
  }
  for (const l of live) {
    results.set(l.key, median(l.ms));
    if (base && l !== base) roundRatios.set(l.key, l.ms.map((v, i) => v / base.ms[i]!));
    l.m.dispose();
  }
  // cpu: one sequential run of fewer samples
  const c = cfgs.find((x) => x.label === 'cpu')!;
  const n = cpuSamples[model as 'mlp' | 'lenet5'];
  await setupBackend({ ...c.backend, log: null });
  const m = buildModel(model, { seed: 1 });
  await train([{ name: 'warm', model: m, train: { ...subset(batchSize), n: batchSize } }], { epochs: 1, batchSize, optimizer: c.optimizer });
  const t0 = performance.now();
  await train([{ name: 'mnist', model: m, train: subset(n) }], { epochs: 1, batchSize, seed: 1, restoreBest: false, optimizer: c.optimizer });
  results.set(`${model} / cpu`, (performance.now() - t0) / n);
  m.dispose();
  for (const cfg of [...cfgs, ...(pytorch ? [{ label: 'PyTorch CPU, 1 thread' }] : [])]) {
    const key = `${model} / ${cfg.label}`, v = results.get(key);
    if (v === undefined) continue;
    const nn = cfg.label === 'cpu' ? n : samples;
    console.log(`${key.padEnd(34)} ${typeof v === 'number' ? `${(v * nn / 1000).toFixed(2).padStart(8)} s per ${nn} samples (${(1000 / v).toFixed(0)} samples/s)` : v}`);
  }
}

const t = (k: string) => results.get(k);
const speedup = (slow: string, fast: string) => {
  const rr = fast.endsWith('ha3m wasm') ? roundRatios.get(slow) : undefined;
  if (rr) return `${median(rr).toFixed(1)}× (median of ${rr.length} rounds; range ${Math.min(...rr).toFixed(1)}–${Math.max(...rr).toFixed(1)})`;
  const a = t(slow), b = t(fast);
  return typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(1)}×` : `n/a (${typeof a === 'number' ? fast : slow} ${typeof a === 'number' ? b : a})`;
};
console.log(`\n(stock wasm and cpu use tf.train.adam; ha3m uses its fused host Adam; batch ${batchSize}; load average now ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
console.log(`MLP:     ha3m wasm vs stock wasm ${speedup('mlp / stock wasm', 'mlp / ha3m wasm')} (goal ≥ 5×; kernels alone, both with host Adam: ${speedup('mlp / stock wasm + host Adam', 'mlp / ha3m wasm')}), vs cpu ${speedup('mlp / cpu', 'mlp / ha3m wasm')}`);
console.log(`LeNet-5: ha3m wasm vs cpu ${speedup('lenet5 / cpu', 'lenet5 / ha3m wasm')} (goal ≥ 50×), vs stock wasm ${speedup('lenet5 / stock wasm', 'lenet5 / ha3m wasm')}`);
for (const model of ['mlp', 'lenet5']) {
  const rr = roundRatios.get(`${model} / vs PyTorch`);
  if (rr) console.log(`${model.padEnd(8)} ha3m wasm takes ${median(rr).toFixed(1)}× PyTorch's CPU time (1 thread; median of ${rr.length} rounds, range ${Math.min(...rr).toFixed(1)}–${Math.max(...rr).toFixed(1)}; aim ≤ 3×)`);
}
tf.disposeVariables();

// Training throughput on MNIST: a fixed sample count (default 256 = 4 batches of 64, env HA3M_TRAIN_BENCH_SAMPLES)
// of LeNet-5 and of the MLP (784-256-128-10), Adam, one process:
//   ha3m wasm   — tfjs-backend-wasm with our training kernels (src/training/kernels.ts)
//   stock wasm  — tfjs-backend-wasm as shipped (LeNet-5 cannot train: no Conv2DBackpropFilter)
//   cpu         — plain tfjs cpu backend
// Goals (issue 6): ≥ 5× stock wasm on the MLP, ≥ 50× cpu on LeNet-5. Run: node --import tsx bench/train.bench.ts
import * as tf from '@tensorflow/tfjs';
import { Bench } from 'tinybench';
import { setupBackend, type BackendOptions } from '../src/training/backend.js';
import { loadMnist } from '../src/training/data/datasets.js';
import { buildModel, type ZooModelName } from '../src/training/zoo.js';
import { train } from '../src/training/train.js';

const samples = Number(process.env.HA3M_TRAIN_BENCH_SAMPLES ?? 256);
const batchSize = 64;
const { train: mnist } = await loadMnist();
const data = { ...mnist, n: samples, images: mnist.images.subarray(0, samples * 784), labels: mnist.labels.subarray(0, samples) };

type Cfg = { label: string; backend: BackendOptions };
const cfgs: Cfg[] = [
  { label: 'ha3m wasm', backend: { backend: 'wasm', patchWasm: true } },
  { label: 'stock wasm', backend: { backend: 'wasm', patchWasm: false } },
  { label: 'cpu', backend: { backend: 'cpu' } },
];

const results = new Map<string, number | string>();
for (const model of ['mlp', 'lenet5'] as ZooModelName[]) {
  for (const c of cfgs) {
    const key = `${model} / ${c.label}`;
    await setupBackend({ ...c.backend, log: null });
    const m = buildModel(model, { seed: 1 });
    const run = () => train([{ name: 'mnist', model: m, train: data }], { epochs: 1, batchSize, seed: 1, restoreBest: false });
    try {
      await train([{ name: 'warm', model: m, train: { ...data, n: batchSize } }], { epochs: 1, batchSize }); // warm-up (kernel setup, XNNPACK caches)
    } catch (e) {
      results.set(key, `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 90)}`);
      console.log(`${key.padEnd(24)} ${results.get(key)}`);
      m.dispose();
      continue;
    }
    const bench = new Bench({ iterations: c.label === 'cpu' ? 1 : 3, time: 0, warmup: false });
    bench.add(key, run);
    await bench.run();
    const r = bench.tasks[0]!.result as { state: string; latency?: { mean: number }; error?: Error };
    if (r.state !== 'completed' || !r.latency) results.set(key, `fails: ${r.error?.message ?? r.state}`);
    else results.set(key, r.latency.mean);
    const v = results.get(key)!;
    console.log(`${key.padEnd(24)} ${typeof v === 'number' ? `${(v / 1000).toFixed(2).padStart(8)} s per ${samples} samples (${(samples / v * 1000).toFixed(0)} samples/s)` : v}`);
    m.dispose();
  }
}

const t = (k: string) => results.get(k);
const speedup = (slow: string, fast: string) => {
  const a = t(slow), b = t(fast);
  return typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(1)}×` : `n/a (${typeof a === 'number' ? fast : slow} ${typeof a === 'number' ? b : a})`;
};
console.log(`\nMLP:     ha3m wasm vs stock wasm ${speedup('mlp / stock wasm', 'mlp / ha3m wasm')} (goal ≥ 5×), vs cpu ${speedup('mlp / cpu', 'mlp / ha3m wasm')}`);
console.log(`LeNet-5: ha3m wasm vs cpu ${speedup('lenet5 / cpu', 'lenet5 / ha3m wasm')} (goal ≥ 50×), vs stock wasm ${speedup('lenet5 / stock wasm', 'lenet5 / ha3m wasm')}`);
tf.disposeVariables();

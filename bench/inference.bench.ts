// Crossbar-simulated inference throughput (images/s) for LeNet-5 on MNIST: on-crossbar ideal and analog (wasm
// kernels), the software-quantized model (plain TS integer matmul: the reference path), the float model through our
// TS host ops, and the same model's predict() on the tfjs wasm backend, with its stock kernels (the baseline of the
// goal) and with ha3m's training kernels registered (what `ha3m train` runs on) — all in one run.
// Run: node --import tsx bench/inference.bench.ts
import * as tf from '@tensorflow/tfjs';
import { initSync } from '../src/wasm/index.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { CrossbarPool } from '../src/hardware/pool.js';
import { importLayersModel } from '../src/mapping/import.js';
import { mapModel } from '../src/mapping/map.js';
import { quantizeModel, programModel, CrossbarEngine } from '../src/inference/index.js';
import { setupBackend } from '../src/training/backend.js';
import { patchWasmKernels, unpatchWasmKernels } from '../src/training/kernels.js';
import { buildModel } from '../src/training/zoo.js';
import { loadTask } from '../src/training/data/datasets.js';
import { runTasks, ratio } from './util.js';

initSync();
await setupBackend({ backend: 'wasm', log: () => {} });
const task = await loadTask('mnist', { limit: 600 });
const tfModel = buildModel('lenet5', { seed: 1 });
const model = importLayersModel(tfModel);
const cfg = resolveHardware();
const batch = 64;
const x = task.test.images.slice(0, batch * 784);
const qm = quantizeModel(model, cfg, task.train.images.slice(0, 64 * 784), 64);
const placement = mapModel(model, cfg);
const pool = new CrossbarPool(cfg, { numCrossbars: placement.crossbars, seed: 1 });
programModel(qm, placement, pool);
const engine = new CrossbarEngine(qm, placement, pool);
engine.run(x, batch, 'analog'); // calibrate the ADC once, outside the timing
const xt = tf.tensor4d(x, [batch, 28, 28, 1]);
const predict = () => { const y = tfModel.predict(xt) as tf.Tensor; y.dataSync(); y.dispose(); };

const rows = await runTasks(`LeNet-5 inference, batch ${batch}`, [
  { name: 'on-crossbar ideal (wasm)', fn: () => engine.run(x, batch, 'ideal') },
  { name: 'on-crossbar analog (wasm)', fn: () => engine.run(x, batch, 'analog') },
  { name: 'quantized software model (TS reference)', fn: () => engine.run(x, batch, 'quantized') },
  { name: 'float model, TS host ops', fn: () => engine.run(x, batch, 'float') },
  { name: 'tfjs-wasm predict (float)', fn: () => { unpatchWasmKernels(); predict(); patchWasmKernels(); } },
  { name: 'tfjs-wasm + ha3m kernels predict (float)', fn: predict },
], { timeMs: 3000 });
const ips = (name: string) => batch / (rows.find((r) => r.name === name)!.meanMs / 1000);
for (const r of rows) console.log(`${r.name.padEnd(44)} ${ips(r.name).toFixed(0).padStart(8)} images/s`);
console.log(`\nideal (wasm) vs quantized TS reference: ${ratio(rows, 'quantized software model (TS reference)', 'on-crossbar ideal (wasm)').toFixed(2)}×`);
console.log(`ideal vs tfjs-wasm predict:             ${ratio(rows, 'tfjs-wasm predict (float)', 'on-crossbar ideal (wasm)').toFixed(2)}×  (goal ≥ 0.5×)`);
console.log(`analog vs tfjs-wasm predict:            ${ratio(rows, 'tfjs-wasm predict (float)', 'on-crossbar analog (wasm)').toFixed(2)}×`);
console.log(`ideal vs predict with ha3m's kernels:   ${ratio(rows, 'tfjs-wasm + ha3m kernels predict (float)', 'on-crossbar ideal (wasm)').toFixed(2)}×`);

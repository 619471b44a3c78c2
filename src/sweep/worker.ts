// A sweep worker thread: owns its own wasm instance and model cache, runs the points it is sent one at a time.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initSync } from '../wasm/index.js';
import type { ModelCache } from '../scenario/load.js';
import { runPoint, type PointTask } from './point.js';

if (!parentPort) throw new Error('src/sweep/worker.ts is a worker thread entry; start sweeps with runSweep()');
const port = parentPort;
initSync();
const cache: ModelCache = new Map();
let ready: Promise<unknown> | null = null;

port.on('message', (msg: { type: 'point'; task: PointTask }) => {
  if (msg.type !== 'point') return;
  void (async () => {
    // model import runs tfjs; the cpu backend is enough for it (the simulation is ours, in wasm)
    // (PROD silences tfjs's per-thread "install the node backend" banner; it only affects tfjs's own warnings/checks)
    ready ??= tf.setBackend('cpu').then(() => { tf.env().set('PROD', true); return tf.ready(); });
    await ready;
    const record = await runPoint(msg.task, cache);
    port.postMessage({ type: 'record', record });
  })();
});
port.postMessage({ type: 'ready' });

// A small pool of worker threads, one point in flight per worker; a worker that dies (crash, out of memory) has its
// point recorded as failed and is replaced, so one bad point never stops the sweep.
import { Worker } from 'node:worker_threads';
import { SWEEP_SCHEMA, type SweepRecord } from './types.js';
import type { PointTask } from './point.js';

// From the build the worker is the compiled .js; under tsx (tests, benches) it is the .ts source, and worker threads
// do not inherit tsx's loader, so a small bootstrap registers it before importing the worker.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './worker.ts' : './worker.js', import.meta.url);
const newWorker = (url: URL): Worker => (url.pathname.endsWith('.ts')
  ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })
  : new Worker(url));

export interface PoolOptions {
  workers: number;
  /** Called in the main thread with each finished point, in completion order. */
  onRecord: (r: SweepRecord) => void;
  /** Stop handing out points (e.g. on SIGINT); running points finish. */
  shouldStop?: () => boolean;
  /** The worker module (default: ./worker); tests swap in one that crashes. */
  workerUrl?: URL;
}

interface Slot { worker: Worker; task: PointTask | null; started: number; ready: boolean }

export function runPool(tasks: PointTask[], opts: PoolOptions): Promise<void> {
  const queue = [...tasks];
  const nWorkers = Math.max(1, Math.min(opts.workers, queue.length));
  if (queue.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let live = 0;
    let failed = false;
    const finishIfIdle = () => { if (live === 0 && !failed) resolve(); };
    const next = (slot: Slot) => {
      const task = opts.shouldStop?.() ? undefined : queue.shift();
      if (!task) { slot.task = null; live--; void slot.worker.terminate(); finishIfIdle(); return; }
      slot.task = task; slot.started = performance.now();
      slot.worker.postMessage({ type: 'point', task });
    };
    const spawn = () => {
      const slot: Slot = { worker: newWorker(opts.workerUrl ?? WORKER_URL), task: null, started: 0, ready: false };
      live++;
      slot.worker.on('message', (m: { type: string; record?: SweepRecord }) => {
        if (m.type === 'ready') { slot.ready = true; next(slot); }
        else if (m.type === 'record' && m.record) {
          try { opts.onRecord(m.record); } catch (e) { failed = true; void Promise.all(all.map((s) => s.worker.terminate())); reject(e); return; }
          next(slot);
        }
      });
      const died = (why: string) => {
        if (failed) return;
        if (!slot.ready) { // the worker could not even start: every point would fail the same way
          failed = true;
          void Promise.all(all.map((s) => s.worker.terminate()));
          reject(new Error(`a sweep worker failed to start (${why})`));
          return;
        }
        if (slot.task === null) return;
        const t = slot.task;
        slot.task = null;
        live--;
        try {
          opts.onRecord({ schema: SWEEP_SCHEMA, sweep: t.sweep, id: t.point.id, index: t.point.index, params: t.point.params, mode: t.mode,
            status: 'error', error: `the worker running this point died (${why})`, seconds: (performance.now() - slot.started) / 1000 });
        } catch (e) { failed = true; reject(e); return; }
        if (queue.length > 0 && !opts.shouldStop?.()) all.push(spawn());
        finishIfIdle();
      };
      slot.worker.on('error', (e) => died(e.message));
      slot.worker.on('exit', (code) => died(`exit code ${code}`));
      return slot;
    };
    const all: Slot[] = [];
    for (let i = 0; i < nWorkers; i++) all.push(spawn());
  });
}

// How many worker threads a sweep runs: what was asked for, capped by the cores (a point is CPU-bound: more
// threads than cores only add memory) and by the memory available (each worker holds its own wasm memory, TF.js
// and loaded models: 6 workers of LeNet-5 points on a 2-core machine reached 3.7 GB).
import { availableParallelism, freemem } from 'node:os';

/** Memory one worker may need (LeNet-5-sized points take ~0.6 GB; kept on the safe side). */
export const WORKER_MEMORY_BYTES = 1 << 30;

export interface WorkerPlan {
  workers: number;
  /** Why fewer workers than asked for run (null when the request stands). */
  note: string | null;
}

/** requested: --workers (undefined = all cores; 0 = the main thread, never capped). */
export function planWorkers(requested: number | undefined, machine: { cores?: number; availableBytes?: number } = {}): WorkerPlan {
  if (requested === 0) return { workers: 0, note: null };
  const cores = machine.cores ?? availableParallelism();
  const avail = machine.availableBytes ?? freemem();
  const byMemory = Math.max(1, Math.floor(avail / WORKER_MEMORY_BYTES));
  const cap = Math.max(1, Math.min(cores, byMemory));
  const want = requested ?? cores;
  if (want <= cap) return { workers: want, note: null };
  const gb = (b: number) => (b / 1e9).toFixed(1);
  const why = byMemory < cores
    ? `${gb(avail)} GB of memory is available and a worker may need ~${gb(WORKER_MEMORY_BYTES)} GB`
    : `this machine has ${cores} core${cores > 1 ? 's' : ''}`;
  return { workers: cap, note: `running ${cap} worker${cap > 1 ? 's' : ''}, not ${want}: ${why}` };
}

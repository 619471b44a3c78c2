// The simulation worker: loads the wasm (same embedded bytes as Node) and serves the methods of protocol.ts, so the
// page stays responsive while kernels run. Handlers are plain functions of (params, progress), in sim/*.ts; this
// file only dispatches, and makes sure every request ends in exactly one result or one error message.
import { init, wasm, wasmSha256 } from '../../src/wasm/index.js';
import { hardwarePresets, presetNames } from '../../src/hardware/index.js';
import { runFingerprint } from '../shared/fingerprint.js';
import { checkSeed } from './inputs.js';
import type { Method, Methods, ProgressFn, WorkerReply, WorkerRequest } from './protocol.js';
import { mapAction, mvmAction, programAction } from './sim/actions.js';
import { configSummary, presetValues, problemsOf } from './sim/hardware.js';
import { importDroppedModel } from './sim/import.js';
import { listModels } from './sim/models.js';
import { strategyInfos, switchAction } from './sim/switching.js';

type Handler<M extends Method> = (params: Methods[M]['params'], progress: ProgressFn) => Methods[M]['result'] | Promise<Methods[M]['result']>;

const handlers: { [M in Method]: Handler<M> } = {
  hello: () => ({
    wasmSha256,
    presets: presetNames().map((name) => ({ name, description: hardwarePresets[name]!.description })),
    capabilities: Object.keys(handlers),
    strategies: strategyInfos(),
  }),
  config: ({ hardware }) => {
    const problems = problemsOf(hardware);
    return { summary: problems.length ? null : configSummary(hardware), problems, presetValues: presetValues(hardware.preset) };
  },
  models: () => listModels(),
  importModel: ({ files }) => importDroppedModel(files),
  map: (p) => mapAction(p),
  program: (p, progress) => programAction(p, progress),
  switch: (p, progress) => switchAction(p, progress),
  mvmDemo: (p, progress) => mvmAction(p, progress),
  fingerprint: ({ seed }) => runFingerprint(checkSeed(seed)),
};

const scope = globalThis as unknown as {
  postMessage(m: WorkerReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  addEventListener(type: 'unhandledrejection' | 'error', f: (e: { reason?: unknown; error?: unknown; message?: string; preventDefault(): void }) => void): void;
};

function transferables(v: unknown, out: Transferable[] = [], depth = 0): Transferable[] {
  if (depth > 5 || v === null || typeof v !== 'object') return out;
  if (ArrayBuffer.isView(v)) {
    // never the wasm memory itself (it cannot be transferred, and must not be)
    if (v.buffer instanceof ArrayBuffer && v.buffer !== wasm().memory.buffer && !out.includes(v.buffer)) out.push(v.buffer);
  } else for (const x of Object.values(v)) transferables(x, out, depth + 1);
  return out;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The request being served. An error that escapes its handler (a library callback throwing outside the handler's
 * promise chain) still ends it with that error, and the next request is served even if the handler never settles.
 */
let current: { id: number; escaped(err: unknown): void } | null = null;
function failCurrent(err: unknown): void {
  current?.escaped(err);
}
scope.addEventListener('unhandledrejection', (e) => { e.preventDefault(); failCurrent(e.reason); });
scope.addEventListener('error', (e) => { e.preventDefault(); failCurrent(e.error ?? e.message); });

const ready = init();
// Requests are served one at a time (the page sends one action at a time; a queue keeps `current` exact anyway).
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e) => { queue = queue.then(() => serve(e.data)); };

async function serve({ id, method, params }: WorkerRequest): Promise<void> {
  const t0 = performance.now();
  const escaped = new Promise<never>((_, fail) => { current = { id, escaped: fail }; });
  escaped.catch(() => {}); // raced below; a rejection before the race is reported through the race too
  try {
    await ready;
    const handler = handlers[method] as Handler<Method> | undefined;
    if (!handler) throw new Error(`unknown method "${method}"; the worker knows: ${Object.keys(handlers).join(', ')}`);
    let last = 0;
    const progress: ProgressFn = (done, total, label) => {
      const now = performance.now();
      if (now - last < 50 && done < total) return; // at most ~20 updates per second
      last = now;
      scope.postMessage({ id, kind: 'progress', done, total, label });
    };
    const result = await Promise.race([handler(params as never, progress), escaped]);
    scope.postMessage({ id, kind: 'result', result, ms: performance.now() - t0 }, transferables(result));
  } catch (err) {
    scope.postMessage({ id, kind: 'error', message: message(err) });
  } finally {
    current = null;
  }
}

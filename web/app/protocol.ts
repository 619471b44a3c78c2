// Page ⇄ simulation-worker protocol. The page sends { id, method, params }; the worker answers with any number of
// progress messages and then exactly one result or error for that id. `Methods` is the single list of what the
// worker can do: a new capability is one entry here, one handler in worker.ts and one control in main.ts.
import type { FingerprintSummary } from '../shared/fingerprint.js';

export interface PresetInfo { name: string; description: string }

/** A grid of per-cell values for the canvas heatmap (row-major). */
export interface Heatmap {
  title: string;
  rows: number;
  cols: number;
  values: Float32Array;
  /** Colour scale bounds; values outside are clipped. */
  min: number;
  max: number;
  unit: string;
  /** Draw values below `min` as empty (light grey) instead of clipping them to the first colour. */
  blankBelowMin?: boolean;
}

export interface ModelInfo { id: string; label: string; layers: { name: string; rows: number; cols: number }[] }

export interface Metric { label: string; value: string; hint?: string }

export interface ConfigSummary {
  preset: string;
  description: string;
  metrics: Metric[];
  json: string;
}

export interface DemoResult {
  metrics: Metric[];
  heatmap: Heatmap | null;
}

export interface Methods {
  hello: { params: Record<string, never>; result: { wasmSha256: string; presets: PresetInfo[]; capabilities: string[]; strategies: StrategyInfo[] } };
  config: { params: { preset: string }; result: ConfigSummary };
  /** Encode a seeded random layer onto crossbars and run ideal + analog MVMs. */
  mvmDemo: { params: { preset: string; seed: number; rows: number; cols: number; batch: number }; result: DemoResult };
  models: { params: Record<string, never>; result: ModelInfo[] };
  /** Loads a TF.js LayersModel from dropped files (model.json + weight shards); it joins the model list. */
  importModel: { params: { files: File[] }; result: ModelInfo };
  fingerprint: { params: { seed: number }; result: FingerprintSummary };
  /** Baseline or XAMM placement of a built-in model shape; heatmap = which layer occupies each crossbar cell. */
  map: { params: { preset: string; model: string; scheme: 'baseline' | 'xamm' }; result: DemoResult };
  /** Quantize, map and write-verify program a model into a fresh pool; infer ideal and analog. */
  program: { params: { preset: string; model: string; scheme: 'baseline' | 'xamm'; seed: number }; result: DemoResult };
  /** Program model A, then switch the pool to model B under a strategy; heatmap = cycles spent per cell. */
  switch: { params: { preset: string; modelA: string; modelB: string; scheme: 'baseline' | 'xamm'; strategy: string; seed: number }; result: DemoResult };
}

export interface StrategyInfo { id: string; label: string; description: string }
export type Method = keyof Methods;

export interface WorkerRequest { id: number; method: Method; params: unknown }
export type WorkerReply =
  | { id: number; kind: 'progress'; done: number; total: number; label: string }
  | { id: number; kind: 'result'; result: unknown; ms: number }
  | { id: number; kind: 'error'; message: string };

export type ProgressFn = (done: number, total: number, label: string) => void;

/** Page-side client: one pending promise per request id. */
export class WorkerClient {
  private next = 1;
  private readonly pending = new Map<number, { ok(v: { result: unknown; ms: number }): void; fail(e: Error): void; progress?: ProgressFn }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const m = e.data, p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') p.progress?.(m.done, m.total, m.label);
      else {
        this.pending.delete(m.id);
        if (m.kind === 'result') p.ok({ result: m.result, ms: m.ms });
        else p.fail(new Error(m.message));
      }
    };
    worker.onerror = (e) => {
      const err = new Error(`simulation worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.fail(err);
      this.pending.clear();
    };
  }

  call<M extends Method>(method: M, params: Methods[M]['params'], progress?: ProgressFn): Promise<{ result: Methods[M]['result']; ms: number }> {
    const id = this.next++;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok: ok as (v: { result: unknown; ms: number }) => void, fail, progress });
      this.worker.postMessage({ id, method, params } satisfies WorkerRequest);
    });
  }
}

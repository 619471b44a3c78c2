// Page ⇄ simulation-worker protocol. The page sends { id, method, params }; the worker answers with any number of
// progress messages and then exactly one result or error for that id. `Methods` is the single list of what the
// worker can do: a new capability is one entry here, one handler in worker.ts and one control in main.ts.
import type { FingerprintSummary } from '../shared/fingerprint.js';
import type { HardwareChoice, Mapping } from './inputs.js';

export interface PresetInfo { name: string; description: string }

/** How the values of a crossbar map are coloured. */
export type MapScale =
  | { kind: 'continuous'; min: number; max: number; unit: string; /** when set, values of exactly 0 are drawn grey, with this label */ zero?: string }
  | { kind: 'categorical'; categories: { value: number; label: string }[]; /** label of value 0 */ empty: string };

/**
 * Per-cell values of several crossbars, each `rows × cols` after averaging `ds × ds` physical cells (ds = 1: every
 * cell), crossbar after crossbar in `values`. The page draws them paged, one canvas per crossbar.
 */
export interface CrossbarMaps {
  /** Short name when a result has several maps (one per strategy), e.g. "BLM". */
  name: string;
  title: string;
  /** What a value is, for the hover read-out ("write-verify cycles", "layer"). */
  quantity: string;
  crossbars: number[];
  rows: number;
  cols: number;
  /** Physical size of a crossbar, and how many physical cells one value stands for (ds × ds). */
  physRows: number;
  physCols: number;
  ds: number;
  values: Float32Array;
  scale: MapScale;
  /** One line per crossbar (same order): the text alternative of its picture. */
  summaries: string[];
}

export interface ModelInfo {
  id: string;
  label: string;
  layers: { name: string; rows: number; cols: number }[];
  /** Id of the MMR-merged version of this model (the ha3m strategy switches those), when there is one. */
  merged?: string;
  /** Whether the model has weights (false: layer shapes only, for mapping). */
  weights: boolean;
}

export interface Metric { label: string; value: string; hint?: string }

export interface ConfigProblem { fields: string[]; message: string }

export interface ConfigSummary {
  preset: string;
  description: string;
  metrics: Metric[];
  /** The resolved config (preset + edits), as the CLI's `ha3m config --json` prints it. */
  json: string;
}

/** What a result is about: every result shows this first, and downloads carry it. */
export interface ResultHeader {
  action: string;
  models: string[];
  preset: string;
  /** Config fields changed from the preset ("crossbar.rows = 64"). */
  edits: string[];
  seed: number;
  mapping: Mapping;
  strategy?: string;
  poolCrossbars?: number;
}

/** One row of the strategy comparison (one switch A → B). */
export interface ComparisonRow {
  strategy: string;
  label: string;
  /** The models switched (merged versions for ha3m). */
  from: string;
  to: string;
  cycles: number;
  setPulses: number;
  resetPulses: number;
  energyJ: number;
  latencyS: number;
  cellsTouched: number;
  cellsTargeted: number;
  failures: number;
  crossbarsUsed: number;
  /** Accuracy of B on the crossbars after the switch (test set), or top-1 agreement with float when unlabelled. */
  accuracyKind: 'test accuracy' | 'top-1 agreement with float';
  accuracyIdeal: number;
  accuracyAnalog: number;
  /** Cycles of programming A from reset, before the switch. */
  programACycles: number;
}

export interface ActionResult {
  header: ResultHeader;
  /** The resolved hardware config the action ran with (what `ha3m config --json` prints for it). */
  config?: unknown;
  metrics: Metric[];
  /** Heatmaps, one set per strategy for a switch (the page shows one at a time). */
  maps: CrossbarMaps[];
  /** Switches: one comparison row per strategy run (the page collects rows of the same context into its table). */
  rows?: ComparisonRow[];
  /** Strategies asked for but not run (skipUnavailable), with why. */
  skipped?: { strategy: string; label: string; reason: string }[];
}

export interface Methods {
  hello: { params: Record<string, never>; result: { wasmSha256: string; presets: PresetInfo[]; capabilities: string[]; strategies: StrategyInfo[] } };
  /** Validates a hardware choice (same schema as the CLI): the summary, or every problem with the fields it names. */
  config: { params: { hardware: HardwareChoice }; result: { summary: ConfigSummary | null; problems: ConfigProblem[]; presetValues: Record<string, number | string> } };
  /** Encode a seeded random layer onto crossbars and run ideal + analog MVMs. */
  mvmDemo: { params: { hardware: HardwareChoice; seed: number; model: string }; result: ActionResult };
  models: { params: Record<string, never>; result: ModelInfo[] };
  /** Loads a model from dropped files (TF.js model.json + weight files); it joins the model list. */
  importModel: { params: { files: File[] }; result: ModelInfo };
  fingerprint: { params: { seed: number }; result: FingerprintSummary };
  /** Baseline or XAMM placement of a model; maps = which layer occupies each crossbar cell. */
  map: { params: { hardware: HardwareChoice; model: string; mapping: Mapping; seed: number }; result: ActionResult };
  /** Quantize, map and write-verify program a model into a fresh pool; infer ideal and analog. */
  program: { params: { hardware: HardwareChoice; model: string; mapping: Mapping; seed: number }; result: ActionResult };
  /** Program model A, then switch the pool to model B under each strategy asked; maps = cycles per cell. */
  switch: {
    params: { hardware: HardwareChoice; modelA: string; modelB: string; mapping: Mapping; strategies: string[]; seed: number; /** skip strategies these models cannot run (HA3M without merged versions) instead of failing */ skipUnavailable?: boolean };
    result: ActionResult;
  };
}

export interface StrategyInfo { id: string; label: string; description: string; merged: boolean }
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
    // An error that escaped the worker's handlers (the worker reports its own errors per request; this is the
    // last resort): fail what is pending with the message, without the browser's "Uncaught" prefix.
    worker.onerror = (e) => {
      e.preventDefault();
      const err = new Error(`the simulation worker stopped on an unexpected error: ${e.message.replace(/^Uncaught\s+/, '')}`);
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

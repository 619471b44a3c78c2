// The summary table shared by the Markdown, HTML and JSON summaries: one row per strategy, headline numbers and
// their formatted cells. Pure.
import type { Accuracies, AccuracyKind, ModelBudget, Results, StrategyResult, TrainingBudgets } from './types.js';

export const STRATEGY_ORDER = ['full', 'diff', 'blm', 'ha3m'];

/** Strategies in the canonical order full, diff, blm, ha3m, then any others by key. */
export function orderedStrategies(r: Results): StrategyResult[] {
  const keys = Object.keys(r.strategies);
  const known = STRATEGY_ORDER.filter((k) => keys.includes(k));
  return [...known, ...keys.filter((k) => !STRATEGY_ORDER.includes(k)).sort()].map((k) => r.strategies[k]!);
}

/** Model names: scenario order. */
export function modelNames(r: Results): string[] {
  return r.scenario.models.map((m) => m.name);
}

/** Percent reduction of `value` relative to `reference` (positive = fewer); null without a usable reference. */
export function reductionPercent(value: number, reference: number | undefined): number | null {
  if (reference === undefined || !(reference > 0)) return null;
  return (1 - value / reference) * 100;
}

function group(n: number): string {
  const neg = n < 0;
  const s = Math.round(Math.abs(n)).toString();
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? '-' + out : out;
}

/** Integer with thousands separators; large values in engineering form. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1e9) return fmtSig(n, 3);
  if (Math.abs(n) < 100 && !Number.isInteger(n)) return fmtSig(n, 3);
  return group(n);
}

/** `digits` significant digits, no exponent for ordinary magnitudes. */
export function fmtSig(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 1e9 || a < 1e-3) return n.toExponential(digits - 1).replace('e+', 'e');
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  const s = n.toFixed(decimals);
  return a >= 1000 ? group(Number(s)) : s;
}

export function fmtPercent(p: number | null, decimals = 1): string {
  return p === null || !Number.isFinite(p) ? '—' : `${p.toFixed(decimals)} %`;
}

export function fmtAccuracy(a: number | null | undefined, decimals = 1): string {
  return a === null || a === undefined || !Number.isFinite(a) ? '—' : (a * 100).toFixed(decimals);
}

/** "98.62 (98.38–98.83)": an accuracy in percent with its 95 % interval; n appended when asked. */
export function fmtAccuracyCi(a: Accuracies | undefined, kind: AccuracyKind, withN = false): string {
  const v = a?.[kind], ci = a?.ci95[kind], n = a?.samples[kind];
  if (v === null || v === undefined || !ci) return '—';
  return `${fmtAccuracy(v, 2)} (${fmtAccuracy(ci[0], 2)}–${fmtAccuracy(ci[1], 2)}${withN && n ? `, n = ${fmtCount(n)}` : ''})`;
}

export interface SummaryRow {
  strategy: string;
  cyclesPerSwitch: number;
  /** Percent fewer cycles per switch than `full` / `diff`; null for the reference itself or when absent. */
  reductionVsFull: number | null;
  reductionVsDiff: number | null;
  energyPerSwitchUJ: number;
  latencyPerSwitchMs: number;
  cellsTouchedPerSwitch: number;
  failuresPerSwitch: number;
  /** Per model: on-crossbar ideal and analog accuracy in percent (null when not measured), their 95 % intervals and n. */
  accuracy: Record<string, {
    ideal: number | null; analog: number | null; quantized: number | null;
    ci95: Accuracies['ci95'] | null; samples: Accuracies['samples'] | null;
  }>;
  cells: string[];
}

export interface SummaryTable {
  columns: string[];
  /** Column alignment: true = right (numbers). */
  numeric: boolean[];
  rows: SummaryRow[];
}

/** The cost table: one row per strategy (cells), with each model's accuracies kept in the rows for summaryJson. */
export function summaryTable(r: Results): SummaryTable {
  const models = modelNames(r);
  const full = r.strategies.full?.cyclesPerSwitch;
  const diff = r.strategies.diff?.cyclesPerSwitch;
  const columns = ['strategy', 'cycles/switch', 'vs full', 'vs diff', 'energy (µJ)', 'latency (ms)', 'cells touched', 'failures'];
  const numeric = columns.map((_, i) => i > 0);
  const rows = orderedStrategies(r).map((s): SummaryRow => {
    const pct = (a: number | null | undefined) => (a === null || a === undefined ? null : a * 100);
    const accuracy: SummaryRow['accuracy'] = {};
    for (const m of models) {
      const a = s.accuracy[m];
      accuracy[m] = { ideal: pct(a?.ideal), analog: pct(a?.analog), quantized: pct(a?.quantized), ci95: a?.ci95 ?? null, samples: a?.samples ?? null };
    }
    const row: SummaryRow = {
      strategy: s.name,
      cyclesPerSwitch: s.cyclesPerSwitch,
      reductionVsFull: s.name === 'full' ? null : reductionPercent(s.cyclesPerSwitch, full),
      reductionVsDiff: s.name === 'diff' || s.name === 'full' ? null : reductionPercent(s.cyclesPerSwitch, diff),
      energyPerSwitchUJ: s.energyPerSwitchJ * 1e6,
      latencyPerSwitchMs: s.latencyPerSwitchS * 1e3,
      cellsTouchedPerSwitch: s.cellsTouchedPerSwitch,
      failuresPerSwitch: s.failuresPerSwitch,
      accuracy,
      cells: [],
    };
    row.cells = [
      s.name,
      fmtCount(row.cyclesPerSwitch),
      fmtPercent(row.reductionVsFull),
      fmtPercent(row.reductionVsDiff),
      fmtSig(row.energyPerSwitchUJ, 3),
      fmtSig(row.latencyPerSwitchMs, 3),
      fmtCount(row.cellsTouchedPerSwitch),
      Number.isInteger(row.failuresPerSwitch) ? String(row.failuresPerSwitch) : row.failuresPerSwitch.toFixed(1),
    ];
    return row;
  });
  return { columns, numeric, rows };
}

/** The claimed accuracies' sample count when it is the same for every cell of the accuracy table, else null. */
export function uniformClaimSamples(r: Results): number | null {
  const ns = new Set<number>();
  for (const s of orderedStrategies(r)) {
    for (const m of modelNames(r)) {
      const a = s.accuracy[m];
      if (a?.samples.ideal) ns.add(a.samples.ideal);
      if (a?.samples.analog) ns.add(a.samples.analog);
    }
  }
  return ns.size === 1 ? [...ns][0]! : null;
}

/**
 * The accuracy table: one row per strategy, per model its on-crossbar ideal and analog accuracy (percent) with the
 * 95 % Wilson interval — each model as measured the last time it was resident. n is in the cells only when the
 * claims were measured on different numbers of images (otherwise the caller states it once).
 */
export function accuracyTable(r: Results): { columns: string[]; numeric: boolean[]; rows: string[][] } {
  const models = modelNames(r);
  const withN = uniformClaimSamples(r) === null;
  const columns = ['strategy', ...models.flatMap((m) => [`${m} ideal %`, `${m} analog %`])];
  const rows = orderedStrategies(r).map((s) => [
    s.name, ...models.flatMap((m) => [fmtAccuracyCi(s.accuracy[m], 'ideal', withN), fmtAccuracyCi(s.accuracy[m], 'analog', withN)]),
  ]);
  return { columns, numeric: columns.map((_, i) => i > 0), rows };
}

/** Accuracy gaps in points of `strategy` against `reference` per model and kind, e.g. "A ideal −0.31, analog −1.20". */
export function accuracyGaps(r: Results, strategy = 'ha3m', reference = 'full'): string | null {
  const s = r.strategies[strategy], ref = r.strategies[reference];
  if (!s || !ref) return null;
  const parts: string[] = [];
  for (const m of modelNames(r)) {
    const d = (k: 'ideal' | 'analog') => {
      const a = s.accuracy[m]?.[k], b = ref.accuracy[m]?.[k];
      return a === null || a === undefined || b === null || b === undefined ? null : (a - b) * 100;
    };
    const fmt = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`);
    parts.push(`${m} ideal ${fmt(d('ideal'))}, analog ${fmt(d('analog'))}`);
  }
  return `${strategy} − ${reference}, in points: ${parts.join('; ')}`;
}

/** Short sequence text: A → B → A → B (… N switches). */
export function sequenceText(seq: string[], max = 8): string {
  const shown = seq.slice(0, max).join(' → ');
  return seq.length > max ? `${shown} → … (${seq.length} models programmed)` : shown;
}

/** The scenario header lines (plain text, label: value). */
export function scenarioFacts(r: Results): Array<[string, string]> {
  const c = r.config;
  const sc = r.scenario;
  const switches = Math.max(0, sc.sequence.length - 1);
  const prog = (c.programming ?? {}) as Partial<Results['config']['programming']>;
  const cells = (c.cells ?? {}) as Partial<Results['config']['cells']>;
  return [
    ['scenario', sc.name || '(unnamed)'],
    ['models', sc.models.map((m) => `${m.name} = ${m.architecture} on ${m.task} (${m.crossbars} crossbars)`).join('; ')],
    ['sequence', `${sequenceText(sc.sequence)} — ${switches} switch${switches === 1 ? '' : 'es'} after the initial programming`],
    ['pool', `${sc.poolCrossbars} crossbars of ${c.crossbar.rows}×${c.crossbar.cols}, mapping ${sc.mapping}`],
    [
      'device',
      `${c.device.name}` +
        (cells.cellBits !== undefined ? `, ${cells.cellBits}-bit cells` : '') +
        (cells.sign ? ` ${cells.sign}` : '') +
        (prog.scheme ? `, ${prog.scheme} write-verify` : '') +
        (prog.parallelism ? `, ${prog.parallelism}-parallel latency` : ''),
    ],
    ['accuracy', accuracyFact(r)],
    ...(r.training ? [['training', trainingFact(r.training)] as [string, string]] : []),
    ['seed', `${r.seed} · ${r.tool.name} ${r.tool.version} · ${r.createdAt}`],
  ];
}

/** Which test images the accuracies stand on. */
export function accuracyFact(r: Results): string {
  const sc = r.scenario;
  const claims = sc.evalSamples === null
    ? `each model's whole test set (${sc.models.map((m) => `${m.name}: ${fmtCount(m.testSamples)}`).join(', ')} images)`
    : `${fmtCount(sc.evalSamples)} test images per model`;
  return `claimed accuracies (each model's last residency) on ${claims}; earlier residencies, which only track drift ` +
    `between switches, on ${fmtCount(sc.trackSamples)}; intervals are 95 % Wilson score intervals`;
}

function phasesText(b: ModelBudget): string {
  return b.phases.map((p) => `${p.phase} ${p.epochs}`).join(' + ');
}

/** The training budgets in a line: equal or not, and of what. */
export function trainingFact(t: TrainingBudgets): string {
  const sep = t.models.filter((b) => b.variant === 'separate');
  const merged = t.models.filter((b) => b.variant === 'merged');
  const one = (bs: ModelBudget[]) => [...new Set(bs.map((b) => `${phasesText(b)} epochs = ${fmtCount(b.samplesSeen)} samples`))].join(' / ');
  const head = t.sameBudget ? 'same budget — every merged model saw as many training samples as its separate one' : 'NOT the same budget';
  return `${head}; separate (full/diff/blm): ${one(sep) || '—'}; merged (ha3m): ${one(merged) || '—'}`;
}

/** Compact machine-readable summary (what `ha3m report --format json` writes). */
export function summaryJson(r: Results): unknown {
  const t = summaryTable(r);
  return {
    schema: 'ha3m-summary/1',
    source: { schema: r.schema, createdAt: r.createdAt, seed: r.seed },
    scenario: { ...r.scenario, device: r.config.device.name },
    strategies: Object.fromEntries(
      t.rows.map((row) => {
        const { cells: _cells, strategy, ...rest } = row;
        return [strategy, { ...rest, tiedFraction: r.strategies[strategy]?.tiedFraction }];
      }),
    ),
    notes: r.notes,
  };
}

/**
 * The trade-off as a table: the reference strategies (no retraining) and the ha3m run at every MMR share, each with
 * cycles per switch and every model's on-crossbar accuracies with 95 % intervals.
 */
export function paretoTable(r: Results): { columns: string[]; numeric: boolean[]; rows: string[][] } {
  const models = modelNames(r);
  const withN = uniformClaimSamples(r) === null;
  const full = r.strategies.full?.cyclesPerSwitch;
  const columns = ['run', 'tied', 'cycles/switch', 'vs full', ...models.flatMap((m) => [`${m} ideal %`, `${m} analog %`])];
  const accCells = (acc: Record<string, Accuracies>) => models.flatMap((m) => [fmtAccuracyCi(acc[m], 'ideal', withN), fmtAccuracyCi(acc[m], 'analog', withN)]);
  const rows: string[][] = [];
  for (const s of orderedStrategies(r)) {
    if (s.name === 'ha3m') continue;
    rows.push([s.name, '—', fmtCount(s.cyclesPerSwitch), fmtPercent(s.name === 'full' ? null : reductionPercent(s.cyclesPerSwitch, full)), ...accCells(s.accuracy)]);
  }
  for (const p of [...r.pareto].sort((a, b) => a.share - b.share)) {
    rows.push([
      `ha3m, share ${p.share}`, p.tiedFraction === undefined ? '—' : fmtPercent(p.tiedFraction * 100), fmtCount(p.cyclesPerSwitch),
      fmtPercent(reductionPercent(p.cyclesPerSwitch, full)), ...accCells(p.accuracy),
    ]);
  }
  return { columns, numeric: columns.map((_, i) => i > 0), rows };
}

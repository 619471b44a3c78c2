// The summary table shared by the Markdown, HTML and JSON summaries: one row per strategy, headline numbers and
// their formatted cells. Pure.
import type { Results, StrategyResult } from './types.js';

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

export function fmtAccuracy(a: number | null | undefined): string {
  return a === null || a === undefined || !Number.isFinite(a) ? '—' : (a * 100).toFixed(1);
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
  /** Per model: on-crossbar ideal and analog accuracy in percent (null when not measured). */
  accuracy: Record<string, { ideal: number | null; analog: number | null; quantized: number | null }>;
  cells: string[];
}

export interface SummaryTable {
  columns: string[];
  /** Column alignment: true = right (numbers). */
  numeric: boolean[];
  rows: SummaryRow[];
}

export function summaryTable(r: Results): SummaryTable {
  const models = modelNames(r);
  const full = r.strategies.full?.cyclesPerSwitch;
  const diff = r.strategies.diff?.cyclesPerSwitch;
  const columns = [
    'strategy', 'cycles/switch', 'vs full', 'vs diff', 'energy (µJ)', 'latency (ms)', 'cells touched', 'failures',
    ...models.map((m) => `${m} ideal/analog %`),
  ];
  const numeric = columns.map((_, i) => i > 0);
  const rows = orderedStrategies(r).map((s): SummaryRow => {
    const pct = (a: number | null | undefined) => (a === null || a === undefined ? null : a * 100);
    const accuracy: SummaryRow['accuracy'] = {};
    for (const m of models) {
      const a = s.accuracy[m];
      accuracy[m] = { ideal: pct(a?.ideal), analog: pct(a?.analog), quantized: pct(a?.quantized) };
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
      ...models.map((m) => `${fmtAccuracy(s.accuracy[m]?.ideal)} / ${fmtAccuracy(s.accuracy[m]?.analog)}`),
    ];
    return row;
  });
  return { columns, numeric, rows };
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
    ['seed', `${r.seed} · ${sc.evalSamples} eval samples · ${r.tool.name} ${r.tool.version} · ${r.createdAt}`],
  ];
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

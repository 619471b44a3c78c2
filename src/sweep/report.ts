// The sweep report: rows, Pareto fronts and swept parameters of a set of sweep records (one JSONL line each), and
// their Markdown and self-contained HTML renderings (inline SVG charts, no scripts). Pure: no node: imports — it
// runs in browsers too.
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, renderSvg, strategyColor } from '../report/charts.js';
import { CSS, escapeHtml, figure, htmlPage, table } from '../report/html.js';
import { fmtCount, fmtSig, STRATEGY_ORDER } from '../report/table.js';
import type { ParamValue, SweepRecord, SweepStrategySummary } from './types.js';

export type SweepAccuracyKind = 'analog' | 'ideal' | 'quantized';

/**
 * The non-dominated items when `cost` is minimised and `gain` maximised: an item is dropped when another has
 * cost ≤ and gain ≥ with at least one strict. Items whose cost or gain is not a finite number (NaN, ±Infinity, null)
 * are ignored. Exact ties (same cost and gain) are all kept. Sorted by cost ascending, then gain descending, then
 * input order — deterministic.
 */
export function paretoFront<T>(items: T[], cost: (t: T) => number, gain: (t: T) => number): T[] {
  const xs: Array<{ t: T; c: number; g: number; i: number }> = [];
  items.forEach((t, i) => {
    const c = cost(t);
    const g = gain(t);
    if (Number.isFinite(c) && Number.isFinite(g)) xs.push({ t, c, g, i });
  });
  xs.sort((a, b) => a.c - b.c || b.g - a.g || a.i - b.i);
  const out: T[] = [];
  let best = -Infinity; // best gain among strictly cheaper items
  for (let k = 0; k < xs.length; ) {
    const c = xs[k]!.c;
    const top = xs[k]!.g; // highest gain at this cost (sorted first)
    let j = k;
    for (; j < xs.length && xs[j]!.c === c; j++) {
      if (xs[j]!.g === top && top > best) out.push(xs[j]!.t);
    }
    if (top > best) best = top;
    k = j;
  }
  return out;
}

/** One row per successful point × strategy. */
export interface SweepRow {
  id: string;
  index: number;
  params: Record<string, ParamValue>;
  mode: SweepRecord['mode'];
  seconds: number;
  strategy: string;
  /** Metrics; null when the record holds no finite number. */
  cyclesPerSwitch: number | null;
  energyPerSwitchJ: number | null;
  latencyPerSwitchS: number | null;
  cellsTouchedPerSwitch: number | null;
  failuresPerSwitch: number | null;
  meanAccuracy: SweepStrategySummary['meanAccuracy'];
  /** meanAccuracy of the chosen kind (fraction in [0, 1]); null when not measured. */
  accuracy: number | null;
  accuracyKind: SweepAccuracyKind;
}

export interface SweepParam {
  key: string;
  kind: 'numeric' | 'categorical';
  /** Distinct values: ascending for numeric parameters, first-seen order for categorical ones. */
  values: ParamValue[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Key of a parameter value for grouping: JSON with object keys sorted. */
export function paramValueKey(v: ParamValue): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(paramValueKey).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${paramValueKey(v[k]!)}`).join(',')}}`;
}

/** Display label of a parameter value: numbers and strings as they are, anything else as JSON. */
export function paramValueLabel(v: ParamValue | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return paramValueKey(v);
}

function orderStrategies(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = STRATEGY_ORDER.filter((k) => set.has(k));
  return [...known, ...[...set].filter((k) => !STRATEGY_ORDER.includes(k)).sort()];
}

const okRecords = (records: SweepRecord[]) =>
  records.filter((r) => r.status === 'ok' && r.result && r.result.strategies).sort((a, b) => a.index - b.index);

/** Strategy summaries of a record in the canonical order (full, diff, blm, ha3m, then others). */
function strategiesOf(r: SweepRecord): Array<[string, SweepStrategySummary]> {
  const s = (r.result?.strategies ?? {}) as Record<string, SweepStrategySummary | undefined>;
  return orderStrategies(Object.keys(s)).flatMap((k) => (s[k] ? [[k, s[k]!] as [string, SweepStrategySummary]] : []));
}

/** Which accuracy the report uses: analog when measured for every row, else ideal, else quantized. */
export function sweepAccuracyKind(records: SweepRecord[]): SweepAccuracyKind {
  const all = okRecords(records).flatMap((r) => strategiesOf(r).map(([, s]) => s.meanAccuracy ?? null));
  if (all.length > 0 && all.every((a) => a !== null && num(a.analog) !== null)) return 'analog';
  if (all.length > 0 && all.every((a) => a !== null && num(a.ideal) !== null)) return 'ideal';
  return 'quantized';
}

/** Flat rows: one per successful record × strategy, ordered by point index then strategy. */
export function sweepRows(records: SweepRecord[], kind: SweepAccuracyKind = sweepAccuracyKind(records)): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const r of okRecords(records)) {
    for (const [name, s] of strategiesOf(r)) {
      const ma = s.meanAccuracy ?? { float: NaN, quantized: NaN, ideal: null, analog: null };
      rows.push({
        id: r.id, index: r.index, params: r.params ?? {}, mode: r.mode, seconds: r.seconds, strategy: name,
        cyclesPerSwitch: num(s.cyclesPerSwitch),
        energyPerSwitchJ: num(s.energyPerSwitchJ),
        latencyPerSwitchS: num(s.latencyPerSwitchS),
        cellsTouchedPerSwitch: num(s.cellsTouchedPerSwitch),
        failuresPerSwitch: num(s.failuresPerSwitch),
        meanAccuracy: ma,
        accuracy: num(ma[kind]),
        accuracyKind: kind,
      });
    }
  }
  return rows;
}

interface ParamStats { key: string; values: Map<string, ParamValue>; numeric: boolean }

function paramStats(records: SweepRecord[]): ParamStats[] {
  const stats = new Map<string, ParamStats>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r.params ?? {})) {
      let s = stats.get(k);
      if (!s) stats.set(k, (s = { key: k, values: new Map(), numeric: true }));
      const key = paramValueKey(v);
      if (!s.values.has(key)) s.values.set(key, v);
      if (typeof v !== 'number' || !Number.isFinite(v)) s.numeric = false;
    }
  }
  return [...stats.values()];
}

function toParam(s: ParamStats): SweepParam {
  const values = [...s.values.values()];
  if (s.numeric) values.sort((a, b) => (a as number) - (b as number));
  return { key: s.key, kind: s.numeric ? 'numeric' : 'categorical', values };
}

/**
 * The swept parameters: keys that take more than one value over the records, in first-seen order, numeric when
 * every value is a finite number, else categorical.
 */
export function sweepParams(records: SweepRecord[]): SweepParam[] {
  return paramStats(records).filter((s) => s.values.size > 1).map(toParam);
}

/** Parameters with the same value in every record (shown as facts). */
export function fixedParams(records: SweepRecord[]): Array<[string, ParamValue]> {
  return paramStats(records).filter((s) => s.values.size === 1).map((s) => [s.key, [...s.values.values()][0]!]);
}

export interface SweepCounts { ok: number; failed: number; total: number }

export function sweepCounts(records: SweepRecord[]): SweepCounts {
  const ok = records.filter((r) => r.status === 'ok').length;
  return { ok, failed: records.length - ok, total: records.length };
}

export interface SweepReportOptions {
  /** At most this many rows in the full table (default 2000). */
  maxRows?: number;
  /** Accuracy kind (default: sweepAccuracyKind). */
  accuracy?: SweepAccuracyKind;
}

const fmtAcc = (a: number | null) => (a === null ? '—' : (a * 100).toFixed(1));
const fmtOpt = (v: number | null, scale: number) => (v === null ? '—' : fmtSig(v * scale, 3));
const fmtCycles = (v: number | null) => (v === null ? '—' : fmtCount(v));

/** Columns and formatted cells of the point × strategy table. */
function rowTable(rows: SweepRow[], params: string[], kind: SweepAccuracyKind, extra?: { title: string; cell: (r: SweepRow) => string }) {
  const columns = ['#', ...params, 'strategy', 'cycles/switch', 'energy/switch (µJ)', 'latency/switch (ms)', `${kind} accuracy (%)`];
  const numeric = [true, ...params.map(() => false), false, true, true, true, true];
  if (extra) {
    columns.push(extra.title);
    numeric.push(false);
  }
  const cells = rows.map((r) => {
    const c = [
      String(r.index), ...params.map((p) => paramValueLabel(r.params[p])), r.strategy, fmtCycles(r.cyclesPerSwitch),
      fmtOpt(r.energyPerSwitchJ, 1e6), fmtOpt(r.latencyPerSwitchS, 1e3), fmtAcc(r.accuracy),
    ];
    if (extra) c.push(extra.cell(r));
    return c;
  });
  return { columns, numeric, cells };
}

/** The parameter columns of the tables: the swept ones, or every key when none varies (a single point). */
function tableParams(records: SweepRecord[]): string[] {
  const swept = sweepParams(records).map((p) => p.key);
  return swept.length > 0 ? swept : paramStats(records).map((s) => s.key);
}

const failedRecords = (records: SweepRecord[]) => records.filter((r) => r.status !== 'ok').sort((a, b) => a.index - b.index);

const paramsText = (p: Record<string, ParamValue> | undefined) =>
  Object.entries(p ?? {}).map(([k, v]) => `${k}=${paramValueLabel(v)}`).join(', ');

/** Markdown: counts, one table row per successful point × strategy, then the failed points with their errors. */
export function sweepMarkdown(records: SweepRecord[], opts: SweepReportOptions = {}): string {
  const kind = opts.accuracy ?? sweepAccuracyKind(records);
  const rows = sweepRows(records, kind);
  const counts = sweepCounts(records);
  const maxRows = opts.maxRows ?? 2000;
  const md = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const out: string[] = [];
  out.push(`Sweep: ${counts.ok} ok, ${counts.failed} failed, ${counts.total} total points; ${kind} accuracy.`, '');
  if (rows.length === 0) {
    out.push('No successful points.', '');
  } else {
    const t = rowTable(rows.slice(0, maxRows), tableParams(records), kind);
    out.push(`| ${t.columns.map(md).join(' | ')} |`);
    out.push(`|${t.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const c of t.cells) out.push(`| ${c.map(md).join(' | ')} |`);
    if (rows.length > maxRows) out.push('', `Showing the first ${maxRows} of ${rows.length} rows.`);
    out.push('');
  }
  const failed = failedRecords(records);
  if (failed.length > 0) {
    out.push(`Failed points (${failed.length}):`, '');
    for (const r of failed) out.push(`- #${r.index} (${md(paramsText(r.params))}): ${md(r.error ?? 'no error message')}`);
    out.push('');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Log when every value is positive and they span more than 20×; symlog when they span > 20× but include ≤ 0 (a log
 * scale cannot place them); else linear without a forced zero.
 */
function spanScale(values: number[]): { type: 'linear' | 'log' | 'symlog'; zero?: false } {
  const pos = values.filter((v) => v > 0);
  if (pos.length === 0) return { type: 'linear', zero: false };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of pos) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi / lo <= 20) return { type: 'linear', zero: false };
  return pos.length === values.length ? { type: 'log' } : { type: 'symlog', zero: false };
}

/** A parameter axis: log when every value is positive and they span > 20× (crossbar sizes), else linear. */
function xParamScale(values: number[]): { type: 'linear' | 'log'; zero?: false } {
  const s = spanScale(values);
  return s.type === 'log' ? s as { type: 'log' } : { type: 'linear', zero: false };
}

/** Opacity of the every-point layer: fainter as points pile up. */
const faintOpacity = (n: number) => (n <= 300 ? 0.45 : n <= 2000 ? 0.3 : 0.2);

export type CostMetric = 'cycles' | 'energy' | 'latency';

const METRICS: Record<CostMetric, { title: string; unit: string; get: (r: SweepRow) => number | null; scale: number }> = {
  cycles: { title: 'programming cycles per switch', unit: '', get: (r) => r.cyclesPerSwitch, scale: 1 },
  energy: { title: 'energy per switch (µJ)', unit: 'µJ', get: (r) => r.energyPerSwitchJ, scale: 1e6 },
  latency: { title: 'latency per switch (ms)', unit: 'ms', get: (r) => r.latencyPerSwitchS, scale: 1e3 },
};

/** The Pareto front of each strategy for a cost metric vs the chosen accuracy. */
export function strategyFronts(rows: SweepRow[], metric: CostMetric): Map<string, SweepRow[]> {
  const m = METRICS[metric];
  const by = new Map<string, SweepRow[]>();
  for (const r of rows) {
    const a = by.get(r.strategy);
    if (a) a.push(r);
    else by.set(r.strategy, [r]);
  }
  const out = new Map<string, SweepRow[]>();
  for (const s of orderStrategies(by.keys())) out.set(s, paretoFront(by.get(s)!, (r) => m.get(r) ?? NaN, (r) => r.accuracy ?? NaN));
  return out;
}

/** (a) One metric vs accuracy: every point faint, each strategy's Pareto front as a line with points. Null without data. */
export function sweepParetoSpec(rows: SweepRow[], metric: CostMetric, fronts = strategyFronts(rows, metric)): TopLevelSpec | null {
  const m = METRICS[metric];
  const kind = rows[0]?.accuracyKind ?? 'quantized';
  const pts: Array<{ strategy: string; x: number; acc: number; p: number }> = [];
  for (const r of rows) {
    const x = m.get(r);
    if (x === null || r.accuracy === null) continue;
    pts.push({ strategy: r.strategy, x: x * m.scale, acc: r.accuracy * 100, p: r.index });
  }
  if (pts.length === 0) return null;
  const front: Array<{ strategy: string; x: number; acc: number; p: number; o: number }> = [];
  for (const [s, f] of fronts) f.forEach((r, o) => front.push({ strategy: s, x: m.get(r)! * m.scale, acc: r.accuracy! * 100, p: r.index, o }));
  const names = orderStrategies(pts.map((p) => p.strategy));
  const color = { ...strategyColor(names), legend: { symbolOpacity: 1 } };
  const x = { field: 'x', type: 'quantitative' as const, title: m.title, scale: { ...spanScale(pts.map((p) => p.x)), nice: false, padding: 12 } };
  const y = { field: 'acc', type: 'quantitative' as const, title: `${kind} accuracy (%)`, scale: { zero: false, padding: 6 } };
  return {
    $schema: SCHEMA,
    config: BASE_CONFIG,
    title: `${kind} accuracy vs ${m.title}`,
    width: 380,
    height: 240,
    layer: [
      {
        data: { values: pts },
        mark: { type: 'circle', size: 16, opacity: faintOpacity(pts.length), aria: false },
        encoding: { x, y, color },
      },
      {
        data: { values: front },
        mark: { type: 'line', point: { size: 36, filled: true }, strokeWidth: 1.8 },
        encoding: {
          x, y, color,
          order: { field: 'o', type: 'quantitative' },
          tooltip: [{ field: 'strategy' }, { field: 'p', title: 'point' }, { field: 'x', title: m.title, format: '.4~s' }, { field: 'acc', title: 'accuracy (%)', format: '.2f' }],
        },
      },
    ],
  } as TopLevelSpec;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Median cycles/switch per strategy and parameter value (over every other parameter), in value order. */
export function paramMedians(rows: SweepRow[], p: SweepParam): Array<{ strategy: string; value: ParamValue; label: string; median: number; n: number }> {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    if (r.cyclesPerSwitch === null || !(p.key in r.params)) continue;
    const k = `${r.strategy}\u0000${paramValueKey(r.params[p.key]!)}`;
    const g = groups.get(k);
    if (g) g.push(r.cyclesPerSwitch);
    else groups.set(k, [r.cyclesPerSwitch]);
  }
  const out: Array<{ strategy: string; value: ParamValue; label: string; median: number; n: number }> = [];
  for (const s of orderStrategies(rows.map((r) => r.strategy))) {
    for (const v of p.values) {
      const g = groups.get(`${s}\u0000${paramValueKey(v)}`);
      if (g) out.push({ strategy: s, value: v, label: paramValueLabel(v), median: median(g), n: g.length });
    }
  }
  return out;
}

/** (b) Cycles/switch vs one swept parameter: points faint, the median over the other parameters as a line per strategy. */
export function sweepParamSpec(rows: SweepRow[], p: SweepParam): TopLevelSpec | null {
  const pts: Array<{ strategy: string; x: number | string; y: number }> = [];
  for (const r of rows) {
    if (r.cyclesPerSwitch === null || !(p.key in r.params)) continue;
    const v = r.params[p.key]!;
    pts.push({ strategy: r.strategy, x: p.kind === 'numeric' ? (v as number) : paramValueLabel(v), y: r.cyclesPerSwitch });
  }
  if (pts.length === 0) return null;
  const med = paramMedians(rows, p).map((m) => ({ strategy: m.strategy, x: p.kind === 'numeric' ? (m.value as number) : m.label, y: m.median, n: m.n }));
  const names = orderStrategies(pts.map((q) => q.strategy));
  const color = { ...strategyColor(names), legend: { symbolOpacity: 1 } };
  const labels = [...new Set(p.values.map(paramValueLabel))];
  const x = p.kind === 'numeric'
    ? {
        field: 'x', type: 'quantitative' as const, title: p.key,
        scale: { ...xParamScale(pts.map((q) => q.x as number)), nice: false, padding: 12 },
        // Few values (crossbar sizes, bit widths): ticks exactly at them.
        ...(p.values.length <= 12 ? { axis: { values: p.values as number[], labelExpr: "'' + datum.value" } } : {}),
      }
    : { field: 'x', type: 'ordinal' as const, title: p.key, sort: labels, scale: { domain: labels }, axis: { labelAngle: labels.some((l) => l.length > 8) ? -30 : 0 } };
  const y = { field: 'y', type: 'quantitative' as const, title: 'cycles per switch', scale: { ...spanScale(pts.map((q) => q.y)), padding: 8 } };
  return {
    $schema: SCHEMA,
    config: BASE_CONFIG,
    title: `Cycles per switch vs ${p.key}`,
    width: p.kind === 'numeric' ? 320 : Math.max(160, Math.min(480, labels.length * 56)),
    height: 200,
    layer: [
      { data: { values: pts }, mark: { type: 'circle', size: 14, opacity: faintOpacity(pts.length), aria: false }, encoding: { x, y, color } },
      {
        data: { values: med },
        mark: { type: 'line', point: { size: 30, filled: true }, strokeWidth: 1.8 },
        encoding: { x, y, color, tooltip: [{ field: 'strategy' }, { field: 'x', title: p.key }, { field: 'y', title: 'median cycles', format: '.4~s' }, { field: 'n', title: 'points' }] },
      },
    ],
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML

/** renderSvg, with the point positions (translate(x,y), full float precision) rounded to 0.01 px: a third smaller. */
function svgOf(spec: TopLevelSpec): string {
  const r2 = (v: string) => String(Math.round(Number(v) * 100) / 100);
  return renderSvg(spec).replace(/translate\((-?[\d.]+),(-?[\d.]+)\)/g, (_m, x: string, y: string) => `translate(${r2(x)},${r2(y)})`);
}

export interface SweepHtmlOptions extends SweepReportOptions {
  title?: string;
  /** The grid definition, shown as JSON at the end. */
  grid?: unknown;
}

const SWEEP_CSS = `
.charts{display:flex;flex-wrap:wrap;gap:4px 24px}.charts figure{margin:6px 0 12px;max-width:520px}
.scroll{overflow-x:auto;max-width:100%}
.failed td{white-space:pre-wrap;vertical-align:top}.failed td:last-child{font-family:Menlo,Consolas,monospace;font-size:12px;max-width:720px}
`;

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x), 2) ?? String(v);
  } catch (e) {
    return `(grid not serialisable: ${(e as Error).message})`;
  }
}

/**
 * The sweep report as one self-contained HTML page: facts, Pareto charts (cycles/energy/latency per switch vs mean
 * accuracy), cycles vs each swept parameter, the Pareto-optimal points, the full table, failed points and the grid.
 */
export function sweepHtml(records: SweepRecord[], opts: SweepHtmlOptions = {}): string {
  const kind = opts.accuracy ?? sweepAccuracyKind(records);
  const rows = sweepRows(records, kind);
  const counts = sweepCounts(records);
  const params = sweepParams(records);
  const okParams = sweepParams(okRecords(records)); // the charts use the values of the successful points only
  const maxRows = opts.maxRows ?? 2000;
  const title = opts.title ?? 'ha3m sweep report';
  const parts: string[] = [];

  const modes = [...new Set(records.map((r) => r.mode))].join(', ') || '—';
  const cpu = records.reduce((s, r) => s + (Number.isFinite(r.seconds) ? r.seconds : 0), 0);
  const strategies = orderStrategies(rows.map((r) => r.strategy));
  const sweeps = [...new Set(records.map((r) => r.sweep))];
  const facts: Array<[string, string]> = [
    ['points', `${counts.ok} ok, ${counts.failed} failed, ${counts.total} total`],
    ['mode', modes],
    ['point time', `${fmtSig(cpu, 3)} s (wall seconds summed over points)`],
    ['accuracy', `${kind} (mean over the models)`],
    ['strategies', strategies.join(', ') || '—'],
    ['swept', params.map((p) => `${p.key} (${p.values.length} ${p.kind === 'numeric' ? 'values' : 'categories'})`).join('; ') || '—'],
  ];
  const fixed = fixedParams(records);
  if (fixed.length > 0) facts.push(['fixed', fixed.map(([k, v]) => `${k}=${paramValueLabel(v)}`).join(', ')]);
  if (sweeps.length > 0) facts.push([sweeps.length > 1 ? 'sweeps' : 'sweep', sweeps.join(', ')]);

  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(`<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);

  if (rows.length === 0) {
    parts.push('<h2 id="results">Results</h2>');
    parts.push(`<p class="nodata">No successful points: ${counts.total === 0 ? 'the sweep holds no records yet.' : `all ${counts.total} points failed (errors below).`}</p>`);
  } else {
    const fronts = new Map<CostMetric, Map<string, SweepRow[]>>();
    parts.push('<h2 id="pareto">Programming cost vs accuracy (Pareto fronts)</h2>');
    const pareto: string[] = [];
    for (const metric of ['cycles', 'energy', 'latency'] as CostMetric[]) {
      const f = strategyFronts(rows, metric);
      fronts.set(metric, f);
      const spec = sweepParetoSpec(rows, metric, f);
      if (spec) pareto.push(figure('pareto', svgOf(spec), `Faint: every point × strategy; lines: each strategy's Pareto front (lowest ${metric}, highest ${kind} accuracy).`, ` data-metric="${metric}"`));
    }
    parts.push(pareto.length > 0
      ? `<div class="charts">\n${pareto.join('\n')}\n</div>`
      : `<p class="nodata">No point has both a cost and a ${escapeHtml(kind)} accuracy.</p>`);

    parts.push('<h2 id="params">Cycles per switch vs each swept parameter</h2>');
    const pc: string[] = [];
    for (const p of okParams) {
      const spec = sweepParamSpec(rows, p);
      if (spec) pc.push(figure('param', svgOf(spec), `Lines: median over the other parameters per strategy; faint: every point.`, ` data-param="${escapeHtml(p.key)}"`));
    }
    parts.push(pc.length > 0
      ? `<div class="charts">\n${pc.join('\n')}\n</div>`
      : '<p class="nodata">No parameter takes more than one value among the successful points.</p>');

    const cols = tableParams(records);
    parts.push('<h2 id="optimal">Pareto-optimal points</h2>');
    const onFront = new Map<SweepRow, CostMetric[]>();
    for (const [metric, f] of fronts) for (const list of f.values()) for (const r of list) onFront.set(r, [...(onFront.get(r) ?? []), metric]);
    const opt = rows.filter((r) => onFront.has(r));
    if (opt.length > 0) {
      const t = rowTable(opt, cols, kind, { title: 'front', cell: (r) => onFront.get(r)!.join(', ') });
      parts.push(`<div class="scroll">\n${table(t.columns, t.cells, t.numeric)}\n</div>`);
      parts.push(`<p class="legend">Points on the Pareto front of their strategy for at least one cost (front: which). Accuracy is the ${escapeHtml(kind)} accuracy averaged over the models.</p>`);
    } else {
      parts.push(`<p class="nodata">No Pareto-optimal points: no row has a finite cost and a ${escapeHtml(kind)} accuracy.</p>`);
    }

    parts.push('<h2 id="table">All points</h2>');
    const t = rowTable(rows.slice(0, maxRows), cols, kind);
    parts.push(`<div class="scroll">\n${table(t.columns, t.cells, t.numeric, (i) => (onFront.has(rows[i]!) ? 'best' : ''))}\n</div>`);
    parts.push(rows.length > maxRows
      ? `<p class="note">Showing the first ${maxRows} of ${rows.length} rows (point × strategy); the JSONL file holds them all.</p>`
      : `<p class="legend">${rows.length} rows (point × strategy); highlighted rows are Pareto-optimal.</p>`);
  }

  const failed = failedRecords(records);
  parts.push('<h2 id="failed">Failed points</h2>');
  if (failed.length > 0) {
    const fcols = ['#', 'parameters', 'seconds', 'error'];
    const fcells = failed.map((r) => [String(r.index), paramsText(r.params), fmtSig(r.seconds, 3), r.error ?? 'no error message']);
    parts.push(`<div class="failed scroll">\n${table(fcols, fcells, [true, false, true, false])}\n</div>`);
  } else {
    parts.push('<p class="legend">None.</p>');
  }

  parts.push('<h2 id="grid">Grid</h2>');
  parts.push(opts.grid === undefined
    ? '<p class="legend">The grid definition was not given to the report.</p>'
    : `<details><summary>Grid definition</summary>\n<pre>${escapeHtml(safeJson(opts.grid))}</pre>\n</details>`);

  return htmlPage(title, 'ha3m sweep', CSS + SWEEP_CSS, parts);
}

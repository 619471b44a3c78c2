// Vega-Lite specs for the report's charts, and their rendering to SVG strings (vega's headless 'none' renderer:
// no canvas, works in Node and browsers). Pure: no node: imports.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { modelNames, orderedStrategies } from './table.js';
import type { Accuracies, Results, StrategyResult, SwitchRecord } from './types.js';

export type ScaleMode = 'auto' | 'log' | 'linear';

export const STRATEGY_COLORS: Record<string, string> = { full: '#8c8c8c', diff: '#4c78a8', blm: '#f58518', ha3m: '#2ca02c' };

export const BASE_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const },
  header: { labelFontSize: 11, titleFontSize: 12 },
};

export function strategyColor(names: string[]) {
  const extra = ['#b279a2', '#e45756', '#72b7b2', '#9d755d'];
  return {
    field: 'strategy',
    type: 'nominal' as const,
    title: 'strategy',
    sort: names,
    scale: { domain: names, range: names.map((n, i) => STRATEGY_COLORS[n] ?? extra[i % extra.length]!) },
  };
}

interface ViewInternals {
  padding(): { left: number; right: number; top: number; bottom: number };
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
  loader(): unknown;
  background(): string | null;
  scenegraph(): { root: unknown };
}

/**
 * Renders a Vega-Lite spec to an SVG string synchronously: inline data only, so the dataflow runs without awaiting,
 * and the scenegraph goes through vega's SVG string renderer exactly as `view.toSVG()` does (the test compares the
 * two). Synchronous so that htmlReport() returns a plain string.
 */
export function renderSvg(spec: TopLevelSpec): string {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    view.run();
    const v = view as unknown as ViewInternals;
    const pad = v.padding();
    if (typeof v._viewWidth !== 'number' || !Array.isArray(v._origin)) {
      throw new Error('renderSvg: this vega version does not expose the view size; use renderSvgAsync (view.toSVG())');
    }
    const Ctor = (vega as unknown as { SVGStringRenderer: new (loader: unknown) => {
      initialize(el: null, w: number, h: number, origin: [number, number], scale: number): { background(b: string | null): unknown };
      render(root: unknown): unknown;
      svg(): string;
    } }).SVGStringRenderer;
    const r = new Ctor(v.loader());
    r.initialize(null, v._viewWidth + pad.left + pad.right, v._viewHeight + pad.top + pad.bottom,
      [v._origin[0] + pad.left, v._origin[1] + pad.top], 1).background(v.background());
    r.render(v.scenegraph().root);
    return r.svg();
  } finally {
    view.finalize();
  }
}

/** The same through vega's public async API (`view.toSVG()`). */
export async function renderSvgAsync(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The switch whose heatmap is shown: the first A→B switch (sequence[0] → sequence[1]), else the first switch ≥ 1. */
export function heatmapSwitch(r: Results, s: StrategyResult, index?: number): SwitchRecord | undefined {
  if (index !== undefined) return s.switches.find((x) => x.index === index);
  const [a, b] = r.scenario.sequence;
  return s.switches.find((x) => x.index >= 1 && x.from === a && x.to === b) ?? s.switches.find((x) => x.index >= 1) ?? s.switches[0];
}

export function switchLabel(sw: SwitchRecord): string {
  return sw.from === null ? `${sw.index}: → ${sw.to}` : `${sw.index}: ${sw.from}→${sw.to}`;
}

/**
 * The y axis of the cost bars: linear unless a log-like axis is asked for (auto = linear: on a log-like axis a bar's
 * length stops being proportional to its value, and a 98.7 % cut looks like a halving). Bars need a zero baseline,
 * which a pure log scale cannot draw, so the log-like choice is symlog (linear near 0, logarithmic beyond), and the
 * panel titles say so.
 */
function yScale(mode: ScaleMode): { type: 'linear' | 'symlog' } {
  return { type: mode === 'log' ? 'symlog' : 'linear' };
}

/** (a) Cycles, energy and latency of every switch (index ≥ 1), grouped by strategy. */
export function costSpec(r: Results, scale: ScaleMode = 'linear'): TopLevelSpec {
  const strategies = orderedStrategies(r);
  const names = strategies.map((s) => s.name);
  const rows: Array<{ switch: string; order: number; strategy: string; cycles: number; energy: number; latency: number }> = [];
  for (const s of strategies) {
    for (const sw of s.switches) {
      if (sw.index < 1) continue;
      rows.push({ switch: switchLabel(sw), order: sw.index, strategy: s.name, cycles: sw.cycles, energy: sw.energyJ * 1e6, latency: sw.latencyS * 1e3 });
    }
  }
  const switches = [...new Map(rows.map((x) => [x.order, x.switch])).entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  const step = Math.max(3, Math.min(30, Math.floor(720 / Math.max(1, switches.length * names.length))));
  const axisNote = yScale(scale).type === 'symlog' ? ' — symlog axis (linear below 1, logarithmic above): bar lengths are not proportional' : '';
  const panel = (field: 'cycles' | 'energy' | 'latency', title: string) => ({
    height: 150,
    width: { step, for: 'offset' },
    title,
    mark: { type: 'bar' as const },
    encoding: {
      x: { field: 'switch', type: 'nominal' as const, sort: switches, title: field === 'latency' ? 'switch' : null, axis: { labelAngle: switches.length > 8 ? -45 : 0 } },
      xOffset: { field: 'strategy', type: 'nominal' as const, sort: names },
      y: { field, type: 'quantitative' as const, title: null, scale: yScale(scale) },
      color: strategyColor(names),
      tooltip: [{ field: 'strategy' }, { field: 'switch' }, { field, type: 'quantitative' as const, format: '.4~s' }],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: BASE_CONFIG,
    data: { values: rows },
    vconcat: [
      panel('cycles', `Programming cycles per switch${axisNote}`),
      panel('energy', `Energy per switch (µJ)${axisNote}`),
      panel('latency', `Latency per switch (ms)${axisNote}`),
    ],
  } as TopLevelSpec;
}

export interface ReuseRow { layer: string; model: string; layerIndex: number; strategy: string; reused: number; cells: number }

/** Per-layer reuse per strategy: 1 − Σ cellsTouched / Σ cells over the switches ≥ 1 that programmed the layer. */
export function reuseRows(r: Results): ReuseRow[] {
  const rows: ReuseRow[] = [];
  for (const s of orderedStrategies(r)) {
    const acc = new Map<string, { model: string; layer: number; name: string; cells: number; touched: number }>();
    for (const sw of s.switches) {
      if (sw.index < 1) continue;
      for (const l of sw.perLayer) {
        const key = `${sw.to}\u0000${l.layer}`;
        const e = acc.get(key) ?? { model: sw.to, layer: l.layer, name: l.name, cells: 0, touched: 0 };
        e.cells += l.cells;
        e.touched += l.cellsTouched;
        acc.set(key, e);
      }
    }
    for (const e of acc.values()) {
      rows.push({
        layer: `${e.model} · ${e.name}`, model: e.model, layerIndex: e.layer, strategy: s.name,
        reused: e.cells > 0 ? (1 - e.touched / e.cells) * 100 : 0, cells: e.cells,
      });
    }
  }
  return rows;
}

/** (b) Per-layer reuse (percent of the layer's cells not reprogrammed), grouped by strategy. */
export function reuseSpec(r: Results): TopLevelSpec {
  const names = orderedStrategies(r).map((s) => s.name);
  const rows = reuseRows(r);
  const models = modelNames(r);
  const layers = [...new Map(rows.map((x) => [x.layer, x])).values()]
    .sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model) || a.layerIndex - b.layerIndex)
    .map((x) => x.layer);
  const step = Math.max(3, Math.min(30, Math.floor(760 / Math.max(1, layers.length * names.length))));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: BASE_CONFIG,
    title: 'Cells reused as-is per layer (% of the layer, over all switches)',
    data: { values: rows },
    height: 170,
    width: { step, for: 'offset' },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: layers, title: 'incoming model · layer', axis: { labelAngle: layers.length > 6 ? -40 : 0 } },
      xOffset: { field: 'strategy', type: 'nominal', sort: names },
      y: { field: 'reused', type: 'quantitative', title: 'reused (%)', scale: { domain: [0, 100] } },
      color: strategyColor(names),
      tooltip: [{ field: 'strategy' }, { field: 'layer' }, { field: 'reused', type: 'quantitative', format: '.1f' }],
    },
  } as TopLevelSpec;
}

export interface HeatmapChart { strategy: string; sw: SwitchRecord; crossbars: number; shown: number; spec: TopLevelSpec }

/** (c) One small-multiple per crossbar: fraction of each bin's cells that the switch reprogrammed. */
export function heatmapSpec(r: Results, s: StrategyResult, sw: SwitchRecord, maxCrossbars = 16): HeatmapChart {
  const h = sw.heatmap;
  const shown = Math.min(h.crossbars.length, maxCrossbars);
  const rows: Array<{ xbar: string; order: number; r: number; c: number; v: number }> = [];
  for (let k = 0; k < shown; k++) {
    const grid = h.values[k]!;
    for (let br = 0; br < h.binRows; br++) {
      for (let bc = 0; bc < h.binCols; bc++) rows.push({ xbar: `crossbar ${h.crossbars[k]}`, order: k, r: br, c: bc, v: grid[br * h.binCols + bc]! });
    }
  }
  const cell = Math.max(3, Math.floor(112 / Math.max(h.binRows, h.binCols)));
  const order = h.crossbars.slice(0, shown).map((x) => `crossbar ${x}`);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...BASE_CONFIG, view: { stroke: '#c8c8c8', strokeWidth: 1 }, facet: { spacing: 10 } },
    title: `${s.name}: switch ${switchLabel(sw)}, ${h.crossbars.length} crossbar${h.crossbars.length === 1 ? '' : 's'}`,
    data: { values: rows },
    facet: { field: 'xbar', type: 'nominal', sort: order, title: null, header: { labelFontSize: 10, labelPadding: 2 } },
    columns: Math.min(shown, 6),
    spec: {
      width: cell * h.binCols,
      height: cell * h.binRows,
      mark: { type: 'rect', aria: false },
      encoding: {
        x: { field: 'c', type: 'ordinal', axis: null },
        y: { field: 'r', type: 'ordinal', axis: null },
        color: {
          field: 'v', type: 'quantitative', title: 'reprogrammed',
          scale: { domain: [0, 0.5, 1], range: ['#fbfbfb', '#fc8d59', '#990000'] },
          legend: { format: '.0%', gradientLength: 80 },
        },
      },
    },
  } as TopLevelSpec;
  return { strategy: s.name, sw, crossbars: h.crossbars.length, shown, spec };
}

export interface TradeoffRow {
  run: string; strategy: string; share: number | null; cycles: number; model: string; kind: 'ideal' | 'analog';
  accuracy: number; lo: number; hi: number; n: number;
}

/**
 * The points of the accuracy-vs-cycles picture: every strategy's claimed accuracies (ideal and analog, per model) at
 * its cycles per switch, with ha3m once per MMR share when the results hold a share sweep.
 */
export function tradeoffRows(r: Results): TradeoffRow[] {
  const models = modelNames(r);
  const rows: TradeoffRow[] = [];
  const add = (run: string, strategy: string, share: number | null, cycles: number, acc: Record<string, Accuracies>) => {
    for (const m of models) {
      const a = acc[m];
      for (const kind of ['ideal', 'analog'] as const) {
        const v = a?.[kind], ci = a?.ci95[kind], n = a?.samples[kind];
        if (v === null || v === undefined || !ci || !n) continue;
        rows.push({ run, strategy, share, cycles, model: m, kind, accuracy: v * 100, lo: ci[0] * 100, hi: ci[1] * 100, n });
      }
    }
  };
  for (const s of orderedStrategies(r)) {
    if (s.name === 'ha3m' && r.pareto.length > 0) continue;
    add(s.name, s.name, null, s.cyclesPerSwitch, s.accuracy);
  }
  for (const p of [...r.pareto].sort((a, b) => a.share - b.share)) add(`ha3m ${p.share}`, 'ha3m', p.share, p.cyclesPerSwitch, p.accuracy);
  return rows;
}

/**
 * (d) Accuracy against programming cycles per switch, one panel per accuracy kind: each model's ha3m points joined
 * in order of the MMR share (labelled with the share), full / diff / blm as reference points, 95 % intervals as
 * error bars. The cycle axis is logarithmic (said in its title) — shares from 0.5 to 1 and full differ by ~100× —
 * or symlog when a run needed no cycles at all. Null when there is nothing to plot.
 */
export function paretoSpec(r: Results): TopLevelSpec | null {
  const rows = tradeoffRows(r);
  if (rows.length === 0) return null;
  const models = modelNames(r);
  const anyZero = rows.some((x) => !(x.cycles > 0));
  const xScale = anyZero ? { type: 'symlog' as const } : { type: 'log' as const, nice: false, padding: 16 };
  const xTitle = `programming cycles per switch (${anyZero ? 'symlog scale: linear near 0, logarithmic above' : 'log scale'})`;
  const names = orderedStrategies(r).map((s) => s.name);
  const color = { field: 'model', type: 'nominal' as const, title: 'model', sort: models };
  const shape = { field: 'strategy', type: 'nominal' as const, title: 'strategy', sort: names, scale: { domain: names, range: names.map((n) => ({ full: 'square', diff: 'diamond', blm: 'triangle-up', ha3m: 'circle' } as Record<string, string>)[n] ?? 'cross') } };
  const kinds = [...new Set(rows.map((x) => x.kind))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: BASE_CONFIG,
    title: 'On-crossbar accuracy vs programming cycles per switch' + (r.pareto.length > 0 ? ' (ha3m: one point per MMR share)' : ''),
    data: { values: rows },
    facet: { column: { field: 'kind', type: 'nominal', sort: kinds, title: null, header: { labelExpr: "datum.value + ' accuracy'" } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 380,
      height: 260,
      encoding: {
        x: { field: 'cycles', type: 'quantitative', title: xTitle, scale: xScale },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { zero: false, padding: 10 } },
        color,
      },
      layer: [
        { transform: [{ filter: "datum.strategy === 'ha3m'" }], mark: { type: 'line', opacity: 0.7 }, encoding: { order: { field: 'share' }, detail: { field: 'model' } } },
        { mark: { type: 'rule', opacity: 0.6 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 0.9 },
          encoding: {
            shape,
            tooltip: [{ field: 'run' }, { field: 'model' }, { field: 'cycles', type: 'quantitative', format: ',' },
              { field: 'accuracy', type: 'quantitative', format: '.2f' }, { field: 'lo', format: '.2f' }, { field: 'hi', format: '.2f' }, { field: 'n' }],
          },
        },
        {
          transform: [{ filter: `datum.model === ${JSON.stringify(models[0] ?? '')}` }, { calculate: "datum.share === null ? datum.run : 'share ' + datum.share", as: 'label' }],
          mark: { type: 'text', dx: 7, dy: -8, align: 'left', fontSize: 10, color: '#555' },
          encoding: { text: { field: 'label' } },
        },
      ],
    },
  } as TopLevelSpec;
}

// The Results panel: what a result is about (header), its metrics, the strategy comparison table with CSV and JSON
// downloads, and its heatmaps. A new result or an error replaces everything shown before, so nothing stale stays
// on screen next to it.
import type { ActionResult, ComparisonRow, Metric, ResultHeader } from '../protocol.js';
import { $, download, el } from './dom.js';
import { MapsView } from './maps-view.js';

export function showMetrics(target: HTMLElement, metrics: Metric[]): void {
  target.replaceChildren(...metrics.flatMap((m) => [el('dt', { text: m.label }), el('dd', { text: m.value, title: m.hint })]));
}

function headerLine(h: ResultHeader): Metric[] {
  return [
    { label: h.models.length > 1 ? 'models (A → B)' : 'model', value: h.models.join(' → ') },
    { label: 'hardware', value: `preset ${h.preset}${h.edits.length ? `, edited: ${h.edits.join(', ')}` : ' (as is)'}${h.poolCrossbars ? `; pool ${h.poolCrossbars} crossbars` : ''}` },
    { label: 'seed · mapping', value: `${h.seed} · ${h.mapping}${h.strategy ? ` · strategy ${h.strategy}` : ''}` },
  ];
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}`;
const int = (v: number): string => v.toLocaleString('en-US');
const sig = (v: number): string => String(+v.toPrecision(3));

/** Columns of the comparison table: on screen, and the same numbers unrounded in CSV / JSON. */
const COLUMNS: { head: string; cell(r: ComparisonRow, full?: ComparisonRow): string; numeric?: boolean }[] = [
  { head: 'strategy', cell: (r) => r.label },
  { head: 'cycles', cell: (r) => int(r.cycles), numeric: true },
  { head: 'vs full', cell: (r, f) => (f && r !== f ? `−${pct(1 - r.cycles / f.cycles)} %` : '—'), numeric: true },
  { head: 'energy (µJ)', cell: (r) => sig(r.energyJ * 1e6), numeric: true },
  { head: 'latency (ms)', cell: (r) => sig(r.latencyS * 1e3), numeric: true },
  { head: 'cells touched', cell: (r) => int(r.cellsTouched), numeric: true },
  { head: 'failures', cell: (r) => int(r.failures), numeric: true },
  { head: 'B ideal / analog %', cell: (r) => `${pct(r.accuracyIdeal)} / ${pct(r.accuracyAnalog)}`, numeric: true },
  { head: 'crossbars', cell: (r) => int(r.crossbarsUsed), numeric: true },
];

const CSV_FIELDS = ['strategy', 'from', 'to', 'cycles', 'setPulses', 'resetPulses', 'energyJ', 'latencyS', 'cellsTouched', 'cellsTargeted',
  'failures', 'crossbarsUsed', 'accuracyKind', 'accuracyIdeal', 'accuracyAnalog', 'programACycles'] as const;

const csvCell = (v: unknown): string => {
  const s = Array.isArray(v) ? v.join('; ') : String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The comparison as CSV: one row per strategy, each carrying the context (preset, edits, seed, mapping, pool). */
export function comparisonCsv(h: ResultHeader, rows: ComparisonRow[]): string {
  const context = { preset: h.preset, edits: h.edits, seed: h.seed, mapping: h.mapping, poolCrossbars: h.poolCrossbars ?? '' };
  const head = [...CSV_FIELDS, ...Object.keys(context)];
  return [head.join(','), ...rows.map((r) => [...CSV_FIELDS.map((f) => r[f]), ...Object.values(context)].map(csvCell).join(','))].join('\n') + '\n';
}

/** Strategy comparison rows of one context (same models, hardware, seed, mapping): switches add up to a table. */
interface Comparison { key: string; header: ResultHeader; config?: unknown; rows: Map<string, ComparisonRow>; skipped: Map<string, string> }

export class ResultsView {
  private readonly maps = new MapsView($('maps'));
  private comparison: Comparison | null = null;

  constructor(private readonly order: string[]) {}

  clear(): void {
    $('result-error').hidden = true;
    $('result-header').replaceChildren();
    $('results').replaceChildren(el('dt', { text: '—' }), el('dd', { text: 'choose an action under 3 · Run' }));
    this.comparison = null;
    this.renderComparison();
    this.maps.clear();
  }

  showError(what: string, message: string): void {
    this.clear();
    $('results').replaceChildren();
    const box = $('result-error');
    box.replaceChildren(el('strong', { text: `${what} failed` }), el('p', { text: message }));
    box.hidden = false;
  }

  show(r: ActionResult, ms: number): void {
    $('result-error').hidden = true;
    showMetrics($('result-header'), [{ label: 'result', value: r.header.action }, ...headerLine(r.header)]);
    showMetrics($('results'), [...r.metrics, { label: 'wall time (worker)', value: `${ms.toFixed(0)} ms` }]);
    if (r.rows?.length) {
      const h = r.header;
      const key = JSON.stringify([h.models, h.preset, h.edits, h.seed, h.mapping, h.poolCrossbars]);
      if (this.comparison?.key !== key) this.comparison = { key, header: { ...h, strategy: undefined, action: 'compare strategies' }, config: r.config, rows: new Map(), skipped: new Map() };
      for (const row of r.rows) this.comparison.rows.set(row.strategy, row);
      for (const x of r.skipped ?? []) this.comparison.skipped.set(x.strategy, `${x.label}: ${x.reason}`);
    } else this.comparison = null;
    this.renderComparison();
    this.maps.show(r.maps);
  }

  private rows(): ComparisonRow[] {
    const rows = [...this.comparison?.rows.values() ?? []];
    return rows.sort((a, b) => this.order.indexOf(a.strategy) - this.order.indexOf(b.strategy));
  }

  private renderComparison(): void {
    const box = $('comparison');
    const c = this.comparison;
    if (!c) { box.hidden = true; box.replaceChildren(); return; }
    const rows = this.rows();
    const full = rows.find((r) => r.strategy === 'full');
    const missing = this.order.filter((s) => !c.rows.has(s) && !c.skipped.has(s));
    const stamp = `${c.header.models.join('-')}-seed${c.header.seed}`.replace(/[^\w.-]+/g, '_');
    box.hidden = false;
    box.replaceChildren(
      el('h3', { text: 'Strategies compared: one switch A → B each' }),
      el('p', { class: 'muted', text: `${rows[0]!.accuracyKind} of B on the crossbars after the switch; HA3M switches the MMR-merged versions of A and B.` +
        (missing.length ? ` Not run yet in this setting: ${missing.join(', ')}.` : '') }),
      ...[...c.skipped.values()].map((why) => el('p', { class: 'muted', text: `Not run — ${why}` })),
      el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'strategy comparison table' },
        el('table', { id: 'comparison-table' },
          el('thead', {}, el('tr', {}, ...COLUMNS.map((col) => el('th', { scope: 'col', class: col.numeric ? 'num' : undefined, text: col.head })))),
          el('tbody', {}, ...rows.map((r) => el('tr', { 'data-strategy': r.strategy },
            ...COLUMNS.map((col, i) => el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: col.numeric ? 'num' : undefined, text: col.cell(r, full) }))))))),
      el('div', { class: 'downloads' },
        el('button', { type: 'button', id: 'download-csv', text: 'Download CSV', onclick: () => download(`ha3m-strategies-${stamp}.csv`, 'text/csv', comparisonCsv(c.header, this.rows())) }),
        el('button', { type: 'button', id: 'download-json', text: 'Download JSON', onclick: () => download(`ha3m-strategies-${stamp}.json`, 'application/json', JSON.stringify({
          format: 'ha3m-page-comparison/1', header: c.header, config: c.config, rows: this.rows(),
        }, null, 2) + '\n') })),
    );
  }
}

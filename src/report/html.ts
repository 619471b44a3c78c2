// Self-contained HTML report: inline CSS, inline SVG charts (Vega-Lite compiled and rendered to SVG without a
// canvas), no scripts, fonts or links to anything outside the file. Pure: no node: imports.
import {
  costSpec, heatmapSpec, heatmapSwitch, paretoSpec, renderSvg, reuseSpec, switchLabel, type ScaleMode,
} from './charts.js';
import { stringifyResults } from './json.js';
import { ACCURACY_LEGEND, SUMMARY_LEGEND, accuracyHeading } from './markdown.js';
import {
  accuracyGaps, accuracyTable, fmtAccuracyCi, fmtCount, fmtSig, orderedStrategies, paretoTable, scenarioFacts, summaryTable,
} from './table.js';
import type { Results, StrategyResult } from './types.js';

export interface HtmlReportOptions {
  /** y scale of the cost charts: auto and linear = linear; log = symlog, said in the chart titles. */
  scale?: ScaleMode;
  /** Switch index whose heatmaps are shown (default: the first A→B switch). */
  heatmapSwitch?: number;
  /** At most this many crossbars per heatmap chart (default 16). */
  maxHeatmapCrossbars?: number;
}

/** A self-contained page: inline CSS, the given body parts, nothing loaded from elsewhere. */
export function htmlPage(title: string, generator: string, css: string, parts: string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(generator)}">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;max-width:1120px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0}dl.facts dt{font-weight:bold;color:#555}dl.facts dd{margin:0}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{padding:4px 8px;border-bottom:1px solid #e4e4e4;white-space:nowrap}
th{background:#f6f6f6;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.best td{background:#f0f8ec}
p.legend,p.note,figcaption{color:#555;font-size:12.5px;max-width:980px}
figure{margin:10px 0 18px}figure svg{max-width:100%;height:auto}
.heatmaps{display:flex;flex-wrap:wrap;gap:8px 28px}
.nodata{padding:18px;border:1px dashed #bbb;color:#666;background:#fafafa;max-width:560px}
details{margin:8px 0}summary{cursor:pointer;font-weight:bold}pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:12px;max-height:520px}
ul.notes li{margin:2px 0}
`;

export function table(columns: string[], rows: string[][], numeric: boolean[], rowClass: (i: number) => string = () => ''): string {
  const th = columns.map((c, i) => `<th${numeric[i] ? ' class="n"' : ''}>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((r, j) => {
      const cls = rowClass(j);
      return `<tr${cls ? ` class="${cls}"` : ''}>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function switchTable(s: StrategyResult): string {
  const cols = ['switch', 'cycles', 'energy (µJ)', 'latency (ms)', 'cell / row mode (ms)', 'cells touched', 'of targeted', 'failures', 'crossbars', 'max wear', 'switches left', 'matching (s)', 'resident ideal %', 'resident analog %'];
  const rows = s.switches.map((sw) => [
    switchLabel(sw),
    fmtCount(sw.cycles),
    fmtSig(sw.energyJ * 1e6, 3),
    fmtSig(sw.latencyS * 1e3, 3),
    `${fmtSig(sw.latencyCellS * 1e3, 3)} / ${fmtSig(sw.latencyRowS * 1e3, 3)}`,
    fmtCount(sw.cellsTouched),
    sw.cellsTargeted > 0 ? `${((sw.cellsTouched / sw.cellsTargeted) * 100).toFixed(1)} %` : '—',
    fmtCount(sw.failures),
    String(sw.crossbarsUsed),
    fmtCount(sw.maxWear),
    sw.switchesLeft === null ? '∞' : fmtCount(sw.switchesLeft),
    sw.matchingSeconds > 0 ? fmtSig(sw.matchingSeconds, 3) : '—',
    fmtAccuracyCi(sw.accuracy[sw.to], 'ideal', true),
    fmtAccuracyCi(sw.accuracy[sw.to], 'analog', true),
  ]);
  return table(cols, rows, cols.map((_, i) => i > 0));
}

export function figure(kind: string, svg: string, caption: string, attrs = ''): string {
  return `<figure class="chart ${kind}" data-chart="${kind}"${attrs}>\n${svg}\n<figcaption>${escapeHtml(caption)}</figcaption>\n</figure>`;
}

/**
 * The HTML report: scenario facts, the summary table, charts (cost per switch, per-layer reuse, reprogrammed-cell
 * heatmaps, Pareto curve), per-switch tables, notes and the config. One string, no external resources.
 */
export function htmlReport(results: Results, opts: HtmlReportOptions = {}): string {
  const r = results;
  const strategies = orderedStrategies(r);
  const t = summaryTable(r);
  const bestCycles = Math.min(...t.rows.map((x) => x.cyclesPerSwitch));
  const parts: string[] = [];
  const title = `ha3m report: ${r.scenario.name || 'scenario'}`;

  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(`<dl class="facts">${scenarioFacts(r).slice(1).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);

  parts.push('<h2 id="summary">Summary</h2>');
  parts.push(table(t.columns, t.rows.map((x) => x.cells), t.numeric, (i) => (t.rows[i]!.cyclesPerSwitch === bestCycles ? 'best' : '')));
  parts.push(`<p class="legend">${escapeHtml(SUMMARY_LEGEND)}</p>`);
  const a = accuracyTable(r);
  parts.push(`<h3>${escapeHtml(accuracyHeading(r))}</h3>`);
  parts.push(table(a.columns, a.rows, a.numeric));
  const gaps = accuracyGaps(r);
  if (gaps) parts.push(`<p class="note">${escapeHtml(gaps)}.</p>`);
  parts.push(`<p class="legend">${escapeHtml(ACCURACY_LEGEND)}</p>`);
  const tied = r.strategies.ha3m?.tiedFraction;
  if (tied !== undefined) parts.push(`<p class="note">ha3m tied ${(tied * 100).toFixed(1)} % of blocks (MMR).</p>`);
  if (r.notes.length > 0) {
    parts.push(`<ul class="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  }

  parts.push('<h2 id="cost">Programming cost per switch</h2>');
  parts.push(figure('cost', renderSvg(costSpec(r, opts.scale ?? 'auto')),
    'Each group is one switch of the sequence (the initial programming, switch 0, is left out); bars are strategies. ' +
      'Energy and latency under the configured parallelism.'));

  parts.push('<h2 id="reuse">Per-layer reuse</h2>');
  parts.push(figure('reuse', renderSvg(reuseSpec(r)),
    'Share of each layer\'s cells that switches left as they were (1 − cells touched / cells), summed over all switches into that model.'));

  parts.push('<h2 id="heatmaps">Reprogrammed cells</h2>');
  const heat: string[] = [];
  for (const s of strategies) {
    const sw = heatmapSwitch(r, s, opts.heatmapSwitch);
    if (!sw || sw.heatmap.crossbars.length === 0) continue;
    const h = heatmapSpec(r, s, sw, opts.maxHeatmapCrossbars ?? 16);
    const more = h.shown < h.crossbars ? ` Showing the first ${h.shown} of ${h.crossbars} crossbars.` : '';
    heat.push(figure('heatmap', renderSvg(h.spec),
      `${s.name}: ${fmtCount(sw.cellsTouched)} of ${fmtCount(sw.cellsTargeted)} cells reprogrammed in switch ${switchLabel(sw)}.${more}`,
      ` data-strategy="${escapeHtml(s.name)}" data-switch="${sw.index}" data-crossbars="${h.shown}"`));
  }
  parts.push(
    `<p class="legend">Each small grid is one crossbar that holds the incoming model (rows down, columns across), binned to at most 32×32 bins; colour = fraction of the bin's cells that got at least one pulse in the switch.</p>`,
  );
  parts.push(heat.length > 0 ? `<div class="heatmaps">\n${heat.join('\n')}\n</div>` : '<p class="nodata">No heatmap data in these results.</p>');

  parts.push('<h2 id="pareto">Accuracy vs programming cost</h2>');
  const ps = paretoSpec(r);
  if (ps) {
    parts.push(figure('pareto', renderSvg(ps),
      'Each model\'s claimed on-crossbar accuracy against the cycles per switch of its strategy, with 95 % Wilson intervals as bars. ' +
        (r.pareto.length > 0 ? 'ha3m points are runs at different MMR shares (fraction of blocks tied), joined in order of the share.' : 'ha3m was run at one MMR share.')));
  }
  if (r.pareto.length > 0) {
    const p = paretoTable(r);
    parts.push(table(p.columns, p.rows, p.numeric));
  } else {
    parts.push('<p class="nodata">No MMR share sweep in these results: run `ha3m demo --pareto` (or a scenario with more merged model sets) to see the trade-off across shares.</p>');
  }

  parts.push('<h2 id="switches">Per-switch figures</h2>');
  for (const s of strategies) {
    parts.push(`<details><summary>${escapeHtml(s.name)}: ${escapeHtml(s.description)}</summary>\n${switchTable(s)}\n</details>`);
  }

  parts.push('<h2 id="config">Configuration</h2>');
  parts.push(`<details><summary>Hardware config (seed ${r.seed})</summary>\n<pre>${escapeHtml(stringifyResults(r.config))}</pre>\n</details>`);
  parts.push(`<details><summary>Scenario</summary>\n<pre>${escapeHtml(stringifyResults(r.scenario))}</pre>\n</details>`);

  return htmlPage(title, `${r.tool.name} ${r.tool.version}`, CSS, parts);
}

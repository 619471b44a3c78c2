// Markdown summary of a results file: a scenario header and one table row per strategy. Pure.
import { accuracyGaps, accuracyTable, fmtCount, paretoTable, scenarioFacts, summaryTable, uniformClaimSamples } from './table.js';
import type { Results } from './types.js';

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown table text from columns and rows of cells (right-aligned numeric columns, padded for plain reading). */
export function markdownTable(columns: string[], rows: string[][], numeric: boolean[]): string {
  const all = [columns, ...rows].map((r) => r.map(escapeCell));
  const widths = columns.map((_, i) => Math.max(3, ...all.map((r) => [...(r[i] ?? '')].length)));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - [...s].length);
    return numeric[i] ? fill + s : s + fill;
  };
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? '-'.repeat(w + 1) + ':' : ':' + '-'.repeat(w + 1))).join('|')}|`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}

/** How to read the cost table (shown under it in Markdown and HTML). */
export const SUMMARY_LEGEND =
  'All costs are per switch: means over the switches after the initial programming (cycles = write-verify ' +
  'programming cycles; energy and latency under the configured parallelism). "vs full" / "vs diff" = how many fewer ' +
  'cycles per switch than that strategy.';

/** How to read the accuracy table. */
export const ACCURACY_LEGEND =
  'Accuracies are on-crossbar (ideal = noiseless integer read of the programmed levels, analog = the conductances ' +
  'write-verify left, with read noise and the ADC), for each model the last time it was resident; in brackets the ' +
  '95 % Wilson score interval of the proportion of correct test images.';

/** The heading of the accuracy table, with the number of test images when every claim used the same number. */
export function accuracyHeading(results: Results): string {
  const n = uniformClaimSamples(results);
  return `Accuracy on the crossbars (%, 95 % interval${n !== null ? `; ${fmtCount(n)} test images per model` : ''})`;
}

/** The two tables (cost, accuracy) with their legends: the part of the summary that the README quotes. */
export function markdownTables(results: Results): string {
  const t = summaryTable(results);
  const a = accuracyTable(results);
  const out: string[] = [];
  out.push(markdownTable(t.columns, t.rows.map((r) => r.cells), t.numeric), '');
  out.push(`${accuracyHeading(results)}:`, '');
  out.push(markdownTable(a.columns, a.rows, a.numeric));
  const gaps = accuracyGaps(results);
  if (gaps) out.push('', `${gaps}.`);
  return out.join('\n');
}

/** The summary: scenario header, the cost and accuracy tables, how to read them, and the run's notes. */
export function markdownSummary(results: Results): string {
  const out: string[] = [];
  out.push(`## ha3m results: ${results.scenario.name || 'scenario'}`, '');
  for (const [k, v] of scenarioFacts(results).slice(1)) out.push(`- **${k}**: ${v}`);
  out.push('', markdownTables(results), '');
  out.push(SUMMARY_LEGEND, '', ACCURACY_LEGEND);
  const tied = results.strategies.ha3m?.tiedFraction;
  if (tied !== undefined) out.push('', `ha3m tied ${(tied * 100).toFixed(1)} % of blocks (MMR).`);
  if (results.pareto.length > 0) {
    const p = paretoTable(results);
    out.push('', `MMR share sweep (ha3m; on-crossbar accuracy %, 95 % interval):`, '', markdownTable(p.columns, p.rows, p.numeric));
  }
  if (results.notes.length > 0) {
    out.push('', '**Notes**', '');
    for (const n of results.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}

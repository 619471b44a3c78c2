// Keeping a README's quoted results true: the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` is replaced
// by tables rendered from a results file (scripts/readme-demo.ts). Pure.
import { markdownTable, markdownTables } from './markdown.js';
import { paretoTable } from './table.js';
import type { Results } from './types.js';

export class MarkerError extends Error {
  constructor(message: string) { super(message); this.name = 'MarkerError'; }
}

/** Replaces what lies between the marker pair (exclusive) with `content`; the markers stay. */
export function replaceBetweenMarkers(text: string, marker: string, content: string): string {
  if (!/^[\w-]+$/.test(marker)) throw new MarkerError(`marker name '${marker}' must be letters, digits, - or _`);
  const start = `<!-- ${marker}:start -->`, end = `<!-- ${marker}:end -->`;
  const count = (s: string) => text.split(s).length - 1;
  if (count(start) !== 1 || count(end) !== 1) {
    throw new MarkerError(`expected exactly one '${start}' and one '${end}' line, found ${count(start)} and ${count(end)}; add the pair where the table goes`);
  }
  const i = text.indexOf(start) + start.length, j = text.indexOf(end);
  if (j < i) throw new MarkerError(`'${end}' comes before '${start}'`);
  return `${text.slice(0, i)}\n${content.trim()}\n${text.slice(j)}`;
}

/** What a README block shows: the cost and accuracy tables, or the MMR share sweep. */
export type ReadmeBlock = 'tables' | 'pareto';

export function readmeBlock(results: Results, block: ReadmeBlock): string {
  if (block === 'tables') return markdownTables(results);
  if (results.pareto.length === 0) throw new MarkerError('these results hold no MMR share sweep: run `ha3m demo --pareto` for the pareto block');
  const p = paretoTable(results);
  return markdownTable(p.columns, p.rows, p.numeric);
}

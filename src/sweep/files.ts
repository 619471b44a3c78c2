// Writing a sweep's reports (Node): summary.md and report.html next to its JSONL file, each written atomically.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/write.js';
import { sweepHtml, sweepMarkdown } from './report.js';
import type { SweepRecord } from './types.js';

/** The names of a sweep's reports: summary.md and report.html, or summary.shard-I-of-N.md … for one shard of several. */
export function reportFileNames(shard?: { index: number; count: number }): { md: string; html: string } {
  const s = shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
  return { md: `summary${s}.md`, html: `report${s}.html` };
}

/**
 * Writes DIR/summary.md and DIR/report.html (per shard when `shard` is one of several, so shards sharing one
 * output directory do not overwrite each other's reports); returns their paths.
 */
export function writeSweepReports(records: SweepRecord[], dir: string, opts: { title?: string; grid?: unknown; shard?: { index: number; count: number } } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const names = reportFileNames(opts.shard);
  const md = join(dir, names.md), html = join(dir, names.html);
  writeFileAtomic(md, sweepMarkdown(records));
  writeFileAtomic(html, sweepHtml(records, opts));
  return [md, html];
}

// Writing a sweep's reports (Node): summary.md and report.html next to its JSONL file, each written atomically.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/write.js';
import { sweepHtml, sweepMarkdown } from './report.js';
import type { SweepRecord } from './types.js';

/** Writes DIR/summary.md and DIR/report.html; returns their paths. */
export function writeSweepReports(records: SweepRecord[], dir: string, opts: { title?: string; grid?: unknown } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'summary.md'), html = join(dir, 'report.html');
  writeFileAtomic(md, sweepMarkdown(records));
  writeFileAtomic(html, sweepHtml(records, opts));
  return [md, html];
}

// Node-only: writes the report files for a results object into a directory, each atomically.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { htmlReport, type HtmlReportOptions } from './html.js';
import { stringifyResults } from './json.js';
import { markdownSummary } from './markdown.js';
import { summaryJson } from './table.js';
import type { Results } from './types.js';
import { writeFileAtomic, writeResultsAtomic } from './write.js';

export type ReportFormat = 'html' | 'md' | 'json';
export const REPORT_FILES: Record<ReportFormat, string> = { html: 'report.html', md: 'summary.md', json: 'summary.json' };

export interface WriteReportsOptions extends HtmlReportOptions {
  /** Which files to write (default html and md). */
  formats?: ReportFormat[];
}

export interface WrittenReports { files: Partial<Record<ReportFormat, string>>; markdown: string }

/** Writes report.html / summary.md / summary.json into `dir` (which must exist). */
export function writeReports(results: Results, dir: string, opts: WriteReportsOptions = {}): WrittenReports {
  const formats = opts.formats ?? ['html', 'md'];
  const markdown = markdownSummary(results);
  const files: WrittenReports['files'] = {};
  for (const f of formats) {
    const path = join(dir, REPORT_FILES[f]);
    const text = f === 'html' ? htmlReport(results, opts) : f === 'md' ? markdown : stringifyResults(summaryJson(results));
    writeFileAtomic(path, text);
    files[f] = path;
  }
  return { files, markdown };
}

/**
 * The outputs of a scenario run: creates `dir` if needed and writes results.json (validated), summary.md and
 * report.html into it, each atomically. Returns the Markdown summary.
 */
export function writeOutputs(results: Results, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeResultsAtomic(join(dir, 'results.json'), results);
  return writeReports(results, dir, { formats: ['md', 'html'] }).markdown;
}

// `ha3m report RESULTS`: validate a results.json and write its reports (src/report).
//   ha3m report out/results.json                       → out/report.html + out/summary.md, prints the summary
//   ha3m report out/results.json --out site --format html,md,json --scale log --switch 3
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { readResults, ResultsError, writeReports, type ReportFormat } from '../../report/node.js';
import type { ScaleMode } from '../../report/index.js';
import { parseIntOption } from '../common.js';
import { UserError } from '../errors.js';
import { prepareOutDir } from '../out.js';

interface ReportOpts { out?: string; format: string; scale: string; switch?: string; maxCrossbars?: string; quiet?: boolean }

const FORMATS: ReportFormat[] = ['html', 'md', 'json'];
const SCALES: ScaleMode[] = ['auto', 'log', 'linear'];

export function parseFormats(s: string): ReportFormat[] {
  const parts = s.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '');
  if (parts.length === 0) throw new UserError(`--format needs at least one of ${FORMATS.join(', ')}`);
  for (const p of parts) {
    if (!FORMATS.includes(p as ReportFormat)) {
      throw new UserError(`--format: unknown format '${p}'; use a comma-separated list of ${FORMATS.join(', ')} (e.g. --format html,md)`);
    }
  }
  return [...new Set(parts)] as ReportFormat[];
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('validate a results.json and write report.html (charts) and summary.md next to it; prints the summary table')
    .argument('<results>', 'results.json written by `ha3m switch` or `ha3m demo`')
    .option('--out <dir>', 'directory for the reports (default: the results file\'s directory; created if missing)')
    .option('--format <list>', 'files to write, comma-separated: html (report.html), md (summary.md), json (summary.json)', 'html,md')
    .option('--scale <mode>', 'y scale of the cost bar charts: auto or linear (linear axis), or log (a symlog axis, said in the chart titles)', 'auto')
    .option('--switch <index>', 'switch whose reprogrammed-cell heatmaps are shown (default: the first A→B switch)')
    .option('--max-crossbars <n>', 'at most this many crossbar heatmaps per strategy', '16')
    .option('--quiet', 'do not print the summary')
    .action((file: string, opts: ReportOpts) => {
      const formats = parseFormats(opts.format);
      if (!SCALES.includes(opts.scale as ScaleMode)) {
        throw new UserError(`--scale must be one of ${SCALES.join(', ')}, got '${opts.scale}'`);
      }
      const heatmapSwitch = opts.switch === undefined ? undefined : parseIntOption('switch', opts.switch, 0, 0);
      const maxHeatmapCrossbars = parseIntOption('max-crossbars', opts.maxCrossbars, 16, 1);
      let results;
      try {
        results = readResults(file);
      } catch (e) {
        if (e instanceof ResultsError) throw new UserError(e.message);
        throw e;
      }
      if (heatmapSwitch !== undefined) {
        const n = Math.max(...Object.values(results.strategies).map((s) => s.switches.length));
        if (heatmapSwitch >= n) throw new UserError(`--switch ${heatmapSwitch}: the results have switches 0..${n - 1}`);
      }
      const dir = resolve(opts.out ?? dirname(file));
      prepareOutDir(dir); // created if missing; a file, a path under a file or an unwritable place is refused
      const written = writeReports(results, dir, {
        formats, scale: opts.scale as ScaleMode, heatmapSwitch, maxHeatmapCrossbars,
      });
      if (!opts.quiet) console.log(written.markdown);
      for (const f of formats) console.log(`wrote ${written.files[f]}`);
    });
}

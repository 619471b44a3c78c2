import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { initSync } from '../../wasm/index.js';
import { GridError, parseShard } from '../../sweep/grid.js';
import { mergeRecordFiles, readRecords, latestById, SweepFileError } from '../../sweep/records.js';
import { existsSync } from 'node:fs';
import { runSweep, SWEEP_DEFINITION } from '../../sweep/run.js';
import { writeSweepReports } from '../../sweep/files.js';
import { ScenarioError } from '../../scenario/types.js';
import { intArg } from '../common.js';
import { progressBar } from '../progress.js';
import { UserError } from '../errors.js';

interface SweepOpts {
  grid?: string; out: string; workers?: string; resume?: boolean; retryFailed?: boolean; shard?: string; estimate?: boolean;
  dataDir?: string; json?: boolean; mergeCache?: string;
}

async function sweepErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try { return await fn(); } catch (e) {
    if (e instanceof GridError || e instanceof SweepFileError || e instanceof ScenarioError) throw new UserError(e.message);
    throw e;
  }
}

function counts(records: Array<{ status: string }>): string {
  const ok = records.filter((r) => r.status === 'ok').length;
  return `${ok} ok, ${records.length - ok} failed`;
}

async function sweepAction(o: SweepOpts): Promise<void> {
  if (!o.grid && o.resume && existsSync(join(o.out, SWEEP_DEFINITION))) o.grid = join(o.out, SWEEP_DEFINITION);
  if (!o.grid) throw new UserError(`give --grid FILE (a JSON or YAML sweep definition)${o.resume ? `, or --out a sweep directory (with ${SWEEP_DEFINITION})` : ''}, or use \`ha3m sweep merge\` / \`ha3m sweep report\``);
  initSync();
  const shard = o.shard ? await sweepErrors(() => parseShard(o.shard!)) : undefined;
  const workers = o.workers === undefined ? undefined : intArg(o.workers, 'workers', 0);
  let bar: ReturnType<typeof progressBar> | null = null;
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\nstopping after the running points (Ctrl-C again to abort; --resume continues)\n');
  };
  process.on('SIGINT', onSigint);
  let failed = 0;
  const run = await sweepErrors(() => runSweep({
    gridPath: o.grid!, out: o.out, workers, resume: o.resume, retryFailed: o.retryFailed, shard,
    mode: o.estimate ? 'estimate' : 'simulate', dataDir: o.dataDir, shouldStop: () => stop,
    onLog: (m) => process.stderr.write(`${m}\n`), mergeCache: o.mergeCache,
    onProgress: (done, total, last) => {
      bar ??= progressBar(`sweep${shard ? ` ${shard.index}/${shard.count}` : ''}`, total, { quiet: !!o.json, linesEveryS: 30 });
      if (last?.status === 'error') {
        failed++;
        if (!o.json) process.stderr.write(`\npoint ${last.index} failed: ${last.error}\n`);
      }
      bar.update(done, { detail: failed ? `(${failed} failed)` : '' });
    },
  })).finally(() => { (bar as ReturnType<typeof progressBar> | null)?.stop(); process.off('SIGINT', onSigint); });
  const files = writeSweepReports(run.records, o.out, { title: run.sweep.grid.name, grid: run.sweep.grid });
  const summary = {
    file: run.file, sweep: run.sweep.id, points: run.points.length, ran: run.ran, resumed: run.skipped,
    ok: run.records.filter((r) => r.status === 'ok').length, failed: run.records.filter((r) => r.status === 'error').length,
    missing: run.points.length - run.records.length, reports: files,
  };
  if (o.json) { console.log(JSON.stringify(summary)); return; }
  console.log(`sweep ${run.sweep.grid.name} (${run.sweep.id}): ${run.points.length} points${shard ? ` in shard ${shard.index}/${shard.count} of ${run.sweep.points.length}` : ''}; `
    + `ran ${run.ran}, found done ${run.skipped}; ${counts(run.records)}${summary.missing ? `; ${summary.missing} not run (stopped; --resume continues)` : ''}`);
  console.log(`wrote ${run.file}, ${files.join(', ')}`);
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('design-space sweep: run a scenario at every point of a grid of hardware/scenario parameters, in parallel, resumable and shardable; JSONL records + report')
    .option('--grid <file>', 'sweep definition (JSON or YAML): base scenario + parameters with lists of values (docs: README "Sweeps")')
    .option('--out <dir>', 'output directory (points.jsonl, summary.md, report.html)', 'ha3m-sweep')
    .option('--workers <n>', 'worker threads (default: all cores; 0 = run in this thread)')
    .option('--resume', 'continue the sweep in --out: skip the points already recorded (--grid defaults to OUT/sweep.json)')
    .option('--retry-failed', 'with --resume, run failed points again')
    .option('--shard <i/n>', 'run only shard i of n (1-based; every n-th point) — for Slurm arrays / Kubernetes indexed jobs')
    .option('--estimate', 'price switches with the expected-cost table instead of simulating every pulse (fast; no analog accuracy)')
    .option('--data-dir <dir>', 'Fashion-MNIST IDX directory (default: auto-detect)')
    .option('--merge-cache <dir>', 'where models retrained for merge.share points are kept and reused, by content hash (default: OUT/merged)')
    .option('--json', 'print a JSON summary instead of text')
    .action((o: SweepOpts) => sweepAction(o));

  sweep
    .command('merge')
    .description('merge the JSONL files of a sweep\'s shards into one (one record per point, in point order) and write its report')
    .argument('<files...>', 'shard JSONL files (points.shard-I-of-N.jsonl)')
    .requiredOption('--out <dir>', 'output directory for points.jsonl, summary.md and report.html')
    .action(async (files: string[], o: { out: string }) => {
      const out = join(o.out, 'points.jsonl');
      const merged = await sweepErrors(() => {
        for (const f of files) if (f === out) throw new UserError(`--out ${o.out} would overwrite the input ${f}; choose another directory`);
        return mergeRecordFiles(files, out);
      });
      const reports = writeSweepReports(merged, o.out, { title: 'merged sweep' });
      console.log(`merged ${files.length} file(s): ${merged.length} points (${counts(merged)}) → ${out}, ${reports.join(', ')}`);
    });

  sweep
    .command('report')
    .description('write summary.md and report.html (Pareto fronts, cost vs each parameter) from a sweep\'s JSONL file')
    .argument('<file>', 'points.jsonl of a sweep')
    .option('--out <dir>', 'output directory (default: the file\'s directory)')
    .action(async (file: string, o: { out?: string }) => {
      const { records, tornLine } = await sweepErrors(() => readRecords(file));
      if (records.length === 0) throw new UserError(`${file} holds no sweep records${tornLine ? ' (only a torn line)' : ''}; run \`ha3m sweep --grid FILE\` first`);
      const latest = [...latestById(records).values()].sort((a, b) => a.index - b.index);
      const dir = o.out ?? dirname(file);
      const reports = writeSweepReports(latest, dir, { title: 'sweep' });
      console.log(`${latest.length} points (${counts(latest)}) → ${reports.join(', ')}`);
    });
}

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { initSync } from '../../wasm/index.js';
import {
  GridError, latestById, mergeRecordFiles, parseShard, planWorkers, readRecords, runSweep, SWEEP_DEFINITION, SweepFileError,
  SweepLockError, writeSweepReports, type SweepRecord,
} from '../../sweep/index.js';
import { ScenarioError } from '../../scenario/types.js';
import { intArg } from '../common.js';
import { progressBar } from '../progress.js';
import { markIncomplete, UserError } from '../errors.js';
import { prepareOutDir, writeFailure } from '../out.js';

interface SweepOpts {
  grid?: string; out: string; workers?: string; resume?: boolean; retryFailed?: boolean; shard?: string; estimate?: boolean;
  dataDir?: string; json?: boolean; mergeCache?: string;
}

async function sweepErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try { return await fn(); } catch (e) {
    if (e instanceof GridError || e instanceof SweepFileError || e instanceof ScenarioError || e instanceof SweepLockError) throw new UserError(e.message);
    throw e;
  }
}

function counts(records: Array<{ status: string }>): string {
  const ok = records.filter((r) => r.status === 'ok').length;
  return `${ok} ok, ${records.length - ok} failed`;
}

/** Writes the reports; on failure says so (the records are safe in the JSONL file) and marks the run incomplete. */
function writeReports(records: SweepRecord[], dir: string, opts: Parameters<typeof writeSweepReports>[2]): { files: string[]; error: string | null } {
  try {
    return { files: writeSweepReports(records, dir, opts), error: null };
  } catch (e) {
    markIncomplete();
    return { files: [], error: writeFailure(`the reports in ${dir}`, e) };
  }
}

function checkSweepOptions(o: SweepOpts): void {
  if (!o.grid && o.resume && existsSync(join(o.out, SWEEP_DEFINITION))) o.grid = join(o.out, SWEEP_DEFINITION);
  if (!o.grid) throw new UserError(`give --grid FILE (a JSON or YAML sweep definition)${o.resume ? `, or --out a sweep directory (with ${SWEEP_DEFINITION})` : ''}, or use \`ha3m sweep merge\` / \`ha3m sweep report\``);
  if (o.retryFailed && !o.resume) throw new UserError('--retry-failed runs the failed points of an earlier run again: add --resume (and the same --out)');
}

async function sweepAction(o: SweepOpts): Promise<void> {
  checkSweepOptions(o);
  const shard = o.shard ? await sweepErrors(() => parseShard(o.shard!)) : undefined;
  const plan = planWorkers(o.workers === undefined ? undefined : intArg(o.workers, 'workers', 0));
  if (plan.note) console.error(`note: ${plan.note}`);
  prepareOutDir(o.out);
  initSync();
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
    gridPath: o.grid!, out: o.out, workers: plan.workers, resume: o.resume, retryFailed: o.retryFailed, shard,
    mode: o.estimate ? 'estimate' : 'simulate', dataDir: o.dataDir, shouldStop: () => stop,
    onLog: (m) => console.error(m), mergeCache: o.mergeCache,
    onProgress: (done, total, last) => {
      bar ??= progressBar(`sweep${shard ? ` ${shard.index}/${shard.count}` : ''}`, total, { quiet: !!o.json, linesEveryS: 30 });
      if (last?.status === 'error') {
        failed++;
        if (!o.json) console.error(`\npoint ${last.index} failed: ${last.error}`);
      }
      bar.update(done, { detail: failed ? `(${failed} failed)` : '' });
    },
  })).finally(() => { (bar as ReturnType<typeof progressBar> | null)?.stop(); process.off('SIGINT', onSigint); });
  const reports = writeReports(run.records, o.out, { title: run.sweep.grid.name, grid: run.sweep.grid, shard });
  const summary = {
    file: run.file, sweep: run.sweep.id, points: run.points.length, ran: run.ran, resumed: run.skipped,
    ok: run.records.filter((r) => r.status === 'ok').length, failed: run.records.filter((r) => r.status === 'error').length,
    missing: run.points.length - run.records.length, reports: reports.files, workers: plan.workers,
    ...(run.writeError || reports.error ? { error: [run.writeError, reports.error].filter(Boolean).join('; ') } : {}),
  };
  if (summary.failed || summary.missing) markIncomplete();
  for (const e of [run.writeError, reports.error]) if (e) console.error(`ha3m: ${e}`);
  if (o.json) { console.log(JSON.stringify(summary)); return; }
  console.log(`sweep ${run.sweep.grid.name} (${run.sweep.id}): ${run.points.length} points${shard ? ` in shard ${shard.index}/${shard.count} of ${run.sweep.points.length}` : ''}; `
    + `ran ${run.ran}, found done ${run.skipped}; ${counts(run.records)}${summary.missing ? `; ${summary.missing} not run (${run.writeError ? 'could not record them' : 'stopped'}; --resume continues)` : ''}`
    + `${summary.failed ? `; --resume --retry-failed runs the failed points again` : ''}`);
  console.log(`wrote ${[run.file, ...reports.files].join(', ')}`);
}

const SHARD_FILE = /^points\.shard-(\d+)-of-(\d+)\.jsonl$/;

/** What a merge lacks: points of the sweep not in any input, and shards whose files were not given. */
function missingFromMerge(files: string[], merged: SweepRecord[]): string | null {
  const total = Math.max(0, ...merged.map((r) => r.points ?? 0));
  const shards = files.map((f) => SHARD_FILE.exec(basename(f)));
  let shardNote = '';
  if (shards.length && shards.every((m) => m && m[2] === shards[0]![2])) {
    const n = Number(shards[0]![2]);
    const have = new Set(shards.map((m) => Number(m![1])));
    const lacking = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (lacking.length) shardNote = `shard${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} of ${n} not given`;
  }
  const lost = total > merged.length ? `${total - merged.length} of the sweep's ${total} points are missing` : '';
  if (!lost && !shardNote) return null;
  return `${[lost, shardNote].filter(Boolean).join('; ')}: merge every shard's file, or finish the shards first (ha3m sweep --resume --shard I/N)`;
}

/** A records file argument: the file, or a sweep directory holding points.jsonl; "not found" when neither. */
function recordsPath(arg: string): string {
  if (!existsSync(arg)) throw new UserError(`${arg} not found; give a sweep's points.jsonl (or its output directory)`);
  if (statSync(arg).isDirectory()) {
    const f = join(arg, 'points.jsonl');
    if (!existsSync(f)) throw new UserError(`${arg} is a directory without points.jsonl; give a sweep's JSONL file (shards: merge them with \`ha3m sweep merge\`)`);
    return f;
  }
  return arg;
}

async function mergeAction(files: string[], o: { out: string }): Promise<void> {
  const inputs = files.map(recordsPath);
  const out = join(o.out, 'points.jsonl');
  for (const f of inputs) if (f === out) throw new UserError(`--out ${o.out} would overwrite the input ${f}; choose another directory`);
  prepareOutDir(o.out);
  const merged = await sweepErrors(() => mergeRecordFiles(inputs, out));
  const missing = missingFromMerge(inputs, merged);
  if (missing) { markIncomplete(); console.error(`warning: ${missing}`); }
  if (merged.some((r) => r.status === 'error')) markIncomplete();
  const reports = writeReports(merged, o.out, { title: 'merged sweep' });
  if (reports.error) console.error(`ha3m: ${reports.error}`);
  console.log(`merged ${inputs.length} file(s): ${merged.length} points (${counts(merged)}) → ${[out, ...reports.files].join(', ')}`);
}

async function reportAction(file: string, o: { out?: string }): Promise<void> {
  const path = recordsPath(file);
  const { records, tornLine } = await sweepErrors(() => readRecords(path));
  if (records.length === 0) throw new UserError(`${path} holds no sweep records${tornLine ? ' (only a torn line)' : ''}; run \`ha3m sweep --grid FILE\` first`);
  const latest = [...latestById(records).values()].sort((a, b) => a.index - b.index);
  const dir = o.out ?? dirname(path);
  if (o.out) prepareOutDir(o.out);
  const reports = writeReports(latest, dir, { title: 'sweep' });
  if (reports.error) console.error(`ha3m: ${reports.error}`);
  console.log(`${latest.length} points (${counts(latest)}) → ${reports.files.join(', ') || '(no report written)'}`);
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('design-space sweep: run a scenario at every point of a grid of hardware/scenario parameters, in parallel, resumable and shardable; JSONL records + report')
    .option('--grid <file>', 'sweep definition (JSON or YAML): base scenario + parameters with lists of values (docs: README "Sweeps")')
    .option('--out <dir>', 'output directory (points.jsonl, summary.md, report.html)', 'ha3m-sweep')
    .option('--workers <n>', 'worker threads (default: all cores; capped by cores and memory; 0 = run in this thread)')
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
    .action(mergeAction);

  sweep
    .command('report')
    .description('write summary.md and report.html (Pareto fronts, cost vs each parameter) from a sweep\'s JSONL file')
    .argument('<file>', 'points.jsonl of a sweep (or its output directory)')
    .option('--out <dir>', 'output directory (default: the file\'s directory)')
    .action(reportAction);
}

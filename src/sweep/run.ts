// Running a sweep: grid file → points (→ this shard's) → skip what the JSONL file already holds (--resume) → worker
// pool → one appended line per finished point → report. Node-only.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseScenarioFile } from '../scenario/file.js';
import type { ModelCache } from '../scenario/load.js';
import { expandGrid, parseGridFile, pointScenario, shardPoints, splitKey, sweepId, GridError, type GridFile } from './grid.js';
import { hardwareOf, resolveScenarioPaths } from '../scenario/load.js';
import { runPoint, type PointTask } from './point.js';
import { runPool } from './pool.js';
import { latestById, readRecords, RecordWriter, SweepFileError } from './records.js';
import { SWEEP_SCHEMA, type SweepPoint, type SweepRecord } from './types.js';
import { ensureMerged, isMerged, mergeJobFor, type MergeJob, type MergeOptions } from './merge.js';
import { setupBackend } from '../training/backend.js';
import { writeFileAtomic } from '../report/write.js';
import { acquireLock } from './lock.js';

/** Reads a JSON or YAML file (by extension; .yml/.yaml are YAML). */
export function readStructured(path: string, what: string): unknown {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new GridError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  try {
    return ext === '.yml' || ext === '.yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new GridError(`${what} ${path} is not valid ${ext === '.yml' || ext === '.yaml' ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
}

export interface LoadedSweep {
  grid: GridFile;
  /** The base scenario file object (validated once as a whole). */
  base: Record<string, unknown>;
  id: string;
  points: SweepPoint[];
}

/** Loads and validates a grid file and its base scenario; expands the points. */
export function loadSweep(gridPath: string, mode: 'simulate' | 'estimate' = 'simulate'): LoadedSweep {
  const grid = parseGridFile(readStructured(gridPath, 'sweep grid'), gridPath);
  // model paths are relative to the file that names them (the scenario file, or the grid for an inline scenario)
  const scenarioPath = typeof grid.scenario === 'string' ? resolve(dirname(gridPath), grid.scenario) : resolve(gridPath);
  const base = resolveScenarioPaths(typeof grid.scenario === 'string' ? readStructured(scenarioPath, 'base scenario') : grid.scenario,
    dirname(scenarioPath)) as Record<string, unknown>;
  const baseFile = parseScenarioFile(base, typeof grid.scenario === 'string' ? grid.scenario : `${gridPath}: scenario`);
  checkParamPaths(grid, hardwareOf(baseFile) as unknown as Record<string, unknown>, gridPath);
  if ('merge.share' in grid.parameters) {
    if (!baseFile.strategies.includes('ha3m')) throw new GridError(`${gridPath}: merge.share retrains the models for the ha3m strategy, but the base scenario's strategies (${baseFile.strategies.join(', ')}) lack ha3m; add it`);
    if (baseFile.merged) throw new GridError(`${gridPath}: the base scenario sets "merged" and the grid sweeps merge.share; drop one of them`);
  }
  return { grid, base, id: sweepId(grid, { base, mode }), points: expandGrid(grid) };
}

const BLM_FIELDS = ['mode', 'negate', 'blockRows', 'blockCols'];

/** A misspelt field would fail every point the same way: refuse it before running anything. */
function checkParamPaths(grid: GridFile, hardware: Record<string, unknown>, source: string): void {
  for (const key of Object.keys(grid.parameters)) {
    for (const path of splitKey(key)) {
      const [root, ...rest] = path.split('.');
      if (root === 'hardware') {
        let node: unknown = hardware;
        for (const [i, k] of rest.entries()) {
          const obj = node as Record<string, unknown>;
          if (node === null || typeof node !== 'object' || !Object.hasOwn(obj, k)) {
            const at = ['hardware', ...rest.slice(0, i)].join('.');
            const known = node && typeof node === 'object' ? Object.keys(obj).join(', ') : '(not an object)';
            throw new GridError(`${source}: parameters.${key}: ${path} is not a hardware field (${at} has ${known})`);
          }
          node = obj[k];
        }
      } else if (root === 'blm' && (rest.length !== 1 || !BLM_FIELDS.includes(rest[0]!))) {
        throw new GridError(`${source}: parameters.${key}: ${path} is not a BLM option (blm has ${BLM_FIELDS.join(', ')})`);
      } else if (root !== 'hardware' && root !== 'blm' && root !== 'merge' && rest.length > 0) {
        throw new GridError(`${source}: parameters.${key}: ${root} is not an object; sweep it as "${root}"`);
      }
    }
  }
}

export interface SweepOptions {
  gridPath: string;
  /** Output directory: the JSONL file, summary.md and report.html. */
  out: string;
  /** Worker threads (default: all cores); 0 runs the points in this thread. */
  workers?: number;
  resume?: boolean;
  /** Re-run points whose last record is a failure (with resume). */
  retryFailed?: boolean;
  shard?: { index: number; count: number };
  mode?: 'simulate' | 'estimate';
  dataDir?: string;
  /** Directory of retrained (merge.share) model sets, shared by sweeps that name it (default OUT/merged). */
  mergeCache?: string;
  /** Messages about retraining (merge.share points). */
  onLog?: (message: string) => void;
  /** Progress: points done (incl. those found on resume) of this shard's total. */
  onProgress?: (done: number, total: number, last: SweepRecord | null) => void;
  shouldStop?: () => boolean;
}

export interface SweepRun {
  file: string;
  sweep: LoadedSweep;
  /** This shard's points. */
  points: SweepPoint[];
  /** Points run now / found done in the file. */
  ran: number;
  skipped: number;
  /** The records standing for this shard's points, in point order. */
  records: SweepRecord[];
  /** Why the run stopped early because a record could not be written (the records before it are in the file). */
  writeError?: string;
}

/** Retrains (or finds in the cache) what the points with merge.share need; returns the points still to run. */
async function prepareMerges(tasks: PointTask[], mo: MergeOptions, o: SweepOptions, fail: (t: PointTask, e: unknown, t0: number) => void): Promise<PointTask[]> {
  const hashes = new Map<string, string>();
  const jobs = new Map<string, { job: MergeJob; tasks: PointTask[] }>();
  const ready: PointTask[] = [];
  for (const t of tasks) {
    let job: MergeJob | null;
    try { job = mergeJobFor(t.scenario, t.point.params['merge.share'], mo, o.mergeCache ?? join(o.out, 'merged'), hashes); } catch (e) { fail(t, e, performance.now()); continue; }
    if (!job) { ready.push(t); continue; }
    const entry = jobs.get(job.key) ?? { job, tasks: [] };
    entry.tasks.push(t);
    jobs.set(job.key, entry);
  }
  let backendReady = false;
  for (const { job, tasks: waiting } of jobs.values()) {
    if (o.shouldStop?.()) break;
    const t0 = performance.now();
    try {
      if (!isMerged(job) && !backendReady) { await setupBackend({ log: null }); backendReady = true; }
      await ensureMerged(job, mo, o.dataDir, o.onLog ?? (() => {}));
    } catch (e) {
      for (const t of waiting) fail(t, new Error(`retraining at share ${job.share} failed: ${(e as Error).message}`), t0);
      continue;
    }
    for (const t of waiting) ready.push({ ...t, scenario: { ...t.scenario, merged: job.dir } });
  }
  return ready.sort((a, b) => a.point.index - b.point.index);
}

/** The sweep definition kept in the output directory. */
export const SWEEP_DEFINITION = 'sweep.json';

export function recordsFileName(shard?: { index: number; count: number }): string {
  return shard && shard.count > 1 ? `points.shard-${shard.index}-of-${shard.count}.jsonl` : 'points.jsonl';
}

export async function runSweep(o: SweepOptions): Promise<SweepRun> {
  const mode = o.mode ?? 'simulate';
  const sweep = loadSweep(o.gridPath, mode);
  const points = o.shard ? shardPoints(sweep.points, o.shard) : sweep.points;
  mkdirSync(o.out, { recursive: true });
  const file = join(o.out, recordsFileName(o.shard));
  // one run per records file: a second run, or a --resume while the first goes on, would run every point twice
  const lock = acquireLock(`${file}.lock`, `the sweep in ${o.out}${o.shard && o.shard.count > 1 ? ` (shard ${o.shard.index}/${o.shard.count})` : ''}`, o.onLog);
  try {
    return await runLocked(o, mode, sweep, points, file);
  } finally {
    lock.release();
  }
}

async function runLocked(o: SweepOptions, mode: 'simulate' | 'estimate', sweep: LoadedSweep, points: SweepPoint[], file: string): Promise<SweepRun> {
  let truncateTo: number | undefined;
  let done = new Map<string, SweepRecord>();
  if (existsSync(file) && statSync(file).size > 0) {
    if (!o.resume) throw new SweepFileError(`${file} already exists: add --resume to continue that sweep, or choose another --out`);
    const prev = readRecords(file);
    const other = prev.records.find((r) => r.sweep !== sweep.id);
    if (other) {
      throw new SweepFileError(`${file} holds points of another sweep (${other.sweep}, this grid and mode give ${sweep.id}): the grid, its base scenario or --estimate changed; use another --out`);
    }
    if (prev.tornLine) truncateTo = prev.goodBytes; // a write cut short by a kill: drop it, its point runs again
    done = latestById(prev.records);
  }
  // a self-contained copy of the definition (base scenario inline): `--resume --out DIR` needs nothing else
  writeFileAtomic(join(o.out, SWEEP_DEFINITION), JSON.stringify({ ...sweep.grid, scenario: sweep.base }, null, 2) + '\n');
  const ids = new Set(points.map((p) => p.id));
  for (const id of [...done.keys()]) if (!ids.has(id)) done.delete(id);
  const pending = points.filter((p) => {
    const r = done.get(p.id);
    return !r || (o.retryFailed && r.status === 'error');
  });
  const skipped = points.length - pending.length;
  let tasks: PointTask[] = pending.map((point) => ({
    sweep: sweep.id, point, scenario: pointScenario(sweep.base, point.params), mode, ...(o.dataDir ? { dataDir: o.dataDir } : {}),
  }));
  let finished = skipped, ran = 0;
  o.onProgress?.(finished, points.length, null);
  const writer = new RecordWriter(file, truncateTo !== undefined ? { truncateTo } : {});
  let writeError: string | undefined;
  const onRecord = (rec: SweepRecord) => {
    const r: SweepRecord = { ...rec, points: sweep.points.length };
    if (writeError) return; // not recorded: runs again on --resume
    try {
      writer.append(r);
    } catch (e) { // a full disk or a lost mount: stop, keeping what is recorded (a torn line is cut off on resume)
      writeError = `could not append to ${file}: ${(e as Error).message}; the points recorded before are safe — free space (or fix the mount) and --resume`;
      return;
    }
    ran++;
    done.set(r.id, r);
    o.onProgress?.(++finished, points.length, r);
  };
  const fail = (t: PointTask, e: unknown, t0: number) => onRecord({
    schema: SWEEP_SCHEMA, sweep: t.sweep, id: t.point.id, index: t.point.index, params: t.point.params, mode: t.mode,
    status: 'error', error: (e as Error).message ?? String(e), seconds: (performance.now() - t0) / 1000,
  });
  const shouldStop = () => writeError !== undefined || !!o.shouldStop?.();
  try {
    if (sweep.grid.merge) tasks = await prepareMerges(tasks, sweep.grid.merge, { ...o, shouldStop }, fail);
    const workers = o.workers ?? availableParallelism();
    if (workers === 0) {
      const cache: ModelCache = new Map();
      for (const t of tasks) {
        // a point's work is synchronous: without a turn of the event loop a Ctrl-C (a signal handler) would only be
        // seen after the last point
        await new Promise((r) => setImmediate(r));
        if (shouldStop()) break;
        onRecord(await runPoint(t, cache));
      }
    } else {
      await runPool(tasks, { workers, onRecord, shouldStop });
    }
  } finally {
    writer.close();
  }
  const records = points.map((p) => done.get(p.id)).filter((r): r is SweepRecord => r !== undefined);
  return { file, sweep, points, ran, skipped, records, ...(writeError ? { writeError } : {}) };
}

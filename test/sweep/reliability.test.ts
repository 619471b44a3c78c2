// Sweeps under bad input and faults, through the CLI: model paths relative to the files that name them, one run per
// output (a lock), exit codes that tell complete from incomplete, per-shard reports, honest merge/report messages,
// the output directory checked before the work, bounds on budgets and workers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from '../../src/wasm/index.js';
import { saveModel } from '../../src/training/checkpoint.js';
import { planWorkers, runSweep, SweepLockError, WORKER_MEMORY_BYTES } from '../../src/sweep/index.js';
import { readRecords } from '../../src/sweep/records.js';
import { runCli } from '../helpers/cli.js';

initSync();
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ha3m-sweep-rel-'));
const grids = join(dir, 'grids');
const cwd = process.cwd();

async function tinyMlp(seed: number, out: string): Promise<void> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  await saveModel(m, out);
  m.dispose();
}

/** A grid file in DIR/grids naming ../scenario.json, whose models are given relative to the scenario file. */
function writeGrid(name: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const g = join(grids, `${name}.json`);
  writeFileSync(g, JSON.stringify({ name, scenario: '../scenario.json', parameters: params, ...extra }));
  return g;
}

/** A pid that no process has (a child that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
let okGrid = '', failGrid = '';

test.before(async () => {
  await tf.setBackend('cpu');
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(grids);
  await tinyMlp(1, join(dir, 'models', 'a'));
  await tinyMlp(5, join(dir, 'models', 'b'));
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify({
    name: 'tiny', models: [{ name: 'A', path: 'models/a', task: 'mnist' }, { name: 'B', path: './models/b', task: 'mnist' }],
    rounds: 1, strategies: ['diff'], evalSamples: 8, calibSamples: 8, hardware: { crossbar: { rows: 64, cols: 64 } },
  }));
  okGrid = writeGrid('ok', { 'hardware.programming.scheme': ['ispp', 'adaptive'] });
  failGrid = writeGrid('fail', { 'hardware.programming.scheme': ['ispp', 'nonsense'] });
});

test.after(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });

test('model paths are relative to the scenario file, from any working directory; sweep.json stores them absolute; exit 0', async () => {
  process.chdir('/');
  try {
    const out = join(dir, 'rel');
    const r = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0', '--json']);
    assert.is(r.code, 0, r.err);
    const s = JSON.parse(r.outLines.at(-1)!);
    assert.equal([s.points, s.ok, s.failed, s.missing], [2, 2, 0, 0], r.err);
    const stored = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    assert.equal(stored.scenario.models.map((m: { path: string }) => m.path), [join(dir, 'models', 'a'), join(dir, 'models', 'b')]);
    // a resume from yet another directory runs the missing point with the right models
    const file = join(out, 'points.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').split('\n')[0] + '\n');
    process.chdir(tmpdir());
    const again = await runCli(['sweep', '--out', out, '--resume', '--workers', '0', '--json']);
    assert.is(again.code, 0, again.err);
    assert.equal(JSON.parse(again.outLines.at(-1)!).ran, 1);
    assert.equal(readRecords(file).records.map((x) => x.status), ['ok', 'ok']);
  } finally {
    process.chdir(cwd);
  }
});

test('exit codes: 3 when points failed (text and --json), 2 for bad input; --retry-failed needs --resume', async () => {
  const r = await runCli(['sweep', '--grid', failGrid, '--out', join(dir, 'fail'), '--workers', '0', '--json']);
  assert.is(r.code, 3, r.err);
  assert.equal(JSON.parse(r.outLines.at(-1)!).failed, 1);
  const t = await runCli(['sweep', '--grid', failGrid, '--out', join(dir, 'fail'), '--workers', '0', '--resume']);
  assert.is(t.code, 3, 'a resumed sweep with a failed point is still incomplete');
  assert.match(t.out, /1 ok, 1 failed.*--resume --retry-failed/);
  const retry = await runCli(['sweep', '--grid', failGrid, '--out', join(dir, 'fail2'), '--retry-failed']);
  assert.is(retry.code, 2);
  assert.match(retry.err, /--retry-failed .* add --resume/);
  assert.not.ok(existsSync(join(dir, 'fail2')), 'refused before any work');
});

test('a random budget above the grid bound is refused at once, naming the bound', async () => {
  const g = writeGrid('huge', { 'hardware.programming.toleranceUS': { min: 1, max: 3 } }, { mode: 'random', budget: 500_000_000 });
  const t0 = performance.now();
  const r = await runCli(['sweep', '--grid', g, '--out', join(dir, 'huge'), '--workers', '0']);
  assert.is(r.code, 2);
  assert.match(r.err, /budget 500000000 asks for more than 1000000 points/);
  assert.ok(performance.now() - t0 < 5000, 'no points were drawn');
});

test('one run per output: a live lock is refused naming its owner; a dead owner\'s lock is taken over; runs in one process exclude each other', async () => {
  const out = join(dir, 'locked');
  mkdirSync(out);
  const lock = join(out, 'points.jsonl.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: 'now', command: 'ha3m sweep (test)' }));
  const live = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0']);
  assert.is(live.code, 2);
  assert.match(live.err, new RegExp(`in use by another run \\(pid ${process.pid} on ${hostname()}.*delete ${lock.replace(/[.]/g, '\\.')}`));
  writeFileSync(lock, JSON.stringify({ pid: 1, host: 'elsewhere.example', started: 'then', command: 'ha3m sweep' }));
  const remote = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0']);
  assert.is(remote.code, 2);
  assert.match(remote.err, /pid 1 on elsewhere\.example/);
  assert.is(lines(join(out, 'points.jsonl')), 0, 'no point ran while the lock was held');
  const dead = deadPid();
  writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), started: 'then', command: 'ha3m sweep' }));
  const stale = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0']);
  assert.is(stale.code, 0, stale.err);
  assert.match(stale.err, new RegExp(`took over the lock .*process ${dead} is gone`));
  assert.not.ok(existsSync(lock), 'released at the end');
  // two runs at once in one process: the second is refused while the first runs, every point is recorded once
  const out2 = join(dir, 'twice');
  const first = runSweep({ gridPath: okGrid, out: out2, workers: 0 });
  const second = await runSweep({ gridPath: okGrid, out: out2, workers: 0, resume: true }).then(() => null, (e: Error) => e);
  assert.ok(second instanceof SweepLockError, String(second));
  assert.is((await first).records.length, 2);
  assert.is(lines(join(out2, 'points.jsonl')), 2);
});

test('a --resume while another process runs the sweep is refused; after that run is killed, resume takes the stale lock', async () => {
  const out = join(dir, 'concurrent');
  const file = join(out, 'points.jsonl');
  const g = writeGrid('slow', { 'hardware.programming.scheme': ['ispp', 'adaptive', 'fppv'], evalSamples: [8, 9] });
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/ha3m-bin.ts'), 'sweep', '--grid', g, '--out', out, '--workers', '0'],
    { cwd: root, stdio: 'ignore' });
  const t0 = Date.now();
  while (lines(file) < 1 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  const r = await runCli(['sweep', '--out', out, '--resume', '--workers', '0']);
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  assert.is(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`in use by another run \\(pid ${child.pid} `));
  const before = lines(file);
  const again = await runCli(['sweep', '--out', out, '--resume', '--workers', '0', '--json']);
  assert.is(again.code, 0, again.err);
  assert.match(again.err, /took over the lock/);
  assert.is(lines(file), 6, `one record per point (${before} before the kill)`);
});

test('Ctrl-C stops after the running point: exit code 3, and --resume finishes', async () => {
  const out = join(dir, 'sigint');
  const file = join(out, 'points.jsonl');
  const g = writeGrid('stop', { 'hardware.programming.scheme': ['ispp', 'adaptive', 'fppv'], evalSamples: [8, 10, 12] });
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/ha3m-bin.ts'), 'sweep', '--grid', g, '--out', out, '--workers', '0'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d) => { text += d; });
  const t0 = Date.now();
  while (lines(file) < 1 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const code = await new Promise((res) => child.once('exit', res));
  assert.is(code, 3, text);
  assert.match(text, /not run \(stopped; --resume continues\)/);
  assert.ok(lines(file) < 9, `stopped early (${lines(file)} of 9 points)`);
  const done = await runCli(['sweep', '--out', out, '--resume', '--workers', '0']);
  assert.is(done.code, 0, done.err);
  assert.is(lines(file), 9);
});

test('shards sharing an output keep their own reports; merging some of them warns and exits 3', async () => {
  const out = join(dir, 'shards');
  for (const i of [1, 2]) {
    const r = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0', '--shard', `${i}/2`]);
    assert.is(r.code, 0, r.err);
  }
  for (const f of ['summary.shard-1-of-2.md', 'summary.shard-2-of-2.md', 'report.shard-1-of-2.html', 'report.shard-2-of-2.html']) assert.ok(existsSync(join(out, f)), f);
  assert.not.ok(existsSync(join(out, 'summary.md')));
  const part = await runCli(['sweep', 'merge', join(out, 'points.shard-1-of-2.jsonl'), '--out', join(dir, 'merged-part')]);
  assert.is(part.code, 3);
  assert.match(part.err, /warning: 1 of the sweep's 2 points are missing; shard 2 of 2 not given/);
  const all = await runCli(['sweep', 'merge', join(out, 'points.shard-1-of-2.jsonl'), join(out, 'points.shard-2-of-2.jsonl'), '--out', join(dir, 'merged-all')]);
  assert.is(all.code, 0, all.err);
  assert.is(all.err, '');
});

test('sweep report: a missing file is "not found", a sweep directory is accepted', async () => {
  const r = await runCli(['sweep', 'report', join(dir, 'nope', 'points.jsonl')]);
  assert.is(r.code, 2);
  assert.match(r.err, /nope\/points\.jsonl not found/);
  const d = await runCli(['sweep', 'report', join(dir, 'rel')]);
  assert.is(d.code, 0, d.err);
  assert.match(d.out, /2 points \(2 ok, 0 failed\)/);
});

test('--out is checked before the work; temp files of killed runs are removed; a report that cannot be written still prints the summary (exit 3)', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const [out, re] of [
    [file, /--out .*a-file: it is a file, not a directory/],
    [join(file, 'sub'), /a-file is a file, not a directory/],
    ['/proc/ha3m-sweep', /--out \/proc\/ha3m-sweep: cannot write there/],
  ] as const) {
    const r = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0']);
    assert.is(r.code, 2, `${out}: ${r.err}`);
    assert.match(r.err, re);
  }
  const out = join(dir, 'unwritable');
  mkdirSync(join(out, 'summary.md', 'in-the-way'), { recursive: true });
  const stale = join(out, `report.html.tmp-${deadPid()}`), fresh = join(out, `notes.tmp-${process.pid}`);
  writeFileSync(stale, 'half a report');
  writeFileSync(fresh, 'ours');
  const old = new Date(Date.now() - 3600_000);
  utimesSync(stale, old, old);
  const r = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0', '--json']);
  assert.is(r.code, 3, r.err);
  const s = JSON.parse(r.outLines.at(-1)!);
  assert.equal([s.ok, s.failed], [2, 0]);
  assert.match(s.error, /could not write the reports in .*unwritable/);
  assert.match(r.err, /could not write the reports/);
  assert.is(lines(join(out, 'points.jsonl')), 2, 'the records are safe');
  assert.not.ok(existsSync(stale), 'a killed run\'s temp file is removed');
  assert.ok(existsSync(fresh), 'a live process\'s temp file is left alone');
});

test('a full disk mid-sweep stops the run with the summary and the reason, exit 3; --resume runs what was not recorded', async () => {
  assert.ok(existsSync('/dev/full'), 'this test writes to /dev/full (ENOSPC on every write)');
  const out = join(dir, 'full-disk');
  mkdirSync(out);
  symlinkSync('/dev/full', join(out, 'points.jsonl'));
  const r = await runCli(['sweep', '--grid', okGrid, '--out', out, '--workers', '0', '--json']);
  assert.is(r.code, 3, r.err);
  const s = JSON.parse(r.outLines.at(-1)!);
  assert.equal([s.ran, s.missing], [0, 2]);
  assert.match(s.error, /could not append to .*points\.jsonl: .*ENOSPC.*--resume/);
  assert.match(r.err, /could not append/);
  rmSync(join(out, 'points.jsonl'));
  const again = await runCli(['sweep', '--out', out, '--resume', '--workers', '0', '--json']);
  assert.is(again.code, 0, again.err);
  assert.is(JSON.parse(again.outLines.at(-1)!).ran, 2);
});

test('sweeps sharing a retraining cache take turns on an entry: a held entry is waited for, then finished by the waiter', async () => {
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  const g = join(grids, 'mmr.json');
  writeFileSync(g, JSON.stringify({ name: 'mmr', scenario: { ...scenario, models: scenario.models.map((m: { path: string }) => ({ ...m, path: join(dir, m.path) })), strategies: ['diff', 'ha3m'] },
    parameters: { 'merge.share': [0.5] }, merge: { epochs: 0, finetuneEpochs: 0, limit: 64, batchSize: 32 } }));
  const cache = join(dir, 'cache');
  const first = await runSweep({ gridPath: g, out: join(dir, 'mmr1'), workers: 0, mergeCache: cache, onLog: () => {} });
  assert.equal(first.records.map((r) => r.status), ['ok'], first.records[0]!.error);
  const key = readdirSync(cache).find((n) => !n.endsWith('.lock'))!;
  rmSync(join(cache, key, 'merge.json')); // as if that retraining had been cut short
  const lock = join(cache, `${key}.lock`);
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: 'now', command: 'another sweep (test)' }));
  const logs: string[] = [];
  const second = runSweep({ gridPath: g, out: join(dir, 'mmr2'), workers: 0, mergeCache: cache, onLog: (m) => logs.push(m) });
  const t0 = Date.now();
  while (!logs.some((m) => m.startsWith('waiting:')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
  assert.match(logs.join('\n'), /waiting: the retraining cache entry .* is in use by another run/);
  assert.not.ok(logs.some((m) => /retraining \(MMR\)/.test(m)), 'nothing retrained while the entry was held');
  rmSync(lock);
  const r = await second;
  assert.equal(r.records.map((x) => x.status), ['ok'], r.records[0]!.error);
  assert.ok(logs.some((m) => /retraining \(MMR\)/.test(m)), 'the waiter finished the unfinished entry');
  assert.ok(existsSync(join(cache, key, 'merge.json')));
  assert.not.ok(existsSync(lock), 'and released it');
});

test('workers are capped by cores and memory, with a note', async () => {
  assert.equal(planWorkers(6, { cores: 2, availableBytes: 64e9 }), { workers: 2, note: 'running 2 workers, not 6: this machine has 2 cores' });
  const low = planWorkers(undefined, { cores: 8, availableBytes: 2.5 * WORKER_MEMORY_BYTES });
  assert.is(low.workers, 2);
  assert.match(low.note!, /not 8: 2\.7 GB of memory is available/);
  assert.equal(planWorkers(1, { cores: 2, availableBytes: 1 }), { workers: 1, note: null });
  assert.equal(planWorkers(0, { cores: 1, availableBytes: 1 }), { workers: 0, note: null });
  const r = await runCli(['sweep', '--grid', okGrid, '--out', join(dir, 'workers'), '--workers', '100000', '--json']);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /note: running \d+ workers?, not 100000/);
  assert.ok(JSON.parse(r.outLines.at(-1)!).workers <= 64);
});

test.run();

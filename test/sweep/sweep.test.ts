// End to end: a small sweep of tiny MLPs on MNIST — parallel run with a failing point, kill + resume, shards +
// merge, estimate mode — all giving the same records for the same points.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from '../../src/wasm/index.js';
import { saveModel } from '../../src/training/checkpoint.js';
import { runSweep, type SweepRun } from '../../src/sweep/run.js';
import { mergeRecordFiles, readRecords } from '../../src/sweep/records.js';
import type { SweepRecord } from '../../src/sweep/types.js';
import { runCli } from '../helpers/cli.js';

initSync();
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ha3m-sweep-'));
let grid = '';
let reference: SweepRun;

async function tinyMlp(seed: number, out: string): Promise<void> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  await saveModel(m, out);
  m.dispose();
}

const byId = (rs: SweepRecord[]) => new Map(rs.map((r) => [r.id, r]));
const comparable = (r: SweepRecord) => ({ ...r, seconds: 0 });

test.before(async () => {
  await tf.setBackend('cpu');
  await tinyMlp(1, join(dir, 'a'));
  await tinyMlp(9, join(dir, 'b'));
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify({
    name: 'tiny', models: [{ name: 'A', path: join(dir, 'a'), task: 'mnist' }, { name: 'B', path: join(dir, 'b'), task: 'mnist' }],
    rounds: 1, strategies: ['diff', 'blm'], evalSamples: 12, calibSamples: 8, hardware: { crossbar: { rows: 64, cols: 64 } },
  }));
  grid = join(dir, 'grid.yaml');
  writeFileSync(grid, [
    'name: tiny-sweep',
    'scenario: scenario.json',
    'parameters:',
    '  hardware.crossbar.rows,hardware.crossbar.cols: [[64, 64], [128, 32]]',
    '  hardware.programming.scheme: [ispp, adaptive, nonsense]',
  ].join('\n'));
});

test('a parallel sweep runs every point; a failing point is recorded with its error and the others go on', async () => {
  reference = await runSweep({ gridPath: grid, out: join(dir, 'full'), workers: 2 });
  assert.is(reference.points.length, 6);
  assert.is(reference.records.length, 6);
  const failed = reference.records.filter((r) => r.status === 'error');
  assert.equal(failed.map((r) => r.params['hardware.programming.scheme']), ['nonsense', 'nonsense']);
  assert.match(failed[0]!.error!, /scheme/);
  for (const r of reference.records.filter((x) => x.status === 'ok')) {
    const s = r.result!.strategies;
    assert.ok(s.diff!.cyclesPerSwitch > 0 && s.blm!.cyclesPerSwitch <= s.diff!.cyclesPerSwitch * 1.05);
    assert.ok(s.diff!.meanAccuracy.analog !== null);
  }
  assert.is(readFileSync(reference.file, 'utf8').trim().split('\n').length, 6);
  // resuming a finished sweep runs nothing
  const again = await runSweep({ gridPath: grid, out: join(dir, 'full'), workers: 0, resume: true });
  assert.is(again.ran, 0);
  assert.is(again.skipped, 6);
  // without --resume an existing file is not touched
  await runSweep({ gridPath: grid, out: join(dir, 'full'), workers: 0 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /already exists: add --resume/));
});

test('a sweep killed mid-run resumes to the same set of records, without duplicates', async () => {
  const out = join(dir, 'killed');
  const file = join(out, 'points.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/ha3m-bin.ts'), 'sweep', '--grid', grid, '--out', out, '--workers', '1'],
    { cwd: root, stdio: 'ignore' });
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
  const t0 = Date.now();
  while (lines() < 2 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = lines();
  assert.ok(before >= 2 && before < 6, `killed after ${before} points`);
  appendFileSync(file, '{"schema":"ha3m-sweep/1","sweep":"'); // as if the kill had cut a write short
  const resumed = await runSweep({ gridPath: grid, out, workers: 0, resume: true });
  assert.is(resumed.skipped, before);
  assert.is(resumed.ran, 6 - before);
  const { records, tornLine } = readRecords(file);
  assert.not.ok(tornLine);
  assert.is(records.length, 6, 'one line per point: nothing lost, nothing duplicated');
  const ref = byId(reference.records);
  for (const r of records) assert.equal(comparable(r), comparable(ref.get(r.id)!), `point ${r.index}`);
});

test('shards partition the sweep; merging them gives the unsharded records', async () => {
  const out = join(dir, 'sharded');
  const files: string[] = [];
  for (const i of [1, 2, 3]) {
    const r = await runSweep({ gridPath: grid, out, workers: 0, shard: { index: i, count: 3 } });
    assert.is(r.points.length, 2);
    files.push(r.file);
  }
  const merged = mergeRecordFiles(files, join(dir, 'merged.jsonl'));
  assert.equal(merged.map(comparable), reference.records.map(comparable));
  // the CLI does the same and writes the report
  const cli = await runCli(['sweep', 'merge', ...files, '--out', join(dir, 'merged-cli')]);
  assert.is(cli.code, 3, `two points failed (exit 3). ${cli.err}`);
  assert.match(cli.out, /6 points \(4 ok, 2 failed\)/);
  const html = readFileSync(join(dir, 'merged-cli', 'report.html'), 'utf8');
  assert.ok(html.includes('<svg'), 'the report has charts');
});

test('--estimate prices the same points from the expected-cost table: close cycles, no analog accuracy', async () => {
  const est = await runSweep({ gridPath: grid, out: join(dir, 'estimate'), workers: 0, mode: 'estimate' });
  assert.ok(est.sweep.id !== reference.sweep.id, 'estimates are a different sweep (never mixed into a simulated one)');
  const ref = byId(reference.records);
  for (const r of est.records.filter((x) => x.status === 'ok')) {
    assert.is(r.mode, 'estimate');
    const sim = ref.get(r.id)!.result!.strategies.diff!, e = r.result!.strategies.diff!;
    assert.ok(Math.abs(e.cyclesPerSwitch - sim.cyclesPerSwitch) / sim.cyclesPerSwitch < 0.1, `${e.cyclesPerSwitch} vs ${sim.cyclesPerSwitch}`);
    assert.is(e.meanAccuracy.analog, null);
  }
});

test('merge.share retrains once per distinct share (cached by content hash) and feeds the ha3m strategy', async () => {
  const g = join(dir, 'merge.json');
  writeFileSync(g, JSON.stringify({
    name: 'mmr', scenario: { ...JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')), strategies: ['diff', 'ha3m'] },
    parameters: { 'merge.share': [0.25, 0.75], evalSamples: [8, 12] },
    merge: { epochs: 0, finetuneEpochs: 0, limit: 64, batchSize: 32 },
  }));
  const logs: string[] = [];
  const out = join(dir, 'mmr');
  const r = await runSweep({ gridPath: g, out, workers: 0, onLog: (m) => logs.push(m) });
  assert.is(logs.filter((m) => /retraining \(MMR\)/.test(m)).length, 2, logs.join('\n'));
  assert.equal(r.records.map((x) => x.status), ['ok', 'ok', 'ok', 'ok'], r.records.map((x) => x.error ?? '').join('\n'));
  const tied = r.records.map((x) => x.result!.strategies.ha3m!.tiedFraction!);
  assert.ok(tied[0]! < tied[2]!, `more sharing ties more blocks: ${tied}`);
  assert.is(tied[0], tied[1]); // same share, same merged models
  for (const x of r.records) assert.ok(x.result!.strategies.ha3m!.cyclesPerSwitch <= x.result!.strategies.diff!.cyclesPerSwitch);
  // a second sweep into the same directory finds the merged models in the cache
  writeFileSync(g, JSON.stringify({ ...JSON.parse(readFileSync(g, 'utf8')), parameters: { 'merge.share': [0.25, 0.75], evalSamples: [16] } }));
  logs.length = 0;
  const again = await runSweep({ gridPath: g, out: join(dir, 'mmr2'), workers: 0, onLog: (m) => logs.push(m), mergeCache: join(out, 'merged') });
  assert.is(again.records.filter((x) => x.status === 'ok').length, 2);
  assert.is(logs.length, 0, `nothing retrained: ${logs.join('; ')}`);
  assert.is(again.records[0]!.result!.strategies.ha3m!.tiedFraction, tied[0]);
});

test('CLI: a bad grid is a clear error; --json prints a summary', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ scenario: 'scenario.json', parameters: { 'hardware.crossbar.rowz': [1] } }));
  const r = await runCli(['sweep', '--grid', bad, '--out', join(dir, 'bad')]);
  assert.is(r.code, 2);
  assert.match(r.err, /parameters\.hardware\.crossbar\.rowz|rowz/);
  const ok = await runCli(['sweep', '--out', join(dir, 'full'), '--resume', '--json', '--workers', '0']); // the grid from OUT/sweep.json
  assert.is(ok.code, 3, `two points failed: the results are incomplete (exit 3). ${ok.err}`);
  const s = JSON.parse(ok.outLines[ok.outLines.length - 1]!);
  assert.equal([s.points, s.ran, s.ok, s.failed], [6, 0, 4, 2]);
});

test.run();

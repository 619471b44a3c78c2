import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestById, mergeRecordFiles, readRecords, RecordWriter, SweepFileError } from '../../src/sweep/records.js';
import { runPool } from '../../src/sweep/pool.js';
import type { PointTask } from '../../src/sweep/point.js';
import { SWEEP_SCHEMA, type SweepRecord } from '../../src/sweep/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ha3m-records-'));
const rec = (i: number, status: 'ok' | 'error' = 'ok', sweep = 's1'): SweepRecord => ({
  schema: SWEEP_SCHEMA, sweep, id: `p${i}`, index: i, params: { x: i }, mode: 'simulate', status, seconds: 0.1,
  ...(status === 'error' ? { error: 'boom' } : {}),
});

test('records append as whole lines; a torn last line is detected and cut off when writing resumes', () => {
  const f = join(dir, 'a.jsonl');
  const w = new RecordWriter(f);
  w.append(rec(0)); w.append(rec(1));
  w.close();
  appendFileSync(f, '{"schema":"ha3m-sweep/1","sweep":"s1","id":"p2","ind'); // killed mid-write
  const r = readRecords(f);
  assert.is(r.records.length, 2);
  assert.ok(r.tornLine);
  const w2 = new RecordWriter(f, { truncateTo: r.goodBytes });
  w2.append(rec(2));
  w2.close();
  const again = readRecords(f);
  assert.equal(again.records.map((x) => x.id), ['p0', 'p1', 'p2']);
  assert.not.ok(again.tornLine);
  assert.is(readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 3);
});

test('a corrupt line in the middle is an error naming the line; foreign lines are rejected', () => {
  const f = join(dir, 'b.jsonl');
  writeFileSync(f, `${JSON.stringify(rec(0))}\nnot json\n${JSON.stringify(rec(1))}\n`);
  assert.throws(() => readRecords(f), (e: Error) => e instanceof SweepFileError && /b\.jsonl:2 is not valid JSON/.test(e.message));
  writeFileSync(f, '{"a":1}\n');
  assert.throws(() => readRecords(f), /b\.jsonl:1 is not a sweep record/);
  assert.equal(readRecords(join(dir, 'missing.jsonl')).records, []);
});

test('latestById prefers the last ok record; merge keeps one record per point in index order and refuses other sweeps', () => {
  const m = latestById([rec(0, 'error'), rec(0), rec(0, 'error'), rec(1, 'error'), rec(1, 'error')]);
  assert.is(m.get('p0')!.status, 'ok');
  assert.is(m.get('p1')!.status, 'error');
  const s1 = join(dir, 's1.jsonl'), s2 = join(dir, 's2.jsonl'), other = join(dir, 'o.jsonl');
  writeFileSync(s1, [rec(2), rec(0, 'error')].map((r) => JSON.stringify(r) + '\n').join(''));
  writeFileSync(s2, [rec(1), rec(0)].map((r) => JSON.stringify(r) + '\n').join(''));
  writeFileSync(other, JSON.stringify(rec(3, 'ok', 's2')) + '\n');
  const out = join(dir, 'merged.jsonl');
  const merged = mergeRecordFiles([s1, s2], out);
  assert.equal(merged.map((r) => [r.index, r.status]), [[0, 'ok'], [1, 'ok'], [2, 'ok']]);
  assert.equal(readRecords(out).records, merged);
  assert.throws(() => mergeRecordFiles([s1, other], out), /holds points of sweep s2 but .* holds sweep s1/);
});

test('the pool records a point whose worker dies as failed, replaces the worker and finishes the rest', async () => {
  const tasks: PointTask[] = [0, 1, 2, 3, 4].map((i) => ({ sweep: 's', point: { index: i, id: `p${i}`, params: { i } }, scenario: {}, mode: 'simulate' }));
  const got: SweepRecord[] = [];
  await runPool(tasks, { workers: 2, onRecord: (r) => got.push(r), workerUrl: new URL('./fixtures/crashing-worker.ts', import.meta.url) });
  got.sort((a, b) => a.index - b.index);
  assert.equal(got.map((r) => r.status), ['ok', 'error', 'ok', 'ok', 'ok']);
  assert.match(got[1]!.error!, /worker running this point died \(exit code 7\)/);
});

test.run();

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResultsError, readResults, stringifyResults, writeFileAtomic, writeResultsAtomic } from '../../src/report/node.js';
import type { Results } from '../../src/report/node.js';

const FIXTURE = new URL('../fixtures/results-small.json', import.meta.url);
const load = (): Results => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'ha3m-report-')); dirs.push(d); return d; };

test('writeResultsAtomic round-trips through readResults and leaves no temp file', () => {
  const d = tmp();
  const p = join(d, 'results.json');
  const r = load();
  (r.strategies.full!.switches[0] as { switchesLeft: number | null }).switchesLeft = Infinity;
  writeResultsAtomic(p, r);
  assert.equal(readdirSync(d), ['results.json']);
  const back = readResults(p);
  assert.is(back.strategies.full!.switches[0]!.switchesLeft, null, 'Infinity is written as null');
  assert.equal(back.strategies.ha3m, r.strategies.ha3m);
  // number arrays stay on one line
  const text = readFileSync(p, 'utf8');
  assert.match(text, /"sequence": \["A","B","A","B"\]/);
  assert.equal(JSON.parse(text), JSON.parse(JSON.stringify(back)));
});

test('an invalid results object writes nothing', () => {
  const d = tmp();
  const r = load() as any;
  r.strategies.blm.cyclesPerSwitch = NaN;
  assert.throws(() => writeResultsAtomic(join(d, 'results.json'), r), /cyclesPerSwitch: must be number, got NaN/);
  assert.equal(readdirSync(d), []);
});

test('a write interrupted before the rename leaves no results.json and no temp file', () => {
  const d = tmp();
  const p = join(d, 'results.json');
  assert.throws(() => writeResultsAtomic(p, load(), { beforeRename: () => { throw new Error('killed'); } }), /killed/);
  assert.equal(readdirSync(d), []);
});

test('a failed write keeps the previous complete file intact', () => {
  const d = tmp();
  const p = join(d, 'results.json');
  writeResultsAtomic(p, load());
  const before = readFileSync(p, 'utf8');
  const r2 = load();
  r2.seed = 7;
  assert.throws(() => writeResultsAtomic(p, r2, { beforeRename: (t) => { assert.ok(readFileSync(t, 'utf8').includes('"seed": 7')); throw new Error('disk full'); } }), /disk full/);
  assert.is(readFileSync(p, 'utf8'), before);
  assert.equal(readdirSync(d), ['results.json']);
});

test('a directory in the way of the rename: clear error, nothing left behind', () => {
  const d = tmp();
  const p = join(d, 'results.json');
  mkdirSync(p);
  writeFileSync(join(p, 'x'), 'occupied');
  assert.throws(() => writeResultsAtomic(p, load()), /cannot write .*results\.json: a directory is in the way/);
  assert.equal(readdirSync(d), ['results.json']);
  assert.equal(readdirSync(p), ['x']);
  assert.throws(() => readResults(p), /is a directory/);
});

test('writeFileAtomic: missing directory and non-string data are clear errors', () => {
  const d = tmp();
  assert.throws(() => writeFileAtomic(join(d, 'no', 'such', 'f.txt'), 'x'), /its directory does not exist/);
  assert.throws(() => writeFileAtomic(join(d, 'f.html'), Promise.resolve('x') as unknown as string), /must be a string or Uint8Array/);
  assert.equal(readdirSync(d), []);
  writeFileAtomic(join(d, 'f.txt'), new TextEncoder().encode('hello'));
  assert.is(readFileSync(join(d, 'f.txt'), 'utf8'), 'hello');
});

test('readResults: missing, empty, truncated, foreign and invalid files', () => {
  const d = tmp();
  const good = stringifyResults(load());
  assert.throws(() => readResults(join(d, 'absent.json')), (e: Error) => e instanceof ResultsError && /results file not found/.test(e.message));
  writeFileSync(join(d, 'empty.json'), '');
  assert.throws(() => readResults(join(d, 'empty.json')), /is empty; the run that wrote it did not finish/);
  writeFileSync(join(d, 'trunc.json'), good.slice(0, Math.floor(good.length / 2)));
  assert.throws(() => readResults(join(d, 'trunc.json')), /not valid JSON \(it looks truncated/);
  writeFileSync(join(d, 'other.json'), '{"hello": 1}');
  assert.throws(() => readResults(join(d, 'other.json')), /not an ha3m results file: "schema" is missing/);
  const bad = load() as any;
  bad.strategies.full.switches[3].perLayer[0].reusedFraction = 1.5;
  writeFileSync(join(d, 'bad.json'), JSON.stringify(bad));
  assert.throws(() => readResults(join(d, 'bad.json')), /bad\.json does not match schema .*\$\.strategies\.full\.switches\[3\]\.perLayer\[0\]\.reusedFraction: must be <= 1/s);
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
test.run();

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { markdownSummary, readResults } from '../../src/report/node.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/results-small.json', import.meta.url));
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'ha3m-cli-report-')); dirs.push(d); return d; };

const run = (args: string[]) => runCli(args);

test('ha3m report RESULTS writes report.html and summary.md next to it and prints the summary', async () => {
  const d = tmp();
  const results = join(d, 'results.json');
  copyFileSync(FIXTURE, results);
  const r = await run(['report', results]);
  assert.is(r.code, 0, r.err);
  assert.equal(readdirSync(d).sort(), ['report.html', 'results.json', 'summary.md']);
  const md = readFileSync(join(d, 'summary.md'), 'utf8');
  assert.is(md, markdownSummary(readResults(FIXTURE)));
  assert.ok(r.out.startsWith(md.trimEnd()), 'the printed summary is summary.md');
  assert.match(r.out, /wrote .*report\.html/);
  const html = readFileSync(join(d, 'report.html'), 'utf8');
  assert.is((html.match(/<svg/g) ?? []).length, 7);
  assert.is(readFileSync(results, 'utf8'), readFileSync(FIXTURE, 'utf8'), 'the results file is left as it was');
});

test('--out DIR (created) and --format md,json; --quiet prints only the paths', async () => {
  const d = tmp();
  const out = join(d, 'site', 'nested');
  const r = await run(['report', FIXTURE, '--out', out, '--format', 'md,json', '--quiet']);
  assert.is(r.code, 0, r.err);
  assert.equal(readdirSync(out).sort(), ['summary.json', 'summary.md']);
  assert.not.match(r.out, /\| strategy/);
  const j = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.equal(Object.keys(j.strategies), ['full', 'diff', 'blm', 'ha3m']);
});

test('bad input: missing file, invalid file, unknown format/scale, switch out of range — exit 2, nothing written', async () => {
  const d = tmp();
  let r = await run(['report', join(d, 'absent.json')]);
  assert.is(r.code, 2);
  assert.match(r.err, /results file not found/);
  const bad = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  bad.strategies.diff.latencyPerSwitchS = null;
  writeFileSync(join(d, 'bad.json'), JSON.stringify(bad));
  r = await run(['report', join(d, 'bad.json')]);
  assert.is(r.code, 2);
  assert.match(r.err, /\$\.strategies\.diff\.latencyPerSwitchS: must be number, got null/);
  r = await run(['report', FIXTURE, '--out', d, '--format', 'pdf']);
  assert.match(r.err, /unknown format 'pdf'/);
  r = await run(['report', FIXTURE, '--out', d, '--scale', 'loglog']);
  assert.match(r.err, /--scale must be one of auto, log, linear/);
  r = await run(['report', FIXTURE, '--out', d, '--switch', '9']);
  assert.match(r.err, /--switch 9: the results have switches 0\.\.3/);
  assert.equal(readdirSync(d), ['bad.json']);
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
test.run();

// The README's demo tables are rewritten from a results file (scripts/readme-demo.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTables, validateResults } from '../../src/report/index.js';
import { MarkerError, readmeBlock, replaceBetweenMarkers } from '../../src/report/readme.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/results-small.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('replaceBetweenMarkers keeps everything outside the pair and the markers themselves', () => {
  const text = 'intro\n<!-- t:start -->\nold\n<!-- t:end -->\noutro\n';
  assert.is(replaceBetweenMarkers(text, 't', 'new table\n'), 'intro\n<!-- t:start -->\nnew table\n<!-- t:end -->\noutro\n');
  assert.throws(() => replaceBetweenMarkers('no markers', 't', 'x'), (e: Error) => e instanceof MarkerError && /exactly one '<!-- t:start -->'.*found 0 and 0/.test(e.message));
  assert.throws(() => replaceBetweenMarkers(text + text, 't', 'x'), /found 2 and 2/);
  assert.throws(() => replaceBetweenMarkers('<!-- t:end -->\n<!-- t:start -->', 't', 'x'), /comes before/);
  assert.throws(() => replaceBetweenMarkers(text, 'a b', 'x'), /marker name/);
});

test('the script rewrites the demo table of a README from results.json (and refuses a missing sweep)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha3m-readme-'));
  try {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, '# x\n<!-- demo-table:start -->\nstale\n<!-- demo-table:end -->\n<!-- p:start -->\n<!-- p:end -->\n');
    const run = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/readme-demo.ts'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run(FIXTURE, '--readme', readme);
    run(FIXTURE, '--readme', readme, '--marker', 'p', '--block', 'pareto');
    const text = readFileSync(readme, 'utf8');
    const r = validateResults(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    assert.ok(text.includes(markdownTables(r)), 'the cost and accuracy tables');
    assert.ok(text.includes('| ha3m, share 0.5 '), 'the share sweep');
    assert.not.ok(text.includes('stale'));
    let err = '';
    try { run(join(dir, 'absent.json'), '--readme', readme); } catch (e) { err = String((e as { stderr?: string }).stderr); }
    assert.match(err, /readme-demo: results file not found/);
    const noSweep = { ...r, pareto: [] };
    assert.throws(() => readmeBlock(noSweep, 'pareto'), /no MMR share sweep/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

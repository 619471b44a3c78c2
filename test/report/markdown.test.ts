import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { markdownSummary, summaryJson, summaryTable, validateResults } from '../../src/report/index.js';
import type { Results } from '../../src/report/index.js';

const load = (): Results => validateResults(JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')));

function tableRows(md: string): string[][] {
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

test('one row per strategy, in order, with the reductions computed from the fixture', () => {
  const r = load();
  const md = markdownSummary(r);
  const rows = tableRows(md);
  assert.equal(rows.map((x) => x[0]), ['full', 'diff', 'blm', 'ha3m']);
  const full = r.strategies.full!.cyclesPerSwitch;
  const diff = r.strategies.diff!.cyclesPerSwitch;
  const pct = (v: number, ref: number) => `${((1 - v / ref) * 100).toFixed(1)} %`;
  for (const row of rows) {
    const s = r.strategies[row[0]!]!;
    assert.is(row[1], Math.round(s.cyclesPerSwitch).toLocaleString('en-US'), `${s.name} cycles`);
    assert.is(row[2], s.name === 'full' ? '—' : pct(s.cyclesPerSwitch, full), `${s.name} vs full`);
    assert.is(row[3], s.name === 'full' || s.name === 'diff' ? '—' : pct(s.cyclesPerSwitch, diff), `${s.name} vs diff`);
    const acc = s.accuracy.A!;
    assert.is(row[8], `${(acc.ideal! * 100).toFixed(1)} / ${(acc.analog! * 100).toFixed(1)}`);
  }
  // ha3m against the fixture's own numbers: 94.2 % fewer cycles than full, 90.5 % fewer than diff
  assert.is(rows[3]![2], '94.2 %');
  assert.is(rows[3]![3], '90.5 %');
  assert.is(rows[1]![4], '0.955', 'energy per switch in µJ, 3 significant digits');
});

test('header names models, tasks, pool, sequence, seed and device; notes are listed', () => {
  const r = load();
  const md = markdownSummary(r);
  for (const s of ['digits-8x8-rot90', 'A → B → A → B', '4 crossbars of 64×64', 'hfox-radar', '**seed**: 42', 'ha3m tied 62.0 % of blocks']) {
    assert.ok(md.includes(s), `summary mentions ${s}`);
  }
  for (const n of r.notes) assert.ok(md.includes(`- ${n}`));
  // every table line has the same number of columns and the rule aligns numbers right
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  assert.is(new Set(lines.map((l) => l.split('|').length)).size, 1);
  assert.match(lines[1]!, /^\|:-+\|-+:\|/);
});

test('missing reference strategies and unmeasured accuracies show a dash', () => {
  const r = load();
  delete (r.strategies as Record<string, unknown>).full;
  r.strategies.ha3m!.accuracy.B = { float: 0.9, quantized: 0.9, ideal: null, analog: null };
  const rows = tableRows(markdownSummary(r));
  assert.equal(rows.map((x) => x[0]), ['diff', 'blm', 'ha3m']);
  assert.is(rows[2]![2], '—');
  assert.is(rows[2]![9], '— / —');
  const t = summaryTable(r);
  assert.is(t.rows[2]!.reductionVsFull, null);
  assert.ok(Math.abs(t.rows[2]!.reductionVsDiff! - (1 - r.strategies.ha3m!.cyclesPerSwitch / r.strategies.diff!.cyclesPerSwitch) * 100) < 1e-9);
});

test('summaryJson carries the numbers behind the table', () => {
  const r = load();
  const j = summaryJson(r) as any;
  assert.is(j.schema, 'ha3m-summary/1');
  assert.is(j.strategies.ha3m.cyclesPerSwitch, r.strategies.ha3m!.cyclesPerSwitch);
  assert.is(j.strategies.ha3m.tiedFraction, 0.62);
  assert.is(j.strategies.full.reductionVsFull, null);
  assert.ok(Math.abs(j.strategies.blm.energyPerSwitchUJ - r.strategies.blm!.energyPerSwitchJ * 1e6) < 1e-9);
  assert.is(j.strategies.blm.cells, undefined);
});

test.run();

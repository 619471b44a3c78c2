import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { markdownSummary, summaryJson, summaryTable, validateResults } from '../../src/report/index.js';
import type { Results } from '../../src/report/index.js';

const load = (): Results => validateResults(JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')));

/** The rows of the n-th Markdown table of the text (0 = cost, 1 = accuracy, 2 = share sweep). */
function tableRows(md: string, which = 0): string[][] {
  const tables: string[][] = [];
  let cur: string[] | null = null;
  for (const l of md.split('\n')) {
    if (l.startsWith('|')) (cur ??= []).push(l);
    else if (cur) { tables.push(cur); cur = null; }
  }
  if (cur) tables.push(cur);
  return tables[which]!.slice(2).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
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
    assert.is(row.length, 8, 'cost columns only');
  }
  // the accuracy table: per model ideal and analog with the Wilson interval, n stated once in the heading
  const acc = tableRows(md, 1);
  assert.equal(acc.map((x) => x[0]), ['full', 'diff', 'blm', 'ha3m']);
  for (const row of acc) {
    const a = r.strategies[row[0]!]!.accuracy.B!;
    const pc = (x: number) => (x * 100).toFixed(2);
    assert.is(row[3], `${pc(a.ideal!)} (${pc(a.ci95.ideal![0])}–${pc(a.ci95.ideal![1])})`);
    assert.is(row[4], `${pc(a.analog!)} (${pc(a.ci95.analog![0])}–${pc(a.ci95.analog![1])})`);
  }
  assert.match(md, /Accuracy on the crossbars \(%, 95 % interval; 10,000 test images per model\):/);
  assert.match(md, /ha3m − full, in points: A ideal −0\.33, analog −[\d.]+; B ideal −0\.35/);
  // ha3m against the fixture's own numbers: 94.2 % fewer cycles than full, 90.5 % fewer than diff
  assert.is(rows[3]![2], '94.2 %');
  assert.is(rows[3]![3], '90.5 %');
  assert.is(rows[1]![4], '0.955', 'energy per switch in µJ, 3 significant digits');
});

test('header names models, tasks, pool, sequence, seed and device; notes are listed', () => {
  const r = load();
  const md = markdownSummary(r);
  for (const s of ['digits-8x8-rot90', 'A → B → A → B', '4 crossbars of 64×64', 'hfox-radar', '**seed**: 42', 'ha3m tied 62.0 % of blocks',
    "each model's whole test set (A: 10,000, B: 10,000 images)", 'earlier residencies, which only track drift between switches, on 1,000',
    'Wilson', '**training**: same budget', 'train 2 + continue 2 epochs = 4,000 samples', 'train 2 + mmr penalty 1 + mmr fine-tune 1 epochs = 4,000 samples']) {
    assert.ok(md.includes(s), `summary mentions ${s}`);
  }
  for (const n of r.notes) assert.ok(md.includes(`- ${n}`));
  // every line of a table has the same number of columns and the rule aligns numbers right
  const lines = md.split('\n\n').find((b) => b.startsWith('| strategy | cycles'))!.split('\n');
  assert.is(new Set(lines.map((l) => l.split('|').length)).size, 1);
  assert.match(lines[1]!, /^\|:-+\|-+:\|/);
  // the share sweep: the references without retraining, then ha3m at each share
  const sweep = tableRows(md, 2);
  assert.equal(sweep.map((x) => x[0]), ['full', 'diff', 'blm', 'ha3m, share 0.25', 'ha3m, share 0.5', 'ha3m, share 0.75']);
  assert.is(sweep[4]![1], '50.0 %');
});

test('missing reference strategies and unmeasured accuracies show a dash', () => {
  const r = load();
  delete (r.strategies as Record<string, unknown>).full;
  const b = r.strategies.ha3m!.accuracy.B!;
  r.strategies.ha3m!.accuracy.B = { ...b, ideal: null, analog: null, samples: { ...b.samples, ideal: null, analog: null }, ci95: { ...b.ci95, ideal: null, analog: null } };
  validateResults(r);
  const md = markdownSummary(r);
  const rows = tableRows(md);
  assert.equal(rows.map((x) => x[0]), ['diff', 'blm', 'ha3m']);
  assert.is(rows[2]![2], '—');
  const acc = tableRows(md, 1);
  assert.equal(acc[2]!.slice(3), ['—', '—']);
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

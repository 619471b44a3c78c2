import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  paretoFront, sweepAccuracyKind, sweepHtml, sweepMarkdown, sweepParams, sweepRows, paramMedians,
} from '../../src/sweep/report.js';
import { SWEEP_SCHEMA, type ParamValue, type SweepRecord, type SweepStrategySummary } from '../../src/sweep/types.js';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

function summary(cycles: number, acc: { ideal?: number | null; analog?: number | null; quantized?: number } = {}): SweepStrategySummary {
  const quantized = acc.quantized ?? 0.9;
  const ideal = acc.ideal === undefined ? quantized - 0.01 : acc.ideal;
  const analog = acc.analog === undefined ? null : acc.analog;
  return {
    cyclesPerSwitch: cycles,
    energyPerSwitchJ: cycles * 2e-12,
    latencyPerSwitchS: cycles * 1e-7,
    cellsTouchedPerSwitch: cycles / 3,
    failuresPerSwitch: 0,
    accuracy: {},
    meanAccuracy: { float: quantized + 0.01, quantized, ideal, analog },
  };
}

let nextIndex = 0;
function ok(params: Record<string, ParamValue>, strategies: Record<string, SweepStrategySummary>): SweepRecord {
  const index = nextIndex++;
  return {
    schema: SWEEP_SCHEMA, sweep: 'abc123', id: `p${index}`, index, params, mode: 'simulate', status: 'ok', seconds: 1.5,
    result: { poolCrossbars: 8, crossbars: { A: 4, B: 4 }, strategies },
  };
}
function failed(params: Record<string, ParamValue>, error: string): SweepRecord {
  const index = nextIndex++;
  return { schema: SWEEP_SCHEMA, sweep: 'abc123', id: `p${index}`, index, params, mode: 'simulate', status: 'error', error, seconds: 0.2 };
}

/** A small fake sweep: rows × bits (numeric) × preset (categorical), seed fixed, strategies diff and ha3m, one failure. */
function fakeSweep(): SweepRecord[] {
  nextIndex = 0;
  const recs: SweepRecord[] = [];
  for (const rows of [64, 128, 256]) {
    for (const bits of [1, 2]) {
      for (const preset of ['taox', 'hfox']) {
        if (rows === 256 && bits === 2 && preset === 'hfox') {
          recs.push(failed({ 'hardware.crossbar.rows': rows, 'hardware.cell.bits': bits, preset, seed: 1 }, 'pool too small: <need 9 crossbars> & "more"'));
          continue;
        }
        const base = rows * 100 * bits * (preset === 'hfox' ? 2 : 1);
        const acc = 0.8 + 0.05 * bits - (preset === 'hfox' ? 0.02 : 0) + rows / 10000;
        recs.push(ok({ 'hardware.crossbar.rows': rows, 'hardware.cell.bits': bits, preset, seed: 1 }, {
          diff: summary(base, { quantized: acc }),
          ha3m: summary(base / 4, { quantized: acc - 0.01 }),
        }));
      }
    }
  }
  return recs;
}

test('paretoFront drops dominated points and sorts by cost', () => {
  const pts = [
    { c: 5, g: 0.9 }, { c: 1, g: 0.5 }, { c: 3, g: 0.7 }, { c: 4, g: 0.6 } /* dominated by c3 */, { c: 2, g: 0.4 } /* dominated by c1 */,
    { c: 6, g: 0.9 } /* dominated by c5 (same gain, higher cost) */,
  ];
  const f = paretoFront(pts, (p) => p.c, (p) => p.g);
  assert.equal(f.map((p) => p.c), [1, 3, 5]);
  assert.equal(paretoFront([], (p: { c: number }) => p.c, () => 1), []);
  assert.equal(paretoFront([{ c: 7, g: 0 }], (p) => p.c, (p) => p.g), [{ c: 7, g: 0 }]);
});

test('paretoFront: exact ties kept in input order; same cost keeps only the highest gain', () => {
  const a = { id: 'a', c: 2, g: 0.8 };
  const b = { id: 'b', c: 2, g: 0.8 };
  const c = { id: 'c', c: 2, g: 0.7 };
  const d = { id: 'd', c: 1, g: 0.8 }; // dominates a, b, c? same gain, lower cost → yes
  assert.equal(paretoFront([a, b, c], (p) => p.c, (p) => p.g).map((p) => p.id), ['a', 'b']);
  assert.equal(paretoFront([b, a, c], (p) => p.c, (p) => p.g).map((p) => p.id), ['b', 'a']);
  assert.equal(paretoFront([a, b, c, d], (p) => p.c, (p) => p.g).map((p) => p.id), ['d']);
});

test('paretoFront ignores NaN, null and infinite costs or gains', () => {
  const pts: Array<{ id: string; c: number | null; g: number | null }> = [
    { id: 'nan', c: NaN, g: 1 }, { id: 'null', c: 0, g: null }, { id: 'inf', c: Infinity, g: 2 }, { id: 'ok1', c: 3, g: 0.5 },
    { id: 'nullc', c: null, g: 5 }, { id: 'ok2', c: 1, g: 0.2 },
  ];
  const f = paretoFront(pts, (p) => p.c as number, (p) => p.g as number);
  assert.equal(f.map((p) => p.id), ['ok2', 'ok1']);
});

test('paretoFront equals the brute-force non-dominated set on random data with many ties', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let trial = 0; trial < 30; trial++) {
    const pts = Array.from({ length: 1 + rnd(40) }, (_, i) => ({ i, c: rnd(12), g: rnd(8) }));
    const dominated = (p: { c: number; g: number }) => pts.some((q) => q.c <= p.c && q.g >= p.g && (q.c < p.c || q.g > p.g));
    const expected = pts.filter((p) => !dominated(p)).sort((a, b) => a.c - b.c || b.g - a.g || a.i - b.i);
    assert.equal(paretoFront(pts, (p) => p.c, (p) => p.g), expected);
  }
});

test('sweepParams lists only the keys that vary, in first-seen order, with their kind', () => {
  const p = sweepParams(fakeSweep());
  assert.equal(p.map((x) => x.key), ['hardware.crossbar.rows', 'hardware.cell.bits', 'preset']);
  assert.equal(p.map((x) => x.kind), ['numeric', 'numeric', 'categorical']);
  assert.equal(p[0]!.values, [64, 128, 256]);
  assert.equal(p[2]!.values, ['taox', 'hfox']);
  // mixed types are categorical; numbers sort ascending
  nextIndex = 0;
  const mixed = [ok({ a: 3, b: 1 }, {}), ok({ a: 1, b: 'x' }, {}), ok({ a: 2, b: true }, {})];
  assert.equal(sweepParams(mixed), [
    { key: 'a', kind: 'numeric', values: [1, 2, 3] },
    { key: 'b', kind: 'categorical', values: [1, 'x', true] },
  ]);
  assert.equal(sweepParams([mixed[0]!]), []);
});

test('sweepRows: one row per ok point × strategy, canonical strategy order, accuracy kind falls back', () => {
  const recs = fakeSweep();
  const rows = sweepRows(recs);
  assert.is(rows.length, 11 * 2);
  assert.equal(rows.slice(0, 2).map((r) => r.strategy), ['diff', 'ha3m']);
  assert.is(sweepAccuracyKind(recs), 'ideal', 'analog is null everywhere, ideal measured everywhere');
  assert.is(rows[0]!.accuracy, rows[0]!.meanAccuracy.ideal);
  // one row without ideal → quantized
  (recs[0]!.result!.strategies.diff!.meanAccuracy as { ideal: number | null }).ideal = null;
  assert.is(sweepAccuracyKind(recs), 'quantized');
  // analog everywhere → analog
  nextIndex = 0;
  const a = [ok({ x: 1 }, { blm: summary(10, { analog: 0.7 }), full: summary(20, { analog: 0.8 }) })];
  assert.is(sweepAccuracyKind(a), 'analog');
  assert.equal(sweepRows(a).map((r) => [r.strategy, r.accuracy]), [['full', 0.8], ['blm', 0.7]]);
});

test('paramMedians: the median over the other parameters per strategy and value', () => {
  const recs = fakeSweep();
  const rows = sweepRows(recs);
  const p = sweepParams(recs)[0]!; // rows
  const m = paramMedians(rows, p).filter((x) => x.strategy === 'diff');
  // rows 64: bases 6400·{1,2}·{1,2} = 6400, 12800, 12800, 25600 → median 12800; rows 256 lacks the failed point
  // (bits 2, hfox): 25600, 51200, 51200 → median 51200
  assert.equal(m.map((x) => [x.value, x.median, x.n]), [[64, 12800, 4], [128, 25600, 4], [256, 51200, 3]]);
});

test('sweepMarkdown: one row per point × strategy, counts, failed point listed', () => {
  const md = sweepMarkdown(fakeSweep());
  assert.match(md, /11 ok, 1 failed, 12 total/);
  const tableRows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
  assert.is(tableRows.length, 1 + 22, 'header + 22 rows');
  assert.match(tableRows[0]!, /hardware\.crossbar\.rows \| hardware\.cell\.bits \| preset \| strategy/);
  assert.not.match(tableRows[0]!, /seed/, 'fixed parameters are not columns');
  assert.match(md, /- #11 \(.*preset=hfox.*\): pool too small/);
  const limited = sweepMarkdown(fakeSweep(), { maxRows: 5 });
  assert.is(limited.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).length, 1 + 5);
  assert.match(limited, /first 5 of 22 rows/);
  assert.match(sweepMarkdown([]), /No successful points/);
});

const html = sweepHtml(fakeSweep(), { title: 'test <sweep>', grid: { 'hardware.crossbar.rows': [64, 128, 256], preset: ['taox', 'hfox'] } });

test('sweepHtml: three Pareto charts and one chart per swept parameter, one <svg> each', () => {
  const figures = [...html.matchAll(/<figure class="chart ([a-z]+)"([^>]*)>([\s\S]*?)<\/figure>/g)];
  assert.equal(figures.map((f) => f[1]), ['pareto', 'pareto', 'pareto', 'param', 'param', 'param']);
  assert.equal(figures.slice(0, 3).map((f) => /data-metric="(\w+)"/.exec(f[2]!)![1]), ['cycles', 'energy', 'latency']);
  assert.equal(figures.slice(3).map((f) => /data-param="([^"]+)"/.exec(f[2]!)![1]), ['hardware.crossbar.rows', 'hardware.cell.bits', 'preset']);
  for (const f of figures) assert.is(count(f[3]!, /<svg/g), 1);
  assert.is(count(html, /<svg/g), 6);
  assert.not.match(html, /<script/i);
  assert.match(html, /<title>test &lt;sweep&gt;<\/title>/);
  // categorical axis labels in value order
  const preset = figures[5]![3]!;
  assert.ok(preset.indexOf('>taox<') > 0 && preset.indexOf('>taox<') < preset.indexOf('>hfox<'));
});

test('sweepHtml: facts, tables, the failed point escaped, the grid', () => {
  assert.match(html, /11 ok, 1 failed, 12 total/);
  assert.match(html, /<dd>ideal \(mean over the models\)<\/dd>/);
  assert.match(html, /pool too small: &lt;need 9 crossbars&gt; &amp; &quot;more&quot;/);
  assert.not.match(html, /<need 9 crossbars>/);
  assert.match(html, /<details><summary>Grid definition<\/summary>\n<pre>[^<]*&quot;preset&quot;/);
  const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
  assert.is(tables.length, 3, 'Pareto-optimal points, all points, failed points');
  assert.is(count(tables[1]!, /<tr>|<tr class/g), 1 + 22);
  // every Pareto-optimal row is highlighted in the full table
  const optimal = count(tables[0]!, /<tr>/g) - 1;
  assert.ok(optimal >= 2 && optimal < 22, `${optimal} optimal rows`);
  assert.is(count(tables[1]!, /<tr class="best">/g), optimal);
});

test('sweepHtml: all points failed → no-successful-points box, no charts', () => {
  nextIndex = 0;
  const recs = [failed({ a: 1 }, 'boom <1>'), failed({ a: 2 }, 'boom 2')];
  const h = sweepHtml(recs);
  assert.match(h, /class="nodata">No successful points: all 2 points failed/);
  assert.is(count(h, /<svg/g), 0);
  assert.match(h, /boom &lt;1&gt;/);
  assert.match(sweepHtml([]), /No successful points: the sweep holds no records yet/);
});

test('sweepHtml: a single point and null accuracies do not crash', () => {
  nextIndex = 0;
  const one = [ok({ preset: 'taox', 'hardware.crossbar.rows': 64 }, { ha3m: summary(100), diff: summary(400) })];
  const h = sweepHtml(one);
  assert.is(count(h, /<figure class="chart pareto"/g), 3);
  assert.is(count(h, /<figure class="chart param"/g), 0, 'no parameter varies');
  assert.match(h, /<th>preset<\/th><th>hardware\.crossbar\.rows<\/th>/, 'the single point shows its parameters');
  nextIndex = 0;
  const nulls = [
    ok({ x: 1 }, { ha3m: { ...summary(100), meanAccuracy: { float: NaN, quantized: null as unknown as number, ideal: null, analog: null } } }),
    ok({ x: 2 }, { ha3m: { ...summary(NaN), meanAccuracy: { float: 1, quantized: 0.9, ideal: null, analog: null } } }),
  ];
  const hn = sweepHtml(nulls);
  assert.match(hn, /No point has both a cost and a quantized accuracy/);
  assert.is(count(hn, /<figure class="chart param"/g), 1, 'cycles vs x from the one point with finite cycles');
  assert.match(sweepMarkdown(nulls), /\| 1 \| 2 \| ha3m \| — \| — \| — \| 90\.0 \|/);
});

test.run();

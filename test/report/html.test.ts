import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { costSpec, heatmapSpec, htmlReport, paretoSpec, renderSvg, renderSvgAsync, reuseRows, tradeoffRows, validateResults } from '../../src/report/index.js';
import type { Results } from '../../src/report/index.js';

const load = (): Results => validateResults(JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')));
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
const r0 = load();
const html = htmlReport(r0);

test('the report is self-contained: no scripts, no external references except SVG namespaces', () => {
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<link/i);
  assert.not.match(html, /@import|url\((?!#)/i, 'no external CSS or fonts');
  const refs = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
  assert.ok(refs.length > 0);
  for (const u of refs) assert.ok(u === 'http://www.w3.org/2000/svg' || u === 'http://www.w3.org/1999/xlink', `unexpected reference ${u}`);
  for (const m of html.matchAll(/(?:href|src)="([^"]*)"/g)) assert.ok(m[1]!.startsWith('#'), `only in-document links, got ${m[1]}`);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.is(new Set(ids).size, ids.length, 'element ids (SVG gradients) are unique across the inline charts');
});

test('one <svg> per chart; one heatmap per strategy with one small multiple per crossbar of the first A→B switch', () => {
  const figures = [...html.matchAll(/<figure class="chart ([a-z]+)"[^>]*>([\s\S]*?)<\/figure>/g)];
  const kinds = figures.map((f) => f[1]);
  assert.equal(kinds, ['cost', 'reuse', 'heatmap', 'heatmap', 'heatmap', 'heatmap', 'pareto']);
  for (const f of figures) assert.is(count(f[2]!, /<svg/g), 1, `${f[1]} has exactly one svg`);
  assert.is(count(html, /<svg/g), figures.length);
  let expected = 0;
  for (const f of figures.filter((x) => x[1] === 'heatmap')) {
    const strategy = /data-strategy="([^"]+)"/.exec(f[0])![1]!;
    const s = r0.strategies[strategy]!;
    const sw = s.switches.find((x) => x.index >= 1 && x.from === 'A' && x.to === 'B')!;
    assert.is(/data-switch="(\d+)"/.exec(f[0])![1], String(sw.index));
    assert.is(Number(/data-crossbars="(\d+)"/.exec(f[0])![1]), sw.heatmap.crossbars.length);
    const labels = [...f[2]!.matchAll(/>crossbar (\d+)<\/text>/g)].map((m) => Number(m[1]));
    assert.equal(labels, sw.heatmap.crossbars, `${strategy}: one small multiple per crossbar`);
    expected += sw.heatmap.crossbars.length;
  }
  assert.is(count(html, />crossbar \d+<\/text>/g), expected);
  // a heatmap's rects: one per bin
  const h = heatmapSpec(r0, r0.strategies.full!, r0.strategies.full!.switches[1]!);
  const svg = renderSvg(h.spec);
  const bins = h.sw.heatmap.crossbars.length * h.sw.heatmap.binRows * h.sw.heatmap.binCols;
  const rects = count(svg, /<path d="M\d/g);
  assert.ok(rects >= bins && rects <= bins + 4, `one rect per bin (${rects} paths for ${bins} bins)`);
});

test('the summary table, notes and a collapsible config are in the page', () => {
  const rows = [...html.matchAll(/<tr(?: class="best")?><td>([a-z0-9]+)<\/td>/g)].map((m) => m[1]);
  assert.equal(rows.slice(0, 4), ['full', 'diff', 'blm', 'ha3m']);
  assert.match(html, /<tr class="best"><td>ha3m<\/td>/);
  assert.match(html, /<td class="n">94\.2 %<\/td>/);
  assert.match(html, /<details><summary>Hardware config \(seed 42\)<\/summary>\s*<pre>\{/);
  assert.ok(html.includes('&quot;hfox-radar&quot;'), 'config JSON is escaped');
  for (const n of r0.notes) assert.ok(html.includes(n));
});

test('no share sweep: a clear note, and the trade-off chart still shows every strategy once; names are escaped', () => {
  const r = load();
  r.pareto = [];
  r.scenario.name = '<b>x</b> & "y"';
  const out = htmlReport(r);
  assert.match(out, /class="nodata">No MMR share sweep in these results: run `ha3m demo --pareto`/);
  assert.match(out, /data-chart="pareto"/);
  assert.is(count(out, /<svg/g), 7);
  assert.ok(out.includes('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;'));
  assert.not.ok(out.includes('<b>x</b>'));
  const runs = new Set(tradeoffRows(r).map((x) => x.run));
  assert.equal([...runs], ['full', 'diff', 'blm', 'ha3m']);
  for (const s of Object.values(r.strategies)) s.accuracy = {};
  assert.is(paretoSpec(r), null, 'nothing measured: no chart');
});

test('trade-off chart: every model × kind × run with its interval; the cycle axis is log and says so', () => {
  const rows = tradeoffRows(r0);
  // 3 references + 3 shares, 2 models, ideal and analog
  assert.is(rows.length, 6 * 2 * 2);
  const p = rows.find((x) => x.run === 'ha3m 0.5' && x.model === 'B' && x.kind === 'analog')!;
  const a = r0.pareto.find((x) => x.share === 0.5)!.accuracy.B!;
  assert.is(p.accuracy, a.analog! * 100);
  assert.equal([p.lo, p.hi], [a.ci95.analog![0] * 100, a.ci95.analog![1] * 100]);
  assert.is(p.cycles, r0.pareto.find((x) => x.share === 0.5)!.cyclesPerSwitch);
  const spec = paretoSpec(r0) as any;
  assert.is(spec.spec.encoding.x.scale.type, 'log');
  assert.match(spec.spec.encoding.x.title, /\(log scale\)/);
  const zero = load();
  zero.pareto[2]!.cyclesPerSwitch = 0;
  const z = paretoSpec(zero) as any;
  assert.is(z.spec.encoding.x.scale.type, 'symlog', 'a run with no cycles cannot sit on a log axis');
  assert.match(z.spec.encoding.x.title, /symlog scale/);
  const svg = renderSvg(paretoSpec(r0)!);
  assert.match(svg, /ideal accuracy/);
  assert.match(svg, /analog accuracy/);
  assert.match(svg, /share 0\.75/);
});

test('options: heatmap switch, crossbar cap and log scale', () => {
  const out = htmlReport(r0, { heatmapSwitch: 2, maxHeatmapCrossbars: 2, scale: 'log' });
  const figs = [...out.matchAll(/<figure class="chart heatmap"[^>]*>/g)].map((m) => m[0]);
  assert.is(figs.length, 4);
  for (const f of figs) {
    assert.match(f, /data-switch="2"/);
    assert.match(f, /data-crossbars="2"/);
  }
  assert.match(out, /Showing the first 2 of 3 crossbars/);
  const spec = costSpec(r0, 'log') as any;
  assert.is(spec.vconcat[0].encoding.y.scale.type, 'symlog', 'bars need a zero baseline: a log-like axis is symlog');
  assert.match(spec.vconcat[0].title, /symlog axis .*bar lengths are not proportional/, 'a log-like axis says so');
  for (const mode of ['linear', 'auto'] as const) {
    const lin = costSpec(r0, mode) as any;
    assert.is(lin.vconcat[0].encoding.y.scale.type, 'linear', `${mode}: bars on a linear axis`);
    assert.is(lin.vconcat[0].title, 'Programming cycles per switch');
  }
  assert.is((costSpec(r0) as any).vconcat[0].encoding.y.scale.type, 'linear', 'linear by default');
});

test('per-layer reuse aggregates cells over switches into each model', () => {
  const rows = reuseRows(r0);
  const ha3mB = rows.find((x) => x.strategy === 'ha3m' && x.layer === 'B · dense_1')!;
  const sws = r0.strategies.ha3m!.switches.filter((x) => x.index >= 1 && x.to === 'B');
  const cells = sws.reduce((a, x) => a + x.perLayer[0]!.cells, 0);
  const touched = sws.reduce((a, x) => a + x.perLayer[0]!.cellsTouched, 0);
  assert.ok(Math.abs(ha3mB.reused - (1 - touched / cells) * 100) < 1e-9);
  assert.is(rows.length, 4 * 2 * 2, '4 strategies × 2 models × 2 layers');
});

test('synchronous SVG rendering equals vega\'s own toSVG (up to gradient ids)', async () => {
  const norm = (s: string) => s.replace(/gradient_\d+/g, 'gradient_N');
  for (const spec of [costSpec(r0), heatmapSpec(r0, r0.strategies.ha3m!, r0.strategies.ha3m!.switches[1]!).spec, paretoSpec(r0)!]) {
    assert.is(norm(renderSvg(spec)), norm(await renderSvgAsync(spec)));
  }
});

test.run();

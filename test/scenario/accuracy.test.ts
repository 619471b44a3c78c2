// How a scenario measures accuracy: claims on the whole test set (or evalSamples), earlier residencies on the tracking
// count, every accuracy with its sample count and Wilson interval; too large counts clamped with a warning; K = 3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { tinyModel } from '../helpers/scenario.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { runScenario, type ScenarioSpec } from '../../src/scenario/index.js';
import { EvaluationPlan } from '../../src/scenario/accuracy.js';
import { accuracyTable, htmlReport, markdownSummary, validateResults, wilsonInterval } from '../../src/report/index.js';

initSync();
test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const cfg = resolveHardware({ crossbar: { rows: 16, cols: 32 } });

test('claims on the whole test set, earlier residencies on the tracking count; intervals are Wilson of the counts', async () => {
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B'); // 30 test images each
  const spec: ScenarioSpec = { name: 'claims', config: cfg, models: [A, B], sequence: ['A', 'B', 'A', 'B'], mapping: 'baseline', strategies: ['diff', 'blm'], seed: 3, trackSamples: 10 };
  const res = validateResults(JSON.parse(JSON.stringify(runScenario(spec, { createdAt: '2026-01-01T00:00:00Z' }))));
  assert.is(res.scenario.evalSamples, null);
  assert.is(res.scenario.trackSamples, 10);
  assert.equal(res.scenario.models.map((m) => m.testSamples), [30, 30]);
  assert.equal(res.accuracyInterval, { method: 'wilson', confidence: 0.95 });
  assert.is(res.training, null);
  for (const s of Object.values(res.strategies)) {
    const n = s.switches.map((sw) => sw.accuracy[sw.to]!.samples.analog);
    assert.equal(n, [10, 10, 30, 30], `${s.name}: A and B tracked first, claimed at their last residency`);
    for (const sw of s.switches) {
      const a = sw.accuracy[sw.to]!;
      assert.equal(a.samples.ideal, a.samples.analog);
      assert.equal(a.ci95.analog, wilsonInterval(Math.round(a.analog! * a.samples.analog!), a.samples.analog!));
      assert.equal([a.samples.float, a.samples.quantized], [30, 30], 'software accuracies on the claim images');
      const other = sw.accuracy[sw.to === 'A' ? 'B' : 'A']!;
      assert.equal([other.ideal, other.analog, other.samples.analog, other.ci95.ideal], [null, null, null, null], 'not resident: software only');
    }
    // the strategy's accuracy is the claim: the last residency
    assert.equal(s.accuracy.A, s.switches[2]!.accuracy.A);
    assert.equal(s.accuracy.B, s.switches[3]!.accuracy.B);
    // ideal = quantized on the claim images (the pool holds exactly the model; the quantized path is the ideal one)
    assert.is(s.accuracy.A!.ideal, s.accuracy.A!.quantized);
  }
  // the default tracking count is 1000, never more than the claims
  const dflt = runScenario({ ...spec, trackSamples: undefined });
  assert.is(dflt.scenario.trackSamples, 1000);
  assert.is(dflt.strategies.diff!.switches[0]!.accuracy.A!.samples.analog, 30);
  arena.reset();
});

test('evalSamples above a test set: clamped to it, with a warning in the notes; bad counts are refused', async () => {
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B');
  const spec: ScenarioSpec = { name: 'clamp', config: cfg, models: [A, B], sequence: ['A', 'B'], mapping: 'baseline', strategies: ['diff'], seed: 3, evalSamples: 50 };
  const res = runScenario(spec);
  validateResults(JSON.parse(JSON.stringify(res)));
  const warnings = res.notes.filter((n) => n.startsWith('warning:'));
  assert.is(warnings.length, 2);
  assert.match(warnings[0]!, /evalSamples 50 exceeds the 30 images of model A's test set \(synthetic-1\); its accuracies use all 30/);
  assert.is(res.scenario.evalSamples, 50, 'the request is recorded; the samples say what was used');
  assert.is(res.strategies.diff!.accuracy.B!.samples.analog, 30);
  // a count the test sets hold: no warning, claims on exactly that many
  const ok = runScenario({ ...spec, evalSamples: 20 });
  assert.not.ok(ok.notes.some((n) => n.startsWith('warning:')));
  assert.is(ok.strategies.diff!.accuracy.A!.samples.ideal, 20);
  assert.throws(() => runScenario({ ...spec, evalSamples: 0 }), /evalSamples must be a positive integer/);
  assert.throws(() => runScenario({ ...spec, trackSamples: 2.5 }), /trackSamples must be a positive integer/);
  const plan = new EvaluationPlan({ sequence: ['A', 'B', 'A'], models: [A, B], evalSamples: undefined, trackSamples: 5 });
  assert.equal([plan.isClaim(0), plan.isClaim(1), plan.isClaim(2), plan.isClaim(3)], [false, true, true, false]);
  assert.equal([plan.claimSamples(A), plan.trackSamples(A)], [30, 5]);
  arena.reset();
});

test('three models in a round robin: every strategy measures and reports every model', async () => {
  const A = await tinyModel(1, 'A'), B = await tinyModel(7, 'B'), C = await tinyModel(13, 'C');
  const sequence = ['A', 'B', 'C', 'A', 'B', 'C'];
  const spec: ScenarioSpec = {
    name: 'three', config: cfg, models: [A, B, C], sequence, mapping: 'baseline', strategies: ['full', 'diff', 'blm', 'ha3m'], seed: 5,
    trackSamples: 10, merged: { models: [A, B, C], tiedFraction: 0.5, share: 0.5 },
  };
  const res = validateResults(JSON.parse(JSON.stringify(runScenario(spec))));
  assert.equal(res.scenario.models.map((m) => m.name), ['A', 'B', 'C']);
  for (const s of Object.values(res.strategies)) {
    assert.is(s.switches.length, 6);
    assert.equal(s.switches.map((sw) => [sw.from, sw.to]), [[null, 'A'], ['A', 'B'], ['B', 'C'], ['C', 'A'], ['A', 'B'], ['B', 'C']]);
    for (const m of ['A', 'B', 'C']) {
      const a = s.accuracy[m]!;
      assert.ok(a.ideal !== null && a.analog !== null, `${s.name}: ${m} measured on the crossbars`);
      assert.is(a.samples.analog, 30, `${s.name}: ${m}'s claim on its whole test set`);
    }
    assert.ok(s.cyclesPerSwitch > 0 || s.name === 'ha3m');
  }
  const t = accuracyTable(res);
  assert.equal(t.columns, ['strategy', 'A ideal %', 'A analog %', 'B ideal %', 'B analog %', 'C ideal %', 'C analog %']);
  assert.ok(t.rows.every((r) => r.slice(1).every((c) => c !== '—')));
  const md = markdownSummary(res);
  assert.match(md, /A → B → C → A → B → C — 5 switches/);
  assert.match(md, /C ideal %/);
  assert.match(htmlReport(res), /C analog %/);
  arena.reset();
});

test.run();

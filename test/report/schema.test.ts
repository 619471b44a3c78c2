import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESULTS_JSON_SCHEMA, ResultsError, pointerToPath, toJsonValue, validateResults } from '../../src/report/index.js';
import type { Results } from '../../src/report/index.js';

const FIXTURE = new URL('../fixtures/results-small.json', import.meta.url);
const load = (): Results => JSON.parse(readFileSync(FIXTURE, 'utf8'));

function problems(obj: unknown): string {
  try {
    validateResults(obj, 'broken');
  } catch (e) {
    assert.instance(e, ResultsError);
    return (e as Error).message;
  }
  assert.unreachable('validation should have failed');
  return '';
}

test('the fixture follows the contract: 2 models, 4 strategies, 3–5 switches with heatmaps, 3 Pareto points', () => {
  const r = validateResults(load());
  assert.equal(r.scenario.models.map((m) => m.name), ['A', 'B']);
  assert.equal(Object.keys(r.strategies), ['full', 'diff', 'blm', 'ha3m']);
  for (const s of Object.values(r.strategies)) {
    assert.ok(s.switches.length >= 3 && s.switches.length <= 5);
    for (const sw of s.switches) assert.ok(sw.heatmap.values.length > 0 && sw.heatmap.values[0]!.length === sw.heatmap.binRows * sw.heatmap.binCols);
    const sw = s.switches.filter((x) => x.index >= 1);
    const mean = sw.reduce((a, x) => a + x.cycles, 0) / sw.length;
    assert.ok(Math.abs(mean - s.cyclesPerSwitch) < 1e-6, `${s.name}: cyclesPerSwitch is the mean over switches ≥ 1`);
  }
  assert.is(r.pareto.length, 3);
  assert.is(RESULTS_JSON_SCHEMA.properties.schema.const, 'ha3m-results/2');
  assert.is(r.training!.sameBudget, true);
  assert.is(r.scenario.evalSamples, null);
});

test('a missing field is reported with its path', () => {
  const r = load() as any;
  delete r.strategies.blm.energyPerSwitchJ;
  delete r.seed;
  const msg = problems(r);
  assert.match(msg, /\$\.strategies\.blm\.energyPerSwitchJ: missing/);
  assert.match(msg, /\$\.seed: missing/);
  assert.match(msg, /2 problems/);
});

test('a wrong type is reported with its path and the value found', () => {
  const r = load() as any;
  r.strategies.diff.switches[2].cycles = '1234';
  const msg = problems(r);
  assert.match(msg, /\$\.strategies\.diff\.switches\[2\]\.cycles: must be number, got "1234"/);
});

test('NaN or Infinity where a number is required fails (JSON would store null); null is fine for switchesLeft', () => {
  const r = load() as any;
  r.strategies.ha3m.cyclesPerSwitch = NaN;
  r.strategies.full.switches[1].energyJ = Infinity;
  const msg = problems(r);
  assert.match(msg, /\$\.strategies\.ha3m\.cyclesPerSwitch: must be number, got NaN/);
  assert.match(msg, /\$\.strategies\.full\.switches\[1\]\.energyJ: must be number, got Infinity/);
  const ok = load() as any;
  ok.strategies.full.switches[1].switchesLeft = Infinity;
  const v = validateResults(ok);
  assert.is(v.strategies.full!.switches[1]!.switchesLeft, null);
  // from a parsed file the message still names the fix
  const parsed = toJsonValue(r);
  assert.match(problems(parsed), /cyclesPerSwitch: must be number, got null \(NaN and Infinity are written as null\)/);
});

test('wrong schema id, out-of-range accuracy, bad enum and cross-field problems', () => {
  const a = load() as any;
  a.schema = 'ha3m-results/0';
  assert.match(problems(a), /\$\.schema is "ha3m-results\/0", expected "ha3m-results\/2"/);
  const b = load() as any;
  b.strategies.full.accuracy.A.analog = 96.3;
  b.scenario.mapping = 'xam';
  const mb = problems(b);
  assert.match(mb, /\$\.strategies\.full\.accuracy\.A\.analog: must be <= 1, got 96\.3/);
  assert.match(mb, /\$\.scenario\.mapping: must be equal to one of the allowed values \["baseline","xamm"\]/);
  const c = load() as any;
  c.strategies.blm.name = 'ha3m';
  c.strategies.diff.switches[1].heatmap.values[0].pop();
  c.scenario.sequence[2] = 'C';
  const mc = problems(c);
  assert.match(mc, /\$\.strategies\.blm\.name: must equal its key "blm"/);
  assert.match(mc, /\$\.strategies\.diff\.switches\[1\]\.heatmap\.values\[0\]: 63 bins, expected binRows × binCols = 64/);
  assert.match(mc, /\$\.scenario\.sequence\[2\]: "C" is not one of the scenario's models/);
  assert.throws(() => validateResults([]), /expected a JSON object/);
});

test('accuracies: sample counts, whole counts of correct answers, Wilson intervals and null consistency', () => {
  // the fixture's ha3m claim for A: 10,000 images
  const a = load() as any;
  const claim = a.strategies.ha3m.accuracy.A;
  claim.ci95.analog = [claim.ci95.analog[0] - 0.001, claim.ci95.analog[1]];
  assert.match(problems(a), /\$\.strategies\.ha3m\.accuracy\.A\.ci95\.analog: \[[\d.]+, [\d.]+\] is not the 95 % Wilson interval of \d+\/10000/);
  const b = load() as any;
  b.strategies.full.accuracy.B.samples.ideal = 20000;
  b.strategies.full.accuracy.B.samples.analog = 0;
  const mb = problems(b);
  assert.match(mb, /\$\.strategies\.full\.accuracy\.B\.samples\.analog: must be >= 1, got 0/);
  const c = load() as any;
  c.strategies.full.accuracy.B.samples.ideal = 20000;
  assert.match(problems(c), /\$\.strategies\.full\.accuracy\.B\.samples\.ideal: 20000 samples, but the model's test set has 10000 images/);
  const d = load() as any;
  d.strategies.diff.switches[1].accuracy.B.ideal = 0.94567; // not k/1000
  assert.match(problems(d), /switches\[1\]\.accuracy\.B\.ideal: 0\.94567 is not a whole number of correct answers out of samples\.ideal = 1000/);
  const e = load() as any;
  e.strategies.blm.accuracy.A.ideal = null; // its samples and interval are still set
  assert.match(problems(e), /\$\.strategies\.blm\.accuracy\.A: ideal is null but samples\.ideal is 10000 and ci95\.ideal is \[/);
  const f = load() as any;
  f.pareto[0].accuracy.C = f.pareto[0].accuracy.A;
  f.strategies.full.accuracy.A.extra = 1;
  delete f.strategies.full.accuracy.B.ci95;
  const mf = problems(f);
  assert.match(mf, /\$\.strategies\.full\.accuracy\.A: must NOT have additional properties/);
  assert.match(mf, /\$\.strategies\.full\.accuracy\.B\.ci95: missing/);
  const g = load() as any;
  g.pareto[0].accuracy.C = g.pareto[0].accuracy.A;
  assert.match(problems(g), /\$\.pareto\[0\]\.accuracy\.C: "C" is not one of the scenario's models/);
  const h = load() as any;
  h.accuracyInterval.method = 'wald';
  h.scenario.evalSamples = 0;
  const mh = problems(h);
  assert.match(mh, /\$\.accuracyInterval\.method: must be equal to constant "wilson"/);
  assert.match(mh, /\$\.scenario\.evalSamples: must be >= 1, got 0/);
});

test('training budgets: phases add up, and sameBudget must say what the budgets show', () => {
  const a = load() as any;
  const merged = a.training.models.find((m: any) => m.variant === 'merged' && m.name === 'B');
  merged.phases[1].epochs = 2; merged.phases[1].samplesSeen = 2000; merged.epochs = 5; merged.samplesSeen = 5000;
  assert.match(problems(a), /\$\.training\.sameBudget: true, but merged B \(share 0\.25\) saw 5000 samples, separate B 4000/);
  a.training.sameBudget = false;
  validateResults(a); // honest: unequal budgets, said so
  const b = load() as any;
  b.training.models[0].phases[0].samplesSeen = 1999;
  b.training.models[0].epochs = 7;
  const mb = problems(b);
  assert.match(mb, /\$\.training\.models\[0\]\.phases\[0\]\.samplesSeen: 1999, but epochs × trainSamples = 2000/);
  assert.match(mb, /\$\.training\.models\[0\]\.epochs: 7, but its phases add up to 4/);
  const c = load() as any;
  c.training.models = c.training.models.filter((m: any) => m.variant === 'separate');
  assert.match(problems(c), /\$\.training\.sameBudget: true, but there is no merged model/);
  const d = load() as any;
  d.training = null;
  validateResults(d); // models loaded from files: budgets unknown
  const e = load() as any;
  e.training.models[0].variant = 'alone';
  assert.match(problems(e), /\$\.training\.models\[0\]\.variant: must be equal to one of the allowed values/);
});

test('many problems are capped in the message but all kept in .problems', () => {
  const r = load() as any;
  for (const s of Object.values(r.strategies) as any[]) for (const sw of s.switches) sw.cycles = -1;
  try {
    validateResults(r);
    assert.unreachable();
  } catch (e) {
    const err = e as ResultsError;
    assert.is(err.problems.length, 16);
    assert.match(err.message, /16 problems/);
    assert.match(err.message, /… and 4 more/);
  }
});

test('pointerToPath', () => {
  assert.is(pointerToPath(''), '$');
  assert.is(pointerToPath('/strategies/full/switches/0/heatmap'), '$.strategies.full.switches[0].heatmap');
  assert.is(pointerToPath('/accuracy/my model'), '$.accuracy["my model"]');
});

test.run();

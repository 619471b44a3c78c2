// The demo's pipeline end to end on tiny configurations: train small models, merge them, continue the separate ones to
// the same training budget, switch, report — with two models and with a three-model round robin.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSync } from '../../src/wasm/index.js';
import { roundRobin, runDemo } from '../../src/scenario/demo.js';
import { mergeHook, parsePareto, demoTasks } from '../../src/cli/commands/demo.js';
import { writeOutputs } from '../../src/report/node.js';
import { markdownSummary, validateResults } from '../../src/report/index.js';

initSync();

const tiny = { architecture: 'mlp', trainLimit: 600, epochs: 1, calibSamples: 32, mergeEpochs: 1, mergeFinetuneEpochs: 1, hardware: { crossbar: { rows: 256, cols: 256 } } } as const;

test('demo pipeline: trains, merges, continues the separate models to the same budget, switches, writes a valid report', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ha3m-demo-'));
  try {
    const results = await runDemo({ ...tiny, tasks: ['mnist', 'permuted-mnist:3'], evalSamples: 40, rounds: 1, out, seed: 2 }, { merge: mergeHook() });
    const s = results.strategies;
    assert.ok(s.full && s.diff && s.blm && s.ha3m, 'every strategy ran');
    assert.ok(s.full.cyclesPerSwitch >= s.diff.cyclesPerSwitch, `full ${s.full.cyclesPerSwitch} < diff ${s.diff.cyclesPerSwitch}`);
    assert.ok(s.diff.cyclesPerSwitch >= s.blm.cyclesPerSwitch, `diff ${s.diff.cyclesPerSwitch} < blm ${s.blm.cyclesPerSwitch}`);
    assert.ok(s.blm.cyclesPerSwitch >= s.ha3m.cyclesPerSwitch, `blm ${s.blm.cyclesPerSwitch} < ha3m ${s.ha3m.cyclesPerSwitch}`);
    for (const st of Object.values(s)) {
      for (const sw of st.switches) assert.is(sw.accuracy[sw.to]!.ideal, sw.accuracy[sw.to]!.quantized, `${st.name}: ideal == quantized`);
    }
    // the same budget: the separate models trained 1 epoch, then continued for MMR's 2; the merged ones 1 + MMR 2
    const t = results.training!;
    assert.ok(t.sameBudget);
    const sep = t.models.filter((b) => b.variant === 'separate'), merged = t.models.filter((b) => b.variant === 'merged');
    assert.equal(sep.map((b) => b.name), ['A', 'B']);
    assert.equal(merged.map((b) => [b.name, b.share]), [['A', 0.9], ['B', 0.9]]);
    for (const b of sep) assert.equal(b.phases.map((p) => [p.phase, p.epochs]), [['train', 1], ['continue', 2]]);
    for (const b of merged) assert.equal(b.phases.map((p) => [p.phase, p.epochs]), [['train', 1], ['mmr', 2]]);
    for (const b of t.models) {
      assert.is(b.phases[0]!.trainSamples, 540, 'the training split of 600 samples (10 % validation)');
      assert.is(b.samplesSeen, 3 * 540, `${b.variant} ${b.name}: epochs × samples`);
    }
    // accuracies: claims on 40 images of the whole 10,000-image test sets, which the results record
    assert.equal(results.scenario.models.map((m) => m.testSamples), [10000, 10000]);
    assert.is(s.ha3m.accuracy.B!.samples.analog, 40);
    writeOutputs(results, out);
    for (const f of ['results.json', 'summary.md', 'report.html']) assert.ok(existsSync(join(out, f)), f);
    validateResults(JSON.parse(JSON.stringify(results)));
    assert.ok(existsSync(join(out, 'models', 'A', 'model.json')));
    assert.ok(existsSync(join(out, 'merged', 'merge.json')));
    assert.match(markdownSummary(results), /\*\*training\*\*: same budget/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('three models (round robin A → B → C) merged by MMR over all three, plus a share sweep: every model reported', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ha3m-demo3-'));
  try {
    const results = await runDemo({
      ...tiny, tasks: ['mnist', 'permuted-mnist:3', 'permuted-mnist:5'], evalSamples: 30, trackSamples: 10, rounds: 1, out, seed: 4, pareto: [0.5],
    }, { merge: mergeHook() });
    validateResults(JSON.parse(JSON.stringify(results)));
    assert.equal(results.scenario.sequence, ['A', 'B', 'C']);
    for (const st of Object.values(results.strategies)) {
      for (const m of ['A', 'B', 'C']) assert.ok(st.accuracy[m]!.ideal !== null && st.accuracy[m]!.analog !== null, `${st.name}: ${m}`);
    }
    assert.equal(results.pareto.map((p) => p.share), [0.5, 0.9]);
    for (const p of results.pareto) for (const m of ['A', 'B', 'C']) assert.ok(p.accuracy[m]!.ideal !== null);
    assert.ok(results.training!.sameBudget);
    assert.is(results.training!.models.filter((b) => b.variant === 'merged').length, 6, '3 models × 2 shares');
    for (const m of ['A', 'B', 'C']) assert.ok(existsSync(join(out, 'merged', m, 'model.json')), `merged ${m} saved`);
    assert.ok(existsSync(join(out, 'merged-share-0.5', 'merge.json')));
    assert.match(markdownSummary(results), /\| strategy \| +A ideal % \| +A analog % \| +B ideal % \| +B analog % \| +C ideal % \| +C analog % \|/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('demo options: --pareto and --tasks parsing; the round robin', () => {
  assert.equal(roundRobin(['A', 'B', 'C'], 2), ['A', 'B', 'C', 'A', 'B', 'C']);
  assert.is(parsePareto(undefined), null);
  assert.equal(parsePareto(true), [0.5, 0.75, 0.9, 0.95, 1]);
  assert.equal(parsePareto('0.9, 0.5,0.9'), [0.5, 0.9]);
  assert.throws(() => parsePareto('0.5,1.5'), /--pareto takes a comma list of MMR shares in \[0, 1\]/);
  assert.equal(demoTasks({ data: 'derived', task: 'rotated-mnist:90' }), ['mnist', 'rotated-mnist:90']);
  assert.equal(demoTasks({ data: 'fashion', task: 'rotated-mnist:90' }), ['mnist', 'fashion']);
  assert.equal(demoTasks({ data: 'derived', task: 'x', tasks: 'mnist, rotated-mnist:90,fashion' }), ['mnist', 'rotated-mnist:90', 'fashion']);
  assert.throws(() => demoTasks({ data: 'derived', task: 'x', tasks: 'mnist' }), /--tasks needs at least two tasks/);
  assert.throws(() => demoTasks({ data: 'cifar', task: 'x' }), /--data must be derived or fashion/);
});

test('bad demo options are refused before any training', async () => {
  await runDemo({ tasks: ['mnist'] }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /at least two tasks/));
  await runDemo({ share: 1.5 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /share must be a fraction in \[0, 1\], got 1\.5/));
  await runDemo({ evalSamples: 0 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /evalSamples must be a positive integer/));
});

test.run();

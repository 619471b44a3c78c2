// Scenario files: model paths are relative to the file (not the working directory), and sizes that would exhaust
// memory before anything is reported are refused naming the field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { saveModel } from '../../src/training/checkpoint.js';
import { parseScenarioFile, MAX_ROUNDS } from '../../src/scenario/file.js';
import { resolveScenarioPaths, specFromPath } from '../../src/scenario/load.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ha3m-scenario-file-'));
const cwd = process.cwd();

async function tinyMlp(seed: number, out: string): Promise<void> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  await saveModel(m, out);
  m.dispose();
}

test.before(async () => {
  await tf.setBackend('cpu');
  mkdirSync(join(dir, 'study', 'models'), { recursive: true });
  await tinyMlp(1, join(dir, 'study', 'models', 'a'));
  await tinyMlp(3, join(dir, 'study', 'models', 'b'));
  writeFileSync(join(dir, 'study', 'scenario.json'), JSON.stringify({
    name: 'relative', models: [{ name: 'A', path: 'models/a', task: 'mnist' }, { name: 'B', path: 'models/b/model.json', task: 'mnist' }],
    rounds: 1, strategies: ['diff'], evalSamples: 8, calibSamples: 8, hardware: { crossbar: { rows: 64, cols: 64 } },
  }));
});

test.after(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });

test('resolveScenarioPaths: relative model, merged and pareto paths against the file\'s directory; URLs and absolute paths kept', () => {
  const r = resolveScenarioPaths({
    models: [{ name: 'A', path: 'a' }, { name: 'B', path: '/abs/b' }, { name: 'C', path: 'https://host/c/model.json' }, 'junk'],
    merged: '../m', pareto: ['p1', '/p2'], seed: 3,
  }, '/base/dir') as Record<string, unknown>;
  assert.equal(r.models, [{ name: 'A', path: '/base/dir/a' }, { name: 'B', path: '/abs/b' }, { name: 'C', path: 'https://host/c/model.json' }, 'junk']);
  assert.is(r.merged, '/base/m');
  assert.equal(r.pareto, ['/base/dir/p1', '/p2']);
  assert.is(r.seed, 3);
  assert.is(resolveScenarioPaths('not an object', '/x'), 'not an object');
});

test('CLI: switch --scenario finds the models next to the scenario file from another working directory', async () => {
  process.chdir(tmpdir());
  try {
    const file = relative(tmpdir(), join(dir, 'study', 'scenario.json')); // e.g. ha3m-scenario-file-X/study/scenario.json
    const spec = await specFromPath(file);
    assert.equal(spec.models.map((m) => m.name), ['A', 'B']);
    const out = join(dir, 'out');
    const r = await runCli(['switch', '--scenario', file, '--out', out, '--json']);
    assert.is(r.code, 0, r.err);
    assert.equal(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).scenario.models.map((m: { name: string }) => m.name), ['A', 'B']);
  } finally {
    process.chdir(cwd);
  }
});

test('CLI: switch flags given with --scenario override the file and say so; model flags with --scenario are refused', async () => {
  const file = join(dir, 'study', 'scenario.json');
  const r = await runCli(['switch', '--scenario', file, '--seed', '7', '--eval-samples', '6', '--strategy', 'full,diff', '--preset', 'ideal',
    '--rounds', '2', '--out', join(dir, 'over'), '--json']);
  assert.is(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal([res.seed, res.scenario.evalSamples, Object.keys(res.strategies), res.config.device.name, res.scenario.sequence],
    [7, 6, ['full', 'diff'], 'ideal', ['A', 'B', 'A', 'B']]);
  for (const note of ['--seed 7 overrides the scenario file\'s seed (not set)', '--eval-samples 6 overrides the scenario file\'s evalSamples (8)',
    '--strategy full,diff overrides the scenario file\'s strategies (["diff"])', '--preset ideal overrides the scenario file\'s preset (not set)']) {
    assert.ok(r.err.includes(`note: ${note}`), `${note} in\n${r.err}`);
    assert.ok(res.notes.includes(note), `${note} in the results' notes`);
  }
  const clash = await runCli(['switch', '--scenario', file, '--model-a', 'x', '--out', join(dir, 'clash')]);
  assert.is(clash.code, 2);
  assert.match(clash.err, /--scenario names the models and their tasks; drop --model-a/);
  const seqFile = join(dir, 'study', 'sequence.json');
  writeFileSync(seqFile, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), rounds: undefined, sequence: ['A', 'B'] }));
  const seq = await runCli(['switch', '--scenario', seqFile, '--rounds', '3', '--out', join(dir, 'seq')]);
  assert.is(seq.code, 2);
  assert.match(seq.err, /--rounds: the scenario file gives an explicit "sequence"/);
  const bad = await runCli(['switch', '--scenario', file, '--strategy', 'fast', '--out', join(dir, 'bad')]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /unknown strategy "fast"/);
});

test('CLI: switch checks --out before the work; results that cannot be written are still printed (exit 3)', async () => {
  const file = join(dir, 'study', 'scenario.json');
  const notDir = join(dir, 'a-file');
  writeFileSync(notDir, 'x');
  for (const [out, re] of [[notDir, /it is a file, not a directory/], [join(notDir, 'sub'), /a-file is a file/], ['/proc/ha3m-switch', /cannot write there/]] as const) {
    const r = await runCli(['switch', '--scenario', file, '--out', out, '--json']);
    assert.is(r.code, 2, `${out}: ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.out, '');
  }
  const out = join(dir, 'blocked');
  mkdirSync(join(out, 'results.json', 'in-the-way'), { recursive: true });
  const r = await runCli(['switch', '--scenario', file, '--out', out, '--json']);
  assert.is(r.code, 3, r.err);
  assert.equal(Object.keys(JSON.parse(r.out).strategies), ['diff'], 'the results are printed');
  assert.match(r.err, /could not write the results in .*blocked/);
  const text = await runCli(['switch', '--scenario', file, '--out', out]);
  assert.is(text.code, 3);
  assert.match(text.out, /diff/, 'the summary is printed');
});

test('rounds, sequence and sample counts are bounded with a named error (they exhausted memory before)', async () => {
  const base = { models: [{ name: 'A', path: 'a', task: 'mnist' }, { name: 'B', path: 'b', task: 'mnist' }] };
  assert.throws(() => parseScenarioFile({ ...base, rounds: 100_000_000 }), /rounds: must be at most 10000/);
  assert.throws(() => parseScenarioFile({ ...base, sequence: Array.from({ length: 2 * MAX_ROUNDS + 1 }, (_, i) => (i % 2 ? 'A' : 'B')) }), /sequence: must have at most 20000 entries/);
  assert.throws(() => parseScenarioFile({ ...base, evalSamples: 1e9 }), /evalSamples: must be at most 1000000/);
  assert.throws(() => parseScenarioFile({ ...base, calibSamples: 1e9 }), /calibSamples: must be at most 1000000/);
  assert.is(parseScenarioFile({ ...base, rounds: MAX_ROUNDS }).rounds, MAX_ROUNDS);
  const a = join(dir, 'study', 'models', 'a');
  for (const [flag, value, re] of [['--rounds', '100000000', /rounds: must be at most 10000/], ['--eval-samples', '1000000000', /evalSamples: must be at most 1000000/]] as const) {
    const t0 = performance.now();
    const r = await runCli(['switch', '--model-a', a, '--data-a', 'mnist', '--model-b', a, '--data-b', 'mnist', flag, value, '--out', join(dir, 'bounded')]);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, re);
    assert.ok(performance.now() - t0 < 20_000, 'refused before any work');
  }
});

test.run();

// The page's input checks, in Node (no Chromium): dropped model files (web/app/sim/model-files.ts), seeds and
// config fields (web/app/inputs.ts), and the hardware choice resolved by the CLI's schema (web/app/sim/hardware.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTfjsModel, ModelFileError } from '../../web/app/sim/model-files.js';
import { CONFIG_FIELDS, fieldValue, fieldsOfProblem, parseSeed } from '../../web/app/inputs.js';
import { presetValues, problemsOf, resolveChoice } from '../../web/app/sim/hardware.js';
import { resolveHardware } from '../../src/hardware/index.js';
import { withScheme } from '../../src/programming/calibration.js';

const manifest = (paths: string[], shapes: number[][]) => JSON.stringify({
  modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths, weights: shapes.map((shape, i) => ({ name: `w${i}`, shape, dtype: 'float32' })) }],
});
const json = (text: string) => ({ file: { name: 'model.json', size: text.length }, text });

function refused(fn: () => unknown, message: RegExp): void {
  try { fn(); } catch (e) {
    assert.instance(e, ModelFileError);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected a refusal matching ${message}`);
}

test('a complete model.json + weights passes, weight files in manifest order', () => {
  const j = json(manifest(['./group1-shard1of2.bin', 'group1-shard2of2.bin'], [[300, 40], [40]]));
  const files = [j.file, { name: 'group1-shard2of2.bin', size: 160 }, { name: 'group1-shard1of2.bin', size: 48_000 }];
  const c = checkTfjsModel(j.file, j.text, files);
  assert.equal(c.weightFiles, ['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  assert.is(c.bytes, 48_160);
  assert.equal(c.weightSpecs.map((w) => w.name), ['w0', 'w1']);
});

test('a model.json without its weight files is refused, naming each missing file', () => {
  const j = json(manifest(['weights.bin'], [[300, 40]]));
  refused(() => checkTfjsModel(j.file, j.text, [j.file]), /model\.json needs the weight file "weights\.bin", which was not dropped with it/);
  const two = json(manifest(['a.bin', 'b.bin'], [[10]]));
  refused(() => checkTfjsModel(two.file, two.text, [two.file, { name: 'a.bin', size: 20 }]), /needs the weight file "b\.bin"/);
  refused(() => checkTfjsModel(two.file, two.text, [two.file]), /needs the weight files "a\.bin", "b\.bin", which were not dropped/);
});

test('truncated, empty, non-model and weightless model.json files are refused with what is wrong', () => {
  const full = manifest(['weights.bin'], [[4]]);
  refused(() => checkTfjsModel(json(full.slice(0, 30)).file, full.slice(0, 30), []), /model\.json is not valid JSON \(.+\); the file is probably truncated/);
  refused(() => checkTfjsModel(json('').file, '  ', []), /model\.json is empty/);
  refused(() => checkTfjsModel(json('[1]').file, '[1]', []), /holds a list, not a TF\.js model description/);
  refused(() => checkTfjsModel(json('{"format":"graph-model"}').file, '{"format":"graph-model"}', []), /has no modelTopology/);
  const none = JSON.stringify({ modelTopology: {}, weightsManifest: [] });
  refused(() => checkTfjsModel(json(none).file, none, []), /lists no weights .* random weights/);
});

test('a weight file of the wrong size is refused (truncated, or another model\'s)', () => {
  const j = json(manifest(['weights.bin'], [[300, 40], [40]]));
  refused(() => checkTfjsModel(j.file, j.text, [j.file, { name: 'weights.bin', size: 1000 }]), /weights\.bin holds 1,000 bytes but model\.json describes 48,160 bytes of weights in it: the file is truncated/);
  refused(() => checkTfjsModel(j.file, j.text, [j.file, { name: 'weights.bin', size: 50_000 }]), /the file belongs to another model/);
});

test('seeds: whole numbers 0 … 2^53 − 1; anything else is refused with a message', () => {
  assert.equal(parseSeed('42'), { seed: 42 });
  assert.equal(parseSeed(' 0 '), { seed: 0 });
  assert.equal(parseSeed(String(Number.MAX_SAFE_INTEGER)), { seed: Number.MAX_SAFE_INTEGER });
  for (const bad of ['-3.7', '-1', '1.5', '', 'abc', '1e3', String(2 ** 53)]) {
    const r = parseSeed(bad);
    assert.ok('error' in r && r.error.includes(`(got "${bad}")`), `${bad}: ${JSON.stringify(r)}`);
  }
});

test('field values and which fields a config problem names', () => {
  const rows = CONFIG_FIELDS.find((f) => f.path === 'crossbar.rows')!;
  assert.is(fieldValue(rows, ' 64 '), 64);
  assert.is(fieldValue(rows, 'abc'), 'abc');
  assert.is(fieldValue(rows, ''), '');
  assert.equal(fieldsOfProblem('crossbar.rows: must be a number (got "abc")'), ['crossbar.rows']);
  assert.equal(fieldsOfProblem('programming.toleranceUS (3) must be below half the level spacing; narrow the band, lower cells.cellBits or widen the window'), ['cells.cellBits']);
  assert.equal(fieldsOfProblem('device.gMaxUS (1) must be greater than device.gMinUS (5)'), []);
});

test('the hardware choice is the CLI\'s config: preset + overrides through the same schema; a scheme as --scheme does', () => {
  assert.equal(resolveChoice({ preset: 'neurram', edits: {} }).cfg, resolveHardware({}, 'neurram'));
  const r = resolveChoice({ preset: 'default', edits: { 'crossbar.rows': 64, 'pool.spare': 0.5, 'programming.scheme': 'fppv' } });
  assert.equal(r.cfg, withScheme(resolveHardware({ crossbar: { rows: 64 } }, 'default'), 'fppv'));
  assert.is(r.spare, 0.5);
  assert.equal(r.edits, ['crossbar.rows = 64', 'pool.spare = 0.5', 'programming.scheme = "fppv"']);
  assert.equal(resolveChoice({ preset: 'default', edits: { 'crossbar.rows': presetValues('default')['crossbar.rows']! } }).edits, [], 'a value equal to the preset is no edit');
  const problems = problemsOf({ preset: 'default', edits: { 'crossbar.rows': 'abc', 'cells.cellBits': 5, 'pool.spare': -1 } });
  assert.equal(problems.map((p) => p.fields), [['pool.spare'], ['crossbar.rows'], ['cells.cellBits']]);
  assert.match(problems[1]!.message, /^crossbar\.rows: must be a number/);
  assert.equal(problemsOf({ preset: 'nope', edits: {} }).map((p) => p.message), ['unknown preset "nope"; choose one of: default, neurram, milo-hfo2, ideal']);
  assert.match(problemsOf({ preset: 'default', edits: { 'device.gMinUS': 1 } })[0]!.message, /not an editable field/);
});

test.run();

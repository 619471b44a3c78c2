import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  resolveHardware, validate, configToJson, configFromJson, presetNames, hardwarePresets, defaultHardware, ConfigError,
  deepMerge,
} from '../../src/hardware/index.js';
import { withScheme } from '../../src/programming/index.js';
import { runCli } from '../helpers/cli.js';

test('defaults follow DESIGN §2', () => {
  const c = resolveHardware();
  assert.is(c.crossbar.rows, 128);
  assert.is(c.crossbar.cols, 128);
  assert.is(c.weights.weightBits, 8);
  assert.is(c.cells.cellBits, 2);
  assert.is(c.cells.sign, 'differential');
  assert.is(c.io.inputBits, 8);
  assert.is(c.io.dacBits, 1);
  assert.is(c.io.adcBits, 8);
});

test('every preset validates, cites a source and round-trips through JSON', () => {
  assert.ok(presetNames().length >= 4);
  const devices = new Set<string>();
  for (const name of presetNames()) {
    const c = resolveHardware({}, name);
    devices.add(c.device.name);
    assert.ok(c.device.source.length > 10, `${name} has a source`);
    const again = configFromJson(configToJson(c));
    assert.equal(again, c);
  }
  assert.ok(devices.size >= 4, 'at least three real device presets plus ideal');
});

test('overrides merge deeply and do not mutate presets', () => {
  const before = JSON.stringify(hardwarePresets.default!.config);
  const c = resolveHardware({ crossbar: { rows: 64 }, device: { readNoise: { relative: 0 } } });
  assert.is(c.crossbar.rows, 64);
  assert.is(c.crossbar.cols, 128);
  assert.is(c.device.readNoise.relative, 0);
  assert.is(c.device.readNoise.absoluteUS, defaultHardware.device.readNoise.absoluteUS);
  assert.is(JSON.stringify(hardwarePresets.default!.config), before);
  assert.equal(deepMerge({ a: [1, 2], b: { c: 1 } }, { a: [3] }), { a: [3], b: { c: 1 } });
});

function problems(fn: () => unknown): string {
  try { fn(); } catch (e) { assert.instance(e, ConfigError); return (e as Error).message; }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('validate rejects impossible values, naming the field and the allowed range', () => {
  assert.match(problems(() => resolveHardware({ cells: { cellBits: 7 } })), /cells\.cellBits: must be an integer in \[1, 4\] \(got 7\)/);
  assert.match(problems(() => resolveHardware({ weights: { weightBits: 1 } })), /weights\.weightBits: must be an integer in \[2, 16\]/);
  assert.match(problems(() => resolveHardware({ io: { adcBits: -1 } })), /io\.adcBits: must be an integer in \[0, 24\]/);
  assert.match(problems(() => resolveHardware({ io: { adcRange: 'granular', adcPerInputBit: false } })), /granular" needs io\.adcPerInputBit = true/);
  assert.match(problems(() => resolveHardware({ device: { readNoise: { model: 'proportional', absoluteUS: 0.1 } } })), /absoluteUS \(0\.1\) must be 0 with model "proportional"/);
  assert.match(problems(() => resolveHardware({ device: { readNoise: { model: 'gauss' as 'pair' } } })), /readNoise\.model: must be "pair", "device" or "proportional"/);
  assert.match(problems(() => resolveHardware({ crossbar: { rows: 12.5 } })), /crossbar\.rows: must be an integer/);
  assert.match(problems(() => resolveHardware({ device: { gMinUS: 50, gMaxUS: 10 } })), /device\.gMaxUS \(10\) must be greater than device\.gMinUS \(50\)/);
  assert.match(problems(() => resolveHardware({ device: { gMinUS: -1 } })), /device\.gMinUS: must be a positive finite number/);
  assert.match(problems(() => resolveHardware({ device: { readNoise: { relative: NaN } } })), /device\.readNoise\.relative/);
  assert.match(problems(() => resolveHardware({ cells: { sign: 'twos' as 'offset' } })), /cells\.sign: must be "differential" or "offset"/);
  assert.match(problems(() => resolveHardware({ crossbar: { cols: 4 } })), /crossbar\.cols \(4\) is too small: one weight needs 8 cells/);
  assert.match(problems(() => resolveHardware({ programming: { toleranceUS: 20 } })), /toleranceUS \(20\) must be below half the level spacing/);
  assert.match(problems(() => resolveHardware({ io: { dacBits: 9 } })), /io\.dacBits \(9\) must not exceed io\.inputBits/);
  assert.match(problems(() => resolveHardware({}, 'nope')), /unknown preset "nope"; choose one of: default/);
  // several problems are all listed at once
  const many = problems(() => resolveHardware({ cells: { cellBits: 0 }, io: { inputBits: 99 } }));
  assert.match(many, /cellBits/);
  assert.match(many, /inputBits/);
});

test('unknown fields are errors (typos never fall back to defaults)', () => {
  const msg = problems(() => validate({ ...defaultHardware, crossbar: { ...defaultHardware.crossbar, row: 3 } }));
  assert.match(msg, /crossbar\.row: unknown field\(s\); check the spelling \(known: rows, cols, numCrossbars\)/);
  assert.match(problems(() => configFromJson('{not json')), /not valid JSON/);
});

test('names of Object.prototype members are unknown presets and schemes, not broken configs', async () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assert.throws(() => resolveHardware({}, name), (e: Error) => e instanceof ConfigError && e.message.includes(`unknown preset "${name}"`), name);
    assert.throws(() => withScheme(resolveHardware(), name), /unknown programming scheme/, name);
    const r = await runCli(['config', '--preset', name]);
    assert.is(r.code, 2, name);
    assert.match(r.err, new RegExp(`unknown preset "${name}"; choose one of: default`));
    assert.not.match(r.err, /missing|expected object/);
  }
});

test('CLI: config warns (stderr) about a config whose pulses cannot land in the band; the presets give no warning', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  for (const preset of presetNames()) {
    const r = await runCli(['config', '--preset', preset]);
    assert.is(r.code, 0);
    assert.is(r.err, '', preset);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ha3m-config-'));
  const file = join(dir, 'narrow.json');
  writeFileSync(file, configToJson(deepMerge(resolveHardware({}, 'ideal'), {
    device: { response: { setStepUS: 5, resetStepUS: 5, ampExponent: 1 } }, programming: { toleranceUS: 0.5 },
  })));
  const r = await runCli(['config', '--file', file, '--json']);
  rmSync(dir, { recursive: true, force: true });
  assert.is(r.code, 0, 'a warning, not an error');
  assert.ok(JSON.parse(r.out).device, 'stdout stays clean JSON');
  assert.match(r.err, /^warning: programming.scheme ispp cannot land cells at levels 1, 2/);
});

test.run();

// The ideal preset programs every cell under every scheme, and a config whose smallest pulse is wider than its
// verify window is warned about (it would fail those cells after maxPulses).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/wasm/index.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { deepMerge, presetNames, resolveHardware, validate } from '../../src/hardware/index.js';
import { programPool } from '../../src/programming/program.js';
import { checkProgramming, landingProblem, schemeNames, withScheme } from '../../src/programming/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { runCli } from '../helpers/cli.js';

initSync();

const randomTargets = (n: number, L: number, seed: number) => {
  const r = new RefRng(seed, 5);
  return Uint8Array.from({ length: n }, () => r.nextU32() % L);
};

test('ideal preset: every scheme lands every cell, for 1- to 4-bit cells, from reset and from another level', () => {
  for (const scheme of schemeNames()) {
    for (const cellBits of [1, 2, 3, 4]) {
      for (const initialState of ['hrs', 'random'] as const) {
        const cfg = withScheme(resolveHardware({ cells: { cellBits }, crossbar: { rows: 32, cols: 32 }, programming: { initialState } }, 'ideal'), scheme);
        const pool = new CrossbarPool(cfg, { numCrossbars: 2, seed: 4 });
        const L = 2 ** cellBits;
        for (const seed of [1, 2]) {
          const targets = randomTargets(pool.numCells, L, seed);
          const { report } = programPool(pool, targets);
          const what = `${scheme}, ${cellBits} bits, ${initialState}, operation ${seed}`;
          assert.is(report.failures.count, 0, what);
          assert.is(report.distribution.inBandRate, 1, what);
          assert.equal(report.warnings, [], what);
          if (cellBits === 2 && initialState === 'hrs') {
            // 5.5 µS steps from gMin reach the 33 µS-spaced levels exactly
            const g = pool.conductances().view;
            for (let i = 0; i < targets.length; i++) assert.is(g[i], pool.levelConductance(targets[i]!), `${what}: cell ${i}`);
          }
        }
      }
    }
  }
});

test('no preset and scheme is warned about; a step wider than the band is, naming the levels and the fix', () => {
  for (const preset of presetNames()) {
    for (const scheme of schemeNames()) assert.is(landingProblem(withScheme(resolveHardware({}, preset), scheme)), null, `${preset} ${scheme}`);
  }
  // the ideal preset as it was: 5 µS pulses (× the amplitude factor) against a ±0.5 µS band
  const old = validate(deepMerge(resolveHardware({}, 'ideal'), {
    device: { response: { setStepUS: 5, resetStepUS: 5, ampExponent: 1 } }, programming: { toleranceUS: 0.5 },
  }));
  for (const scheme of schemeNames()) {
    const cfg = withScheme(old, scheme);
    const lp = landingProblem(cfg);
    assert.ok(lp, scheme);
    assert.equal(lp!.levels, [1, 2], scheme);
    assert.is(lp!.windowUS, 1);
    const w = checkProgramming(cfg).join('\n');
    assert.match(w, new RegExp(`programming.scheme ${scheme} cannot land cells at levels 1, 2`));
    assert.match(w, /widen programming.toleranceUS/);
  }
  // and it is right: ISPP on that device fails a third of its cells
  const cfg = withScheme(validate(deepMerge(old, { crossbar: { rows: 32, cols: 32 } })), 'ispp');
  const pool = new CrossbarPool(cfg, { numCrossbars: 2, seed: 1 });
  assert.ok(programPool(pool, randomTargets(pool.numCells, 4, 1)).report.failures.count > 0.2 * pool.numCells);
  // a noisy device with a narrow band is not warned about: its spread lets some pulses land
  assert.is(landingProblem(validate(deepMerge(resolveHardware(), { programming: { toleranceUS: 0.2, verifyMarginUS: 0 } }))), null);
});

test('CLI: program-stats --preset ideal programs every cell under every scheme, exit code 0', async () => {
  for (const scheme of schemeNames()) {
    const r = await runCli(['program-stats', '--preset', 'ideal', '--cells', '10000', '--scheme', scheme, '--json']);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.is(j.failures, 0, scheme);
    assert.is(j.ok, true, scheme);
    assert.equal(j.warnings, [], scheme);
    assert.is(j.measured, null, 'the measured RADAR statistics belong to the calibrated device only');
  }
});

test.run();

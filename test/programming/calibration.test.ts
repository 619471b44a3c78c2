import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena } from '../../src/wasm/index.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { calibrationTargets, measureSchemeStats, schemeNames, schemePresets, withScheme } from '../../src/programming/calibration.js';

initSync();

// DESIGN §6 (Le, Levy et al., IEEE TED 2021): mean, median and p90 of pulses per cell within ±20 %, programming
// 65536 cells from reset to uniformly random 2-bit levels (fixed seed).
for (const scheme of schemeNames()) {
  test(`${scheme} preset reproduces the measured pulse statistics within ±20 %`, () => {
    const cfg = withScheme(resolveHardware({}), scheme);
    assert.is(cfg.programming.scheme, scheme);
    const s = measureSchemeStats(cfg, 65536, 1);
    const t = calibrationTargets[scheme];
    const msg = `${scheme}: simulated mean ${s.mean.toFixed(2)} median ${s.median} p90 ${s.p90} vs measured ${t.mean} / ${t.median} / ${t.p90}`;
    assert.ok(Math.abs(s.mean / t.mean - 1) <= 0.2, msg);
    assert.ok(Math.abs(s.median / t.median - 1) <= 0.2, msg);
    assert.ok(Math.abs(s.p90 / t.p90 - 1) <= 0.2, msg);
    assert.ok(s.failureRate < 0.01, `${msg}, failure rate ${s.failureRate}`);
    // measured devices end ≈ 99.8 % in band; the verify margin and averaged reads bring the model there
    assert.ok(s.inBandRate > 0.995, `${msg}, in band ${s.inBandRate}`);
    arena.reset();
  });
}

test('schemes are ordered as measured: adaptive < FPPV < ISPP in mean pulses', () => {
  const m = Object.fromEntries(schemeNames().map((s) => [s, measureSchemeStats(withScheme(resolveHardware({}), s), 16384, 2).mean]));
  assert.ok(m.adaptive! < m.fppv! && m.fppv! < m.ispp!, JSON.stringify(m));
  arena.reset();
});

test('withScheme rejects unknown names and keeps the rest of the config', () => {
  assert.throws(() => withScheme(resolveHardware({}), 'radar'), /unknown programming scheme "radar".*ispp, fppv, adaptive/);
  const c = withScheme(resolveHardware({ crossbar: { rows: 64 } }), 'fppv');
  assert.is(c.crossbar.rows, 64);
  assert.is(c.programming.vFixed, schemePresets.fppv.programming.vFixed);
  assert.is(c.device.response.c2cSigma, schemePresets.fppv.response.c2cSigma);
  // the fitted response overrides belong to hfox-radar; another device keeps its own response
  const n = resolveHardware({}, 'neurram');
  const nf = withScheme(n, 'fppv');
  assert.equal(nf.device.response, n.device.response);
  // ... and its own verify settings (the fitted margin is in µS of hfox-radar's band)
  assert.is(nf.programming.verifyMarginUS, n.programming.verifyMarginUS);
  assert.is(withScheme(resolveHardware({}), 'fppv').programming.verifyMarginUS, schemePresets.fppv.verify.verifyMarginUS);
  assert.is(nf.programming.scheme, 'fppv');
});

test.run();

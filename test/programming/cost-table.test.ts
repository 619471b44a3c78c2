import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena } from '../../src/wasm/index.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { expectedCostTable, clearCostTableCache } from '../../src/programming/cost-table.js';
import { measureSchemeStats, withScheme } from '../../src/programming/calibration.js';

initSync();

test('expected-cost table: L × L, zero diagonal, farther moves cost more, cached and deterministic', () => {
  const cfg = withScheme(resolveHardware({}), 'ispp');
  const used = arena.used;
  const t = expectedCostTable(cfg, { samples: 1024 });
  assert.is(arena.used, used, 'temporary memory is released');
  assert.is(t.levels, 4);
  assert.is(t.mean.length, 16);
  assert.is(t.std.length, 16);
  for (let i = 0; i < 4; i++) { assert.is(t.mean[i * 4 + i], 0); assert.is(t.std[i * 4 + i], 0); }
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) { assert.ok(t.mean[i * 4 + j]! > 0); assert.ok(t.std[i * 4 + j]! > 0); }
  assert.ok(t.mean[0 * 4 + 3]! > t.mean[0 * 4 + 1]!, 'reset → level 3 costs more than reset → level 1');
  assert.ok(t.mean[3 * 4 + 0]! > 0 && t.mean[1 * 4 + 2]! > 0);
  assert.is(expectedCostTable(cfg, { samples: 1024 }), t, 'cached');
  clearCostTableCache();
  const again = expectedCostTable(cfg, { samples: 1024 });
  assert.is.not(again, t);
  assert.equal(Array.from(again.mean), Array.from(t.mean), 'same seed, same table');
  const other = expectedCostTable(withScheme(resolveHardware({}), 'adaptive'), { samples: 1024 });
  assert.not.equal(Array.from(other.mean), Array.from(t.mean));
  arena.reset();
});

test('row 0 of the table agrees with programming random levels from reset (fault-free)', () => {
  const cfg = withScheme(resolveHardware({ device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } }), 'fppv');
  const t = expectedCostTable(cfg, { samples: 4096 });
  const fromReset = (t.mean[0]! + t.mean[1]! + t.mean[2]! + t.mean[3]!) / 4;
  const s = measureSchemeStats(cfg, 32768, 3);
  assert.ok(Math.abs(fromReset / s.mean - 1) < 0.1, `table ${fromReset} vs simulated ${s.mean}`);
  arena.reset();
});

test('every level-to-level move of every calibrated scheme converges in ≥ 95 % of healthy cells', () => {
  for (const scheme of ['ispp', 'fppv', 'adaptive']) {
    const t = expectedCostTable(withScheme(resolveHardware({}), scheme), { samples: 1024 });
    for (let k = 0; k < 16; k++) assert.ok(t.failureRate[k]! < 0.05, `${scheme}: ${Math.floor(k / 4)} → ${k % 4} fails in ${(100 * t.failureRate[k]!).toFixed(1)} % of cells`);
  }
  arena.reset();
});

test('bad sample counts are rejected', () => {
  assert.throws(() => expectedCostTable(resolveHardware({}), { samples: 0 }), /samples must be an integer/);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena } from '../../src/wasm/index.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { CrossbarPool, FAULT_STUCK_HRS, FAULT_STUCK_LRS } from '../../src/hardware/pool.js';

initSync();

test('layout: cell index is (crossbar·rows + row)·cols + col; per-crossbar views alias the pool arrays', () => {
  arena.reset();
  const cfg = resolveHardware({ crossbar: { rows: 4, cols: 8 } });
  const p = new CrossbarPool(cfg, { numCrossbars: 3, seed: 1 });
  assert.is(p.numCells, 96);
  assert.is(p.cellIndex(2, 1, 3), (2 * 4 + 1) * 8 + 3);
  const all = p.conductances();
  const cb2 = p.conductances(2);
  assert.is(cb2.length, 32);
  assert.is(cb2.ptr, all.ptr + 2 * 32 * 4);
  cb2.view[1 * 8 + 3] = 42.5;
  assert.is(all.view[p.cellIndex(2, 1, 3)], 42.5);
  assert.is(p.levels(1).ptr, p.levels().ptr + 32);
  assert.is(p.wear(1).ptr, p.wear().ptr + 128);
  assert.is(p.faults(2).length, 32);
  assert.throws(() => p.conductances(3), /crossbar 3 is out of range: the pool has crossbars 0\.\.2/);
  // views survive memory growth
  arena.alloc('u8', 32 * 1024 * 1024);
  assert.is(all.view[p.cellIndex(2, 1, 3)], 42.5);
  arena.reset();
});

test('fresh HRS pool: cells at gMin, level 0, verified; stuck cells at gMin / gMax with rates near the device rates', () => {
  arena.reset();
  const cfg = resolveHardware({ device: { faults: { stuckHrsRate: 0.02, stuckLrsRate: 0.01 } } });
  const p = new CrossbarPool(cfg, { numCrossbars: 4, seed: 7 });
  const g = p.conductances().view, f = p.faults().view, lv = p.levels().view, st = p.status().view;
  let h = 0, l = 0;
  for (let i = 0; i < p.numCells; i++) {
    assert.is(lv[i], 0);
    if (f[i] === FAULT_STUCK_HRS) { h++; assert.is(g[i], Math.fround(cfg.device.gMinUS)); assert.is(st[i], 0); }
    else if (f[i] === FAULT_STUCK_LRS) { l++; assert.is(g[i], Math.fround(cfg.device.gMaxUS)); assert.is(st[i], 1); }
    else { assert.is(g[i], Math.fround(cfg.device.gMinUS)); assert.is(st[i], 0); }
  }
  const n = p.numCells;
  assert.ok(Math.abs(h / n - 0.02) < 0.003, `SA-HRS ${h / n}`);
  assert.ok(Math.abs(l / n - 0.01) < 0.002, `SA-LRS ${l / n}`);
  assert.equal(p.faultCounts(), { stuckHrs: h, stuckLrs: l });
  // the same seed gives the same fault map, another seed another one
  const q = new CrossbarPool(cfg, { numCrossbars: 4, seed: 7 });
  const r = new CrossbarPool(cfg, { numCrossbars: 4, seed: 8 });
  assert.equal(Array.from(q.faults().view), Array.from(f));
  assert.not.equal(Array.from(r.faults().view), Array.from(f));
  arena.reset();
});

test('fresh random pool: uniform levels, conductances around their level, unverified; wear 0', () => {
  arena.reset();
  const cfg = resolveHardware({ device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } }, programming: { initialState: 'random' } });
  const p = new CrossbarPool(cfg, { numCrossbars: 2, seed: 3 });
  const g = p.conductances().view, lv = p.levels().view, st = p.status().view, w = p.wear().view;
  const counts = [0, 0, 0, 0];
  let err2 = 0;
  for (let i = 0; i < p.numCells; i++) {
    counts[lv[i]!]!++;
    assert.is(st[i], 1);
    assert.is(w[i], 0);
    assert.ok(g[i]! >= cfg.device.gMinUS && g[i]! <= cfg.device.gMaxUS);
    if (lv[i] === 1 || lv[i] === 2) err2 += (g[i]! - p.levelConductance(lv[i]!)) ** 2;
  }
  for (const c of counts) assert.ok(Math.abs(c / p.numCells - 0.25) < 0.01);
  const sigma = Math.sqrt(err2 / (counts[1]! + counts[2]!));
  assert.ok(Math.abs(sigma - cfg.device.programmingError.sigmaUS) < 0.1 * cfg.device.programmingError.sigmaUS, `σ ${sigma}`);
  // initialize() resets the state
  p.initialize('hrs');
  assert.is(p.levels().view.reduce((a, b) => a + b, 0), 0);
  assert.is(p.opCounter, 0);
  arena.reset();
});

test('pool sizes are checked', () => {
  const cfg = resolveHardware({});
  assert.throws(() => new CrossbarPool(cfg, { numCrossbars: 0 }), /numCrossbars/);
  assert.throws(() => new CrossbarPool(cfg, { numCrossbars: 400_000 }), /GiB of wasm memory/);
  assert.throws(() => new CrossbarPool(cfg, { numCrossbars: 1, seed: 0.5 }), /seed/);
});

test.run();

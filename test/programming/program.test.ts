import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena, wasm } from '../../src/wasm/index.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { programPool, NO_TARGET } from '../../src/programming/program.js';
import { RefRng } from '../../src/reference/rng.js';
import { PROGRAM_SCRATCH_BYTES, SUMMARY_FIELDS, programFlagsBytes } from '../../src/programming/tables.js';
import { withScheme } from '../../src/programming/calibration.js';

initSync();

function cfgWith(over: DeepPartial<HardwareConfig> = {}): HardwareConfig {
  return resolveHardware({ crossbar: { rows: 16, cols: 32 }, ...over });
}

function randomTargets(n: number, seed: number, L = 4, skipEvery = 0): Uint8Array {
  const r = new RefRng(seed, 1);
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i++) t[i] = skipEvery && i % skipEvery === 0 ? NO_TARGET : Math.floor((r.nextU32() * L) / 2 ** 32);
  return t;
}

function snapshot(p: CrossbarPool) {
  return { g: p.conductances().copy(), lv: p.levels().copy(), st: p.status().copy(), wr: p.wear().copy() };
}

test('wasm and reference give identical counts, conductances and pool state (all schemes, multi-read, random start)', () => {
  const cases: Array<DeepPartial<HardwareConfig>> = [
    { programming: { scheme: 'ispp' } },
    { programming: { scheme: 'fppv' } },
    { programming: { scheme: 'adaptive' } },
    { programming: { scheme: 'ispp', readsPerVerify: 3, initialState: 'random' } },
    { programming: { scheme: 'adaptive', readsPerVerify: 2, initialState: 'random' }, device: { faults: { stuckHrsRate: 0.05, stuckLrsRate: 0.05 } } },
  ];
  for (const over of cases) {
    arena.reset();
    const cfg = cfgWith(over);
    const a = new CrossbarPool(cfg, { numCrossbars: 3, seed: 42 });
    const b = new CrossbarPool(cfg, { numCrossbars: 3, seed: 42 });
    const label = JSON.stringify(over);
    for (let op = 0; op < 2; op++) {
      const t = randomTargets(a.numCells, 7 + op, 4, 5);
      const ra = programPool(a, t, { chunkCells: 512 });
      const rb = programPool(b, t, { backend: 'reference' });
      assert.ok(ra.report.totals.cycles > 0, label);
      assert.equal(Array.from(ra.perCell!.setPulses), Array.from(rb.perCell!.setPulses), `set ${label}`);
      assert.equal(Array.from(ra.perCell!.resetPulses), Array.from(rb.perCell!.resetPulses), `reset ${label}`);
      assert.equal(Array.from(ra.perCell!.verifyReads), Array.from(rb.perCell!.verifyReads), `reads ${label}`);
      assert.equal(Array.from(ra.perCell!.energyJ), Array.from(rb.perCell!.energyJ), `energy ${label}`);
      const sa = snapshot(a), sb = snapshot(b);
      assert.equal(Array.from(sa.g), Array.from(sb.g), `conductances ${label}`);
      assert.equal(Array.from(sa.lv), Array.from(sb.lv));
      assert.equal(Array.from(sa.st), Array.from(sb.st));
      assert.equal(Array.from(sa.wr), Array.from(sb.wr));
      assert.is(ra.report.latencyRowS, rb.report.latencyRowS, `row latency ${label}`);
      assert.is(ra.report.totals.energyJ, rb.report.totals.energyJ);
    }
  }
  arena.reset();
});

test('wasm == reference when long cells hold lanes over many short rows (row slots in flight), with a verify margin', () => {
  for (const over of [
    { crossbar: { rows: 64, cols: 8 }, device: { faults: { stuckHrsRate: 0.08, stuckLrsRate: 0.02 } }, programming: { maxPulses: 120 } },
    { crossbar: { rows: 16, cols: 32 }, programming: { scheme: 'adaptive', verifyMarginUS: 1, readsPerVerify: 4 } },
    { crossbar: { rows: 16, cols: 32 }, programming: { scheme: 'fppv', verifyMarginUS: 0.5 } },
  ] as Array<DeepPartial<HardwareConfig>>) {
    arena.reset();
    const cfg = resolveHardware(over);
    const a = new CrossbarPool(cfg, { numCrossbars: 2, seed: 3 });
    const b = new CrossbarPool(cfg, { numCrossbars: 2, seed: 3 });
    const t = randomTargets(a.numCells, 12, 4, 7);
    const ra = programPool(a, t), rb = programPool(b, t, { backend: 'reference' });
    const label = JSON.stringify(over);
    assert.ok(ra.report.totals.cycles > 0, label);
    assert.equal(Array.from(ra.perCell!.setPulses), Array.from(rb.perCell!.setPulses), label);
    assert.equal(Array.from(ra.perCell!.resetPulses), Array.from(rb.perCell!.resetPulses), label);
    assert.equal(Array.from(ra.perCell!.energyJ), Array.from(rb.perCell!.energyJ), label);
    assert.equal(Array.from(a.conductances().view), Array.from(b.conductances().view), label);
    assert.equal(Array.from(a.status().view), Array.from(b.status().view), label);
    assert.equal(Array.from(ra.report.perCrossbar.latencyRowS), Array.from(rb.report.perCrossbar.latencyRowS), label);
  }
  arena.reset();
});

test('wasm == reference with the calibrated scheme presets (the bench configs: saturation window, 4 reads, margin)', () => {
  for (const scheme of ['ispp', 'fppv', 'adaptive']) {
    arena.reset();
    const cfg = withScheme(resolveHardware({ crossbar: { rows: 32, cols: 64 } }), scheme);
    const a = new CrossbarPool(cfg, { numCrossbars: 2, seed: 5 });
    const b = new CrossbarPool(cfg, { numCrossbars: 2, seed: 5 });
    for (let op = 0; op < 2; op++) {
      const t = randomTargets(a.numCells, 30 + op, 4, 9);
      const ra = programPool(a, t), rb = programPool(b, t, { backend: 'reference' });
      assert.ok(ra.report.totals.cycles > 0, scheme);
      assert.equal(Array.from(ra.perCell!.setPulses), Array.from(rb.perCell!.setPulses), scheme);
      assert.equal(Array.from(ra.perCell!.resetPulses), Array.from(rb.perCell!.resetPulses), scheme);
      assert.equal(Array.from(ra.perCell!.energyJ), Array.from(rb.perCell!.energyJ), scheme);
      assert.equal(Array.from(a.conductances().view), Array.from(b.conductances().view), scheme);
      assert.equal(Array.from(a.status().view), Array.from(b.status().view), scheme);
      assert.equal(Array.from(ra.report.perCrossbar.latencyRowS), Array.from(rb.report.perCrossbar.latencyRowS), scheme);
      assert.equal(ra.report.wear, rb.report.wear, scheme);
    }
  }
  arena.reset();
});

test('kernel scratch sizes agree between the wasm module and the host', () => {
  const w = wasm() as unknown as Record<string, { value: number } | ((n: number) => number)>;
  assert.is((w.PROGRAM_SCRATCH_BYTES as { value: number }).value, PROGRAM_SCRATCH_BYTES);
  for (const m of [1, 200, 12345]) assert.is((w.programFlagsBytes as (n: number) => number)(m), programFlagsBytes(m));
  assert.is((w.PROGRAM_SUMMARY_FIELDS as { value: number }).value, SUMMARY_FIELDS);
});

test('a verify margin accepts reads only inside toleranceUS − verifyMarginUS and raises the true in-band rate', () => {
  arena.reset();
  const cfg = cfgWith({ device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } });
  const run = (margin: number) => {
    const p = new CrossbarPool(cfg, { numCrossbars: 4, seed: 21 });
    const t = randomTargets(p.numCells, 22);
    return programPool(p, t, { programming: { verifyMarginUS: margin } }).report;
  };
  const r0 = run(0), r1 = run(1.5);
  assert.ok(r1.distribution.inBandRate > r0.distribution.inBandRate, `${r1.distribution.inBandRate} vs ${r0.distribution.inBandRate}`);
  assert.ok(r1.totals.cycles > r0.totals.cycles);
  const p = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  const t = new Uint8Array(p.numCells);
  assert.throws(() => programPool(p, t, { programming: { verifyMarginUS: 3 } }), /verifyMarginUS \(3\) must be below programming.toleranceUS \(3\)/);
  assert.throws(() => resolveHardware({ programming: { verifyMarginUS: -1 } }), /verifyMarginUS/);
  arena.reset();
});

test('same seed repeats; chunking does not change results; another seed differs', () => {
  arena.reset();
  const cfg = cfgWith();
  const run = (seed: number, chunk: number) => {
    const p = new CrossbarPool(cfg, { numCrossbars: 4, seed });
    const r = programPool(p, randomTargets(p.numCells, 3), { chunkCells: chunk });
    return { c: r.report.totals.cycles, g: Array.from(p.conductances().view) };
  };
  const a = run(1, 512), b = run(1, 1 << 20), c = run(2, 512);
  assert.is(a.c, b.c);
  assert.equal(a.g, b.g);
  assert.is.not(a.c, c.c);
  arena.reset();
});

test('a cell already in band takes 0 pulses (one verify read only)', () => {
  arena.reset();
  const cfg = cfgWith({
    device: { readNoise: { relative: 0, absoluteUS: 0 }, faults: { stuckHrsRate: 0, stuckLrsRate: 0 } },
    programming: { readsPerVerify: 1, verifyMarginUS: 0 }, // the plain ±3 µS band, one read per verify
  });
  const p = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  const g = p.conductances().view;
  g[5] = p.levelConductance(2) + 1.5; // inside ±3 µS, but the pool believes level 0
  g[6] = p.levelConductance(2) + 3.5; // outside
  const t = new Uint8Array(p.numCells).fill(NO_TARGET);
  t[5] = 2; t[6] = 2;
  const { report, perCell } = programPool(p, t);
  assert.is(perCell!.setPulses[5]! + perCell!.resetPulses[5]!, 0);
  assert.is(perCell!.verifyReads[5], 1);
  assert.ok(perCell!.resetPulses[6]! >= 1);
  assert.is(report.totals.cellsChecked, 2);
  assert.is(report.totals.cellsTouched, 1);
  assert.is(report.distribution.histogram[0], 1);
  assert.is(g[5], Math.fround(p.levelConductance(2) + 1.5), 'an in-band cell is not moved');
  arena.reset();
});

test('reprogramming a pool to its current targets costs 0 cycles; changed cells only are touched', () => {
  arena.reset();
  const cfg = cfgWith({ device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } });
  const p = new CrossbarPool(cfg, { numCrossbars: 2, seed: 9 });
  const t = randomTargets(p.numCells, 11);
  const first = programPool(p, t).report;
  assert.ok(first.totals.cycles > 0);
  const again = programPool(p, t).report;
  assert.is(again.totals.cycles, 0);
  assert.is(again.totals.verifyReads, 0);
  assert.is(again.totals.energyJ, 0);
  assert.is(again.latencyS, 0);
  // change 10 cells: at most those are checked
  const t2 = t.slice();
  for (let i = 0; i < 10; i++) t2[i * 37] = (t2[i * 37]! + 1) % 4;
  const diff = programPool(p, t2).report;
  assert.is(diff.totals.cellsChecked, 10);
  assert.ok(diff.totals.cycles > 0);
  // verifyAll re-reads every targeted cell
  const all = programPool(p, t2, { verifyAll: true }).report;
  assert.is(all.totals.cellsChecked, p.numCells);
  arena.reset();
});

test('stuck cells never move and are failures unless their stuck value is in band', () => {
  arena.reset();
  const cfg = cfgWith({
    device: { faults: { stuckHrsRate: 0.1, stuckLrsRate: 0.1 }, readNoise: { relative: 0, absoluteUS: 0.1 } },
    programming: { maxPulses: 50 },
  });
  const p = new CrossbarPool(cfg, { numCrossbars: 2, seed: 5 });
  const f = p.faults().copy();
  const g0 = p.conductances().copy();
  const t = randomTargets(p.numCells, 4);
  const { report, perCell } = programPool(p, t);
  const g = p.conductances().view;
  const failed = new Set(report.failures.cells);
  let stuck = 0;
  for (let i = 0; i < p.numCells; i++) {
    if (f[i] === 0) continue;
    stuck++;
    assert.is(g[i], g0[i], 'stuck cell moved');
    const inBand = (f[i] === 1 && t[i] === 0) || (f[i] === 2 && t[i] === 3);
    if (inBand) {
      assert.not.ok(failed.has(i), `stuck cell ${i} in band reported as failure`);
      assert.is(perCell!.setPulses[i]! + perCell!.resetPulses[i]!, 0);
    } else {
      assert.ok(failed.has(i), `stuck cell ${i} (fault ${f[i]}, target ${t[i]}) not reported`);
      assert.is(perCell!.setPulses[i]! + perCell!.resetPulses[i]!, 50);
    }
  }
  assert.ok(stuck > 50);
  assert.not.ok(report.ok);
  assert.is(report.failures.count, report.totals.failures);
  assert.ok(report.warnings.some((w) => /failed/.test(w)));
  arena.reset();
});

test('row-parallel latency ≤ cell-serial latency, equal for a one-column crossbar', () => {
  arena.reset();
  for (const cols of [32, 1]) {
    const cfg = resolveHardware({ crossbar: { rows: 16, cols: Math.max(cols, 8) } });
    const cfg1 = cols === 1 ? { ...cfg, crossbar: { ...cfg.crossbar, cols: 1 } } : cfg; // bypass the weight-fit rule
    const p = new CrossbarPool(cfg1, { numCrossbars: 3, seed: 2 });
    const r = programPool(p, randomTargets(p.numCells, 8)).report;
    assert.ok(r.latencyRowS > 0);
    if (cols === 1) assert.ok(Math.abs(r.latencyRowS - r.latencyCellS) <= 1e-12 * r.latencyCellS, `${r.latencyRowS} vs ${r.latencyCellS}`);
    else assert.ok(r.latencyRowS < r.latencyCellS);
    for (let c = 0; c < 3; c++) assert.ok(r.perCrossbar.latencyRowS[c]! <= r.perCrossbar.latencyCellS[c]! * (1 + 1e-12));
  }
  arena.reset();
});

test('energy, latency and counts add up from the per-cell counts; crossbarsInParallel schedules crossbars', () => {
  arena.reset();
  const cfg = cfgWith({ programming: { peripheralPulseJ: 1e-12, peripheralReadJ: 2e-13, readsPerVerify: 2 } });
  const p = new CrossbarPool(cfg, { numCrossbars: 4, seed: 3 });
  const t = randomTargets(p.numCells, 5, 4, 3);
  const regionIds = new Int32Array(p.numCells);
  for (let i = 0; i < p.numCells; i++) regionIds[i] = i % 4;
  const { report, perCell } = programPool(p, t, { regions: regionIds });
  const pc = perCell!;
  let set = 0, reset = 0, reads = 0, energy = 0, lat = 0;
  for (let i = 0; i < p.numCells; i++) {
    set += pc.setPulses[i]!; reset += pc.resetPulses[i]!; reads += pc.verifyReads[i]!; energy += pc.energyJ[i]!;
    lat += (pc.setPulses[i]! + pc.resetPulses[i]!) * cfg.programming.tPulseS + pc.verifyReads[i]! * cfg.programming.tReadS;
    // reads per checked cell = (pulses + 1) × readsPerVerify
    if (pc.verifyReads[i]) assert.is(pc.verifyReads[i], (pc.setPulses[i]! + pc.resetPulses[i]! + 1) * 2);
    // energy of a cell is at least its peripheral energy
    const floor = (pc.setPulses[i]! + pc.resetPulses[i]!) * 1e-12 + pc.verifyReads[i]! * 2e-13;
    assert.ok(pc.energyJ[i]! >= floor * (1 - 1e-6));
  }
  const tot = report.totals;
  assert.is(tot.setPulses, set);
  assert.is(tot.resetPulses, reset);
  assert.is(tot.cycles, set + reset);
  assert.is(tot.verifyReads, reads);
  assert.ok(Math.abs(tot.energyJ - energy) <= 1e-9 * energy);
  assert.ok(Math.abs(report.latencyCellS - lat) <= 1e-9 * lat);
  let rs = 0, rc = 0, re = 0;
  for (const v of report.perRegion.values()) { rs += v.setPulses + v.resetPulses; rc += v.cellsTargeted; re += v.energyJ; }
  assert.is(report.perRegion.size, 4);
  assert.is(rs, tot.cycles);
  assert.is(rc, tot.cellsTargeted);
  assert.ok(Math.abs(re - tot.energyJ) <= 1e-9 * energy);
  let cbSum = 0; for (const v of report.perCrossbar.cycles) cbSum += v;
  assert.is(cbSum, tot.cycles);
  // distribution: histogram sums to the targeted cells and its mean is cycles / targeted
  const h = report.distribution.histogram;
  assert.is(h.reduce((x, y) => x + y, 0), tot.cellsTargeted);
  assert.ok(Math.abs(report.distribution.mean - tot.cycles / tot.cellsTargeted) < 1e-12);
  assert.ok(report.distribution.median <= report.distribution.p90 && report.distribution.p90 <= report.distribution.p99);
  // two crossbars at once: makespan between max and sum of the per-crossbar latencies
  p.initialize('hrs');
  const two = programPool(p, t, { programming: { crossbarsInParallel: 2 } }).report;
  const per = Array.from(two.perCrossbar.latencyCellS);
  const sum = per.reduce((x, y) => x + y, 0);
  assert.ok(two.latencyCellS < sum && two.latencyCellS >= Math.max(...per));
  // ranges as regions
  p.initialize('hrs');
  const cpc = p.cellsPerCrossbar;
  const byRange = programPool(p, t, { regions: [{ id: 0, start: 0, end: cpc }, { id: 1, start: cpc, end: 4 * cpc }] }).report;
  assert.is(byRange.perRegion.get(0)!.cycles + byRange.perRegion.get(1)!.cycles, byRange.totals.cycles);
  assert.is(byRange.perRegion.get(0)!.cycles, byRange.perCrossbar.cycles[0]);
  arena.reset();
});

test('wear accumulates and lifetime in switches is reported', () => {
  arena.reset();
  const cfg = cfgWith({ device: { enduranceCycles: 1000, faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } });
  const p = new CrossbarPool(cfg, { numCrossbars: 1, seed: 3 });
  const t = randomTargets(p.numCells, 1);
  const { report, perCell } = programPool(p, t);
  const w = p.wear().view;
  for (let i = 0; i < p.numCells; i++) assert.is(w[i], perCell!.setPulses[i]! + perCell!.resetPulses[i]!);
  assert.is(report.wear.maxWear, Math.max(...w));
  assert.is(report.wear.remainingCycles, 1000 - report.wear.maxWear);
  assert.ok(report.wear.switchesLeft > 0 && Number.isFinite(report.wear.switchesLeft));
  assert.ok(report.wear.switchesLeft <= (1000 - report.wear.maxWear) / 1 + 1);
  arena.reset();
});

test('bad input gives clear errors; a tolerance below the read-noise floor warns', () => {
  arena.reset();
  const cfg = cfgWith();
  const p = new CrossbarPool(cfg, { numCrossbars: 1, seed: 1 });
  const t = new Uint8Array(p.numCells);
  assert.throws(() => programPool(p, new Uint8Array(10)), /targets has 10 entries but the pool has 512 cells/);
  t[3] = 4;
  assert.throws(() => programPool(p, t), /targets\[3\] = 4 is not a level.*\[0, 3\]/);
  t[3] = 0;
  assert.throws(() => programPool(p, t, { programming: { toleranceUS: 20 } }), /toleranceUS.*half the level spacing/);
  assert.throws(() => programPool(p, t, { programming: { maxPulses: 0 } }), /maxPulses/);
  assert.throws(() => programPool(p, t, { regions: new Int32Array(3) }), /regions has 3 entries/);
  assert.throws(() => programPool(p, t, { regions: [{ id: 1, start: 0, end: 10_000 }] }), /region 1/);
  assert.throws(() => new CrossbarPool(cfg), /numCrossbars must be a positive integer/);
  // targets are checked four at a time (aligned words): a bad level is found next to NO_TARGET bytes, in the tail,
  // and in a view that does not start on a word boundary; NO_TARGET and every level pass
  for (const [at, v] of [[4 * 37 + 2, 5], [p.numCells - 1, 200], [p.numCells - 5, 254]] as const) {
    const u = new Uint8Array(p.numCells).fill(NO_TARGET, 4 * 37, 4 * 37 + 4);
    u[at] = v;
    assert.throws(() => programPool(p, u), new RegExp(`targets\\[${at}\\] = ${v} is not a level`));
    const big = new Uint8Array(p.numCells + 1);
    big.set(u, 1);
    assert.throws(() => programPool(p, big.subarray(1)), new RegExp(`targets\\[${at}\\] = ${v} is not a level`));
  }
  const ok = Uint8Array.from({ length: p.numCells }, (_, i) => (i % 5 === 4 ? NO_TARGET : i % 4));
  assert.ok(programPool(p, ok).report.totals.cellsTargeted > 0);
  const warnings: string[] = [];
  const r = programPool(p, t, { programming: { toleranceUS: 0.5, verifyMarginUS: 0 }, onWarning: (w) => warnings.push(w) }).report;
  assert.ok(warnings.some((w) => /read-noise floor/.test(w)));
  assert.ok(r.warnings.some((w) => /read-noise floor/.test(w)));
  arena.reset();
});

test.run();

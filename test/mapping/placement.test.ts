import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/index.js';
import {
  baselinePlacement, checkPlacement, makePlacement, mappingGeometry, tileLayer, PlacementError,
  type LayerMatrix, type MappingGeometry, type Placement,
} from '../../src/mapping/placement.js';
import { xammPlacement } from '../../src/mapping/xamm.js';
import { mapModel } from '../../src/mapping/map.js';

const defaults = mappingGeometry(resolveHardware());
const LENET: LayerMatrix[] = [
  { name: 'conv1', rows: 25, cols: 6 }, { name: 'conv2', rows: 150, cols: 16 }, { name: 'fc1', rows: 400, cols: 120 },
  { name: 'fc2', rows: 120, cols: 84 }, { name: 'fc3', rows: 84, cols: 10 },
];
const MLP: LayerMatrix[] = [{ name: 'fc1', rows: 784, cols: 256 }, { name: 'fc2', rows: 256, cols: 128 }, { name: 'fc3', rows: 128, cols: 10 }];

const geom = (tileRows: number, tileCols: number, cpw = 2): MappingGeometry =>
  ({ tileRows, tileCols, crossbarRows: tileRows, crossbarCols: tileCols * cpw, cellsPerWeight: cpw });

test('default geometry is 128 × 16 logical weights (8 cells per weight); tiles cover the matrix row-block-major', () => {
  assert.equal([defaults.tileRows, defaults.tileCols, defaults.cellsPerWeight], [128, 16, 8]);
  const t = tileLayer(2, { name: 'fc', rows: 300, cols: 40 }, defaults);
  assert.is(t.length, 3 * 3);
  assert.equal(t[0], { layer: 2, srcRow: 0, rows: 128, srcCol: 0, cols: 16 });
  assert.equal(t[2], { layer: 2, srcRow: 0, rows: 128, srcCol: 32, cols: 8 });
  assert.equal(t[8], { layer: 2, srcRow: 256, rows: 44, srcCol: 32, cols: 8 });
  assert.throws(() => tileLayer(0, { name: 'bad', rows: 0, cols: 3 }, defaults), /layer 0 \(bad\) has a 0 × 3 matrix/);
});

test('baseline: one tile per crossbar in layer order, utilization = used cells / cells of crossbars used', () => {
  const p = baselinePlacement([{ name: 'a', rows: 128, cols: 16 }, { name: 'b', rows: 10, cols: 3 }], defaults);
  checkPlacement(p);
  assert.is(p.crossbars, 2);
  assert.equal(p.blocks.map((b) => [b.layer, b.crossbar, b.rowOffset, b.colOffset]), [[0, 0, 0, 0], [1, 1, 0, 0]]);
  assert.is(p.usedCells, 128 * 128 + 10 * 3 * 8);
  assert.ok(Math.abs(p.utilization - (128 * 128 + 240) / (2 * 128 * 128)) < 1e-12);
  assert.equal(p.sharing, { crossbarActivations: 2, extraMvmSteps: 0, maxLayersPerCrossbar: 1, sharedCrossbars: 0 });
  assert.equal(p.perLayer.map((s) => [s.blocks, s.crossbars, s.cells]), [[1, 1, 2048 * 8], [1, 1, 240]]);
});

test('property: baseline and XAMM map every weight exactly once, never overlap, XAMM ≤ baseline (random shapes)', () => {
  const rng = new RefRng(4, 2);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  let strictly = 0;
  for (let trial = 0; trial < 300; trial++) {
    const g = geom(int(2, 40), int(1, 12), int(1, 8));
    const layers: LayerMatrix[] = Array.from({ length: int(1, 7) }, (_, i) => ({
      name: `l${i}`, rows: int(1, 3 * g.tileRows + 2), cols: int(1, 3 * g.tileCols + 2),
    }));
    const area = layers.reduce((s, m) => s + m.rows * m.cols, 0);
    const base = baselinePlacement(layers, g);
    const x = xammPlacement(layers, g);
    for (const p of [base, x]) {
      checkPlacement(p);
      assert.is(p.blocks.reduce((s, b) => s + b.rows * b.cols, 0), area);
      assert.is(p.usedCells, area * g.cellsPerWeight);
      assert.ok(p.utilization > 0 && p.utilization <= 1);
    }
    assert.ok(x.crossbars <= base.crossbars, `trial ${trial}: XAMM ${x.crossbars} > baseline ${base.crossbars}`);
    assert.ok(x.crossbars >= x.lowerBound, `trial ${trial}: below the lower bound`);
    assert.is(x.baselineCrossbars, base.crossbars);
    assert.is(x.fellBack, x.crossbars === base.crossbars);
    assert.is(x.sharing.extraMvmSteps, x.sharing.crossbarActivations - x.crossbars);
    assert.ok(x.sharing.crossbarActivations <= base.blocks.length);
    if (x.crossbars < base.crossbars) strictly++;
  }
  assert.ok(strictly > 50, `XAMM saved crossbars in only ${strictly} of 300 random models`);
});

test('XAMM uses strictly fewer crossbars on a model with small layers, in disjoint row and column ranges', () => {
  const layers: LayerMatrix[] = [{ name: 'a', rows: 10, cols: 3 }, { name: 'b', rows: 20, cols: 4 }, { name: 'c', rows: 30, cols: 5 }];
  const x = mapModel(layers, resolveHardware(), { xamm: true }) as ReturnType<typeof xammPlacement>;
  assert.is(x.crossbars, 1);
  assert.is(x.baselineCrossbars, 3);
  assert.equal(x.blocks.map((b) => [b.rowOffset, b.colOffset]), [[0, 0], [10, 3], [30, 7]]);
  assert.equal(x.sharing, { crossbarActivations: 3, extraMvmSteps: 2, maxLayersPerCrossbar: 3, sharedCrossbars: 1 });
  assert.ok(Math.abs(x.utilization - (30 + 80 + 150) * 8 / (128 * 128)) < 1e-12);
});

test('the exact search beats first-fit decreasing where FFD is not optimal', () => {
  const shapes = [[3, 1], [6, 4], [2, 5], [4, 2], [9, 8], [5, 4], [9, 3]];
  const layers: LayerMatrix[] = shapes.map(([rows, cols], i) => ({ name: `l${i}`, rows, cols }));
  const g = geom(10, 10, 1);
  const ffd = xammPlacement(layers, g, { exact: false }), exact = xammPlacement(layers, g);
  checkPlacement(ffd); checkPlacement(exact);
  assert.is(ffd.crossbars, 5);
  assert.is(exact.crossbars, 4);
  assert.is(exact.lowerBound, 4); // Σ rows = 38 > 3 · 10: optimal
});

test('blocks of one layer sharing a crossbar cost no extra MVM step; blocks of two layers cost one', () => {
  // Standard tiling leaves at most one shareable tile per layer (its corner), so same-layer sharing comes from
  // sub-tile blocks (BLM); the metric must still count it as free.
  const g = geom(8, 4);
  const layers: LayerMatrix[] = [{ name: 'a', rows: 4, cols: 4 }, { name: 'b', rows: 2, cols: 1 }];
  const p = makePlacement('hand', g, layers, [
    { layer: 0, srcRow: 0, rows: 4, srcCol: 0, cols: 2, crossbar: 0, rowOffset: 0, colOffset: 0, negated: false },
    { layer: 0, srcRow: 0, rows: 4, srcCol: 2, cols: 2, crossbar: 0, rowOffset: 4, colOffset: 2, negated: true },
    { layer: 1, srcRow: 0, rows: 2, srcCol: 0, cols: 1, crossbar: 1, rowOffset: 0, colOffset: 0, negated: false },
  ]);
  checkPlacement(p);
  assert.equal(p.sharing, { crossbarActivations: 2, extraMvmSteps: 0, maxLayersPerCrossbar: 1, sharedCrossbars: 0 });
  p.blocks[2].crossbar = 0; p.blocks[2].rowOffset = 0; p.blocks[2].colOffset = 1;
  const q = makePlacement('hand', g, layers, p.blocks);
  assert.throws(() => checkPlacement(q), /overlaps block 0/);
  p.blocks[2].colOffset = 3; p.blocks[2].rowOffset = 0;
  const r = makePlacement('hand', g, layers, p.blocks); // cell-disjoint (rows shared with block 0 but not columns)
  checkPlacement(r);
  assert.equal(r.sharing, { crossbarActivations: 2, extraMvmSteps: 1, maxLayersPerCrossbar: 2, sharedCrossbars: 1 });
});

test('figures for the note: LeNet-5 and MLP 784-256-128-10 at the default 128 × 128 crossbar', () => {
  const lb = mapModel(LENET, resolveHardware()), lx = xammPlacement(LENET, defaults);
  const mb = mapModel(MLP, resolveHardware()), mx = xammPlacement(MLP, defaults);
  checkPlacement(lx); checkPlacement(mx);
  // LeNet: 1 + 2 + 4·8 + 6 + 1 tiles; only conv1 (25×6), fc1's corner (16×8), fc2's edge (120×4) and fc3 (84×10)
  // can share, and only two of them fit together (84+25 rows, 10+6 cols).
  assert.is(lb.crossbars, 42);
  // 41 is optimal: 120×4 shares with none of them, and the other three need 24 > 16 columns together.
  assert.is(lx.crossbars, 41);
  assert.is(lx.lowerBound, 40);
  assert.is(lx.sharing.extraMvmSteps, 1);
  // MLP: every tile but fc3's (128 × 10, all rows) spans 16 columns: nothing can share.
  assert.is(mb.crossbars, 129);
  assert.is(mx.crossbars, 129);
  assert.ok(mx.fellBack);
});

test('a model that does not fit a fixed pool is an error naming both counts', () => {
  const cfg = resolveHardware({ crossbar: { numCrossbars: 41 } });
  assert.throws(() => mapModel(LENET, cfg), /the model needs 42 crossbars \(baseline mapping\) but the pool has 41; map with XAMM/);
  assert.is(mapModel(LENET, cfg, { xamm: true }).crossbars, 41);
  assert.throws(() => mapModel(LENET, resolveHardware({ crossbar: { numCrossbars: 40 } }), { xamm: true }), /needs 41 crossbars \(xamm mapping\) but the pool has 40; use larger/);
});

function clone(p: Placement): Placement {
  return JSON.parse(JSON.stringify(p)) as Placement;
}

test('checkPlacement rejects missing, doubled, overlapping, out-of-bounds and inconsistent placements', () => {
  const g = geom(8, 4);
  const layers: LayerMatrix[] = [{ name: 'a', rows: 10, cols: 6 }, { name: 'b', rows: 3, cols: 2 }];
  const ok = baselinePlacement(layers, g);
  checkPlacement(ok);
  const mk = (f: (p: Placement) => void): Placement => { const p = clone(ok); f(p); return makePlacement(p.scheme, p.geometry, p.layers, p.blocks); };
  const cases: Array<[string, Placement, RegExp]> = [
    ['missing', mk((p) => p.blocks.pop()), /weight \(0, 0\) of layer 1 \(b\) is not mapped/],
    ['doubled', mk((p) => p.blocks.push({ ...p.blocks[0], crossbar: 99 })), /weight \(0, 0\) of layer 0 \(a\) is mapped twice/],
    ['overlap', mk((p) => { p.blocks[4].crossbar = 3; }), /overlaps block 3 in crossbar 3 at logical cell \(0, 0\)/],
    ['rows out', mk((p) => { p.blocks[4].rowOffset = 6; }), /reaches outside the crossbar \(8 rows × 4 logical columns\)/],
    ['layer out', mk((p) => { p.blocks[4].srcCol = 1; }), /reaches outside layer 1 \(b, 3 × 2\)/],
    ['no layer', mk((p) => { p.blocks[4].layer = 5; }), /layer 5 does not exist/],
    ['fraction', mk((p) => { p.blocks[0].colOffset = 0.5; }), /colOffset must be a non-negative integer/],
  ];
  for (const [what, p, re] of cases) assert.throws(() => checkPlacement(p), (e: Error) => e instanceof PlacementError && re.test(e.message), what);
  const lie = clone(ok); lie.crossbars = 3;
  assert.throws(() => checkPlacement(lie), /says 3 crossbars but its blocks use 5/);
});

test.run();

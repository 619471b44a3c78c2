import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  expandGrid, gridSize, parseGridFile, parseShard, pointId, pointScenario, shardPoints, sweepId, GridError,
} from '../../src/sweep/grid.js';

const base = { models: [{ name: 'A', path: 'a', task: 'mnist' }, { name: 'B', path: 'b', task: 'fashion' }] };

test('grid mode: the cartesian product, last parameter fastest; tuple keys set their fields together', () => {
  const g = parseGridFile({
    scenario: base,
    parameters: {
      'hardware.crossbar.rows,hardware.crossbar.cols': [[64, 64], [128, 256]],
      'hardware.cells.cellBits': [1, 2, 4],
      preset: ['hfox-radar', 'neurram'],
    },
  });
  assert.is(gridSize(g), 12);
  const pts = expandGrid(g);
  assert.is(pts.length, 12);
  assert.equal(pts.map((p) => p.index), [...Array(12).keys()]);
  assert.equal(pts[0]!.params, { 'hardware.crossbar.rows': 64, 'hardware.crossbar.cols': 64, 'hardware.cells.cellBits': 1, preset: 'hfox-radar' });
  assert.equal(pts[1]!.params.preset, 'neurram');
  assert.equal(pts[2]!.params['hardware.cells.cellBits'], 2);
  assert.equal(pts[11]!.params, { 'hardware.crossbar.rows': 128, 'hardware.crossbar.cols': 256, 'hardware.cells.cellBits': 4, preset: 'neurram' });
  assert.is(new Set(pts.map((p) => p.id)).size, 12, 'ids are distinct');
  // ids are content hashes: the same params give the same id whatever the order of the keys
  assert.is(pointId({ a: 1, b: [2, { c: 3, d: 4 }] }), pointId({ b: [2, { d: 4, c: 3 }], a: 1 }));
  assert.is.not(pointId({ a: 1 }), pointId({ a: 2 }));
});

test('random mode: budget distinct points from the product, reproducible from the seed; ranges', () => {
  const def = { scenario: base, mode: 'random', budget: 20, seed: 5, parameters: { 'hardware.crossbar.rows': [32, 64, 128, 256], poolSpare: [0, 0.1, 0.2, 0.5, 1], seed: [1, 2, 3] } };
  const a = expandGrid(parseGridFile(def)), b = expandGrid(parseGridFile(def));
  assert.equal(a, b);
  assert.is(a.length, 20);
  assert.is(new Set(a.map((p) => p.id)).size, 20);
  const all = new Set(expandGrid(parseGridFile({ ...def, mode: 'grid', budget: undefined })).map((p) => p.id));
  for (const p of a) assert.ok(all.has(p.id), 'sampled points are grid points');
  const other = expandGrid(parseGridFile({ ...def, seed: 6 }));
  assert.is.not(other.map((p) => p.id).join(), a.map((p) => p.id).join());
  const r = expandGrid(parseGridFile({ scenario: base, mode: 'random', budget: 50, parameters: {
    'hardware.programming.toleranceUS': { min: 0.5, max: 4, log: true }, 'hardware.crossbar.rows': { min: 16, max: 300, integer: true } } }));
  assert.is(r.length, 50);
  for (const p of r) {
    const t = p.params['hardware.programming.toleranceUS'] as number, rows = p.params['hardware.crossbar.rows'] as number;
    assert.ok(t >= 0.5 && t <= 4 && Number.isInteger(rows) && rows >= 16 && rows <= 300);
  }
});

test('shards partition the points exactly', () => {
  const pts = expandGrid(parseGridFile({ scenario: base, parameters: { 'hardware.crossbar.rows': [16, 32, 64, 128, 256, 512, 1024], seed: [1, 2, 3] } }));
  for (let n = 1; n <= 8; n++) {
    const seen = new Map<string, number>();
    let total = 0;
    for (let i = 1; i <= n; i++) {
      const s = shardPoints(pts, { index: i, count: n });
      assert.ok(Math.abs(s.length - pts.length / n) < 1, `balanced: ${s.length} of ${pts.length}/${n}`);
      for (const p of s) seen.set(p.id, (seen.get(p.id) ?? 0) + 1);
      total += s.length;
    }
    assert.is(total, pts.length);
    assert.is(seen.size, pts.length);
    assert.ok([...seen.values()].every((c) => c === 1));
  }
  assert.equal(parseShard('2/8'), { index: 2, count: 8 });
  for (const bad of ['0/4', '5/4', '1/0', 'x', '1-4']) assert.throws(() => parseShard(bad), /--shard must be i\/n/);
});

test('a point\'s scenario: the base with its parameters set; the sweep id covers base and grid', () => {
  const s = pointScenario({ ...base, hardware: { crossbar: { rows: 32 } } }, { 'hardware.crossbar.cols': 64, poolSpare: 0.2 });
  assert.equal(s, { ...base, hardware: { crossbar: { rows: 32, cols: 64 } }, poolSpare: 0.2 });
  const g = parseGridFile({ scenario: base, parameters: { seed: [1, 2] } });
  assert.is(sweepId(g, base), sweepId(g, JSON.parse(JSON.stringify(base))));
  assert.is.not(sweepId(g, base), sweepId(g, { ...base, rounds: 3 }));
});

test('bad grids: errors name the field and the fix', () => {
  const bad = (def: unknown, re: RegExp) => assert.throws(() => parseGridFile(def, 'g.yaml'), (e: Error) => e instanceof GridError && re.test(e.message));
  bad({ scenario: base, parameters: {} }, /parameters: needs at least one parameter/);
  bad({ scenario: base, parameters: { models: [[]] } }, /"models" cannot be swept/);
  bad({ scenario: base, parameters: { hardwre: [1] } }, /"hardwre" is not a scenario field/);
  bad({ scenario: base, parameters: { 'hardware.crossbar.rows': { min: 1, max: 9 } } }, /ranges need mode "random"/);
  bad({ scenario: base, mode: 'random', parameters: { seed: [1, 2] } }, /needs a budget/);
  bad({ scenario: base, parameters: { seed: [1, 1] } }, /lists 1 twice/);
  bad({ scenario: base, parameters: { 'a.b,c.d': [1] } }, /is not a scenario field|must be a list of 2 values/);
  bad({ scenario: base, parameters: { 'hardware.crossbar.rows,hardware.crossbar.cols': [[1, 2], [3]] } }, /\[1\] must be a list of 2 values/);
  bad({ scenario: base, parameters: { seed: [1] }, extra: 1 }, /extra: unknown field/);
  assert.throws(() => expandGrid(parseGridFile({ scenario: base, mode: 'random', budget: 5, parameters: { seed: [1, 2] } })), /budget 5 is larger than the 2 combinations/);
});

test.run();

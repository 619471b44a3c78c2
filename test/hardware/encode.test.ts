import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { encodeLevels, decodeLevels, checkLevels } from '../../src/hardware/encode.js';
import { quantizeWeights, dequantizeWeights, roundHalfEven, quantizeInputs } from '../../src/hardware/quantize.js';
import { cellsPerWeight, magnitudeSlices, maxWeightInt, tileCols } from '../../src/hardware/derived.js';

test('round half to even', () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 3].map(roundHalfEven), [0, 2, 2, -0, -2, -2, 2, 3, 3]);
});

test('encode/decode round-trip is exact over random shapes and bit settings (property)', () => {
  const rng = new RefRng(11, 0);
  let cases = 0;
  for (const sign of ['differential', 'offset'] as const) {
    for (let weightBits = 2; weightBits <= 12; weightBits++) {
      for (let cellBits = 1; cellBits <= 4; cellBits++) {
        const cfg = resolveHardware({ weights: { weightBits }, cells: { cellBits, sign }, crossbar: { cols: 512 } }, 'ideal');
        const rows = 1 + (rng.nextU32() % 9), cols = 1 + (rng.nextU32() % 7);
        const qmax = maxWeightInt(cfg);
        const ints = new Int32Array(rows * cols);
        for (let i = 0; i < ints.length; i++) ints[i] = (rng.nextU32() % (2 * qmax + 1)) - qmax;
        ints[0] = qmax; if (ints.length > 1) ints[1] = -qmax;
        const levels = encodeLevels(ints, rows, cols, cfg);
        assert.is(levels.length, rows * cols * cellsPerWeight(cfg));
        checkLevels(levels, cfg);
        assert.equal(Array.from(decodeLevels(levels, rows, cols, cfg)), Array.from(ints), `${sign} wb=${weightBits} cb=${cellBits}`);
        cases++;
      }
    }
  }
  assert.ok(cases >= 80);
});

test('differential layout: slices LSB first, value on the cell of its sign, other cell at 0', () => {
  const cfg = resolveHardware({}, 'default'); // 8-bit weights, 2-bit cells: 4 slices × 2 = 8 cells
  assert.is(magnitudeSlices(cfg), 4);
  assert.is(tileCols(cfg), 16);
  // 0b1_10_01_11 = 103 -> slices (LSB first) 3, 1, 2, 1
  assert.equal(Array.from(encodeLevels([103], 1, 1, cfg)), [3, 0, 1, 0, 2, 0, 1, 0]);
  assert.equal(Array.from(encodeLevels([-103], 1, 1, cfg)), [0, 3, 0, 1, 0, 2, 0, 1]);
  const off = resolveHardware({ cells: { sign: 'offset' } });
  // offset: U = W + 128; W = -103 -> U = 25 = 0b00_01_10_01 -> 1, 2, 1, 0
  assert.equal(Array.from(encodeLevels([-103], 1, 1, off)), [1, 2, 1, 0]);
});

test('encode rejects out-of-range integers with a clear error', () => {
  const cfg = resolveHardware();
  assert.throws(() => encodeLevels([128], 1, 1, cfg), /outside ±127.*quantizeWeights/);
  assert.throws(() => encodeLevels([1, 2, 3], 2, 2, cfg), /do not match the shape 2 × 2/);
  assert.throws(() => checkLevels([0, 4], cfg), /not a level of a 2-bit cell/);
});

test('quantizeWeights: per-layer and per-column scales, NaN rejected, dequantize close', () => {
  const cfg = resolveHardware();
  const w = [0.5, -1.0, 0.25, 0.1];
  const q = quantizeWeights(w, 2, 2, cfg);
  assert.is(q.scales.length, 1);
  assert.is(q.ints[1], -127);
  assert.is(q.ints[0], 64); // 63.5 rounds half to even
  const back = dequantizeWeights(q);
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(back[i]! - w[i]!) <= q.scales[0]! / 2 + 1e-12);
  const qc = quantizeWeights(w, 2, 2, resolveHardware({ weights: { scale: 'column' } }));
  assert.is(qc.scales.length, 2);
  assert.is(qc.ints[0], 127); // column 0 max is 0.5
  assert.throws(() => quantizeWeights([0, NaN], 1, 2, cfg, 'layer conv1'), /layer conv1 contains NaN at row 0, column 1/);
  assert.throws(() => quantizeWeights([0, Infinity], 1, 2, cfg), /Infinity/);
  assert.throws(() => quantizeWeights([0, 1, 2], 1, 2, cfg), /do not match the shape/);
  assert.equal(Array.from(quantizeInputs([0, 0.5, 1, 2, -1], 1, cfg)), [0, 128, 255, 255, 0]);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena, WasmRng } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { refMvmIdeal } from '../../src/reference/mvm.js';
import { resolveHardware as resolveAny, deepMerge } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { encodeLevels } from '../../src/hardware/encode.js';
import {
  composeIdeal, TiledCore, integerMatmul, idealConductances, adcSteps,
} from '../../src/hardware/mvm.js';
import { cellsPerWeight, magnitudeSlices, maxWeightInt, signCells, weightOffset } from '../../src/hardware/derived.js';
import { maxInputInt, quantizeInputs } from '../../src/hardware/quantize.js';

initSync();

/** These tests exercise the fixed-range ADC unless they say otherwise (the default is calibrated on data). */
function resolveHardware(o: DeepPartial<HardwareConfig> = {}, preset = 'default'): HardwareConfig {
  return resolveAny(deepMerge({ io: { adcRange: 'max' } }, o), preset);
}

function randomInts(rng: RefRng, n: number, qmax: number, signed = true): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = signed ? (rng.nextU32() % (2 * qmax + 1)) - qmax : rng.nextU32() % (qmax + 1);
  return out;
}

const settings: Array<[string, DeepPartial<HardwareConfig>]> = [
  ['defaults', {}],
  ['offset', { cells: { sign: 'offset' } }],
  ['signed inputs', { io: { inputSigned: true } }],
  ['3-bit cells, 6-bit weights, 2-bit DAC', { cells: { cellBits: 3 }, weights: { weightBits: 6 }, io: { dacBits: 2 } }],
  ['wide: 16-bit inputs (i32 path)', { io: { inputBits: 16 }, crossbar: { rows: 16 } }],
  ['1-bit cells offset', { cells: { cellBits: 1, sign: 'offset' }, weights: { weightBits: 4 } }],
];

test('ideal MVM equals the integer matmul and the bit-serial reference exactly', () => {
  const rng = new RefRng(5, 0);
  for (const [name, o] of settings) {
    const cfg = resolveHardware(o, 'ideal');
    for (const [rows, nOut, batch] of [[1, 1, 1], [7, 3, 5], [128, 16, 9], [33, 5, 2]] as const) {
      if (rows > cfg.crossbar.rows) continue;
      const w = randomInts(rng, rows * nOut, maxWeightInt(cfg));
      const x = randomInts(rng, batch * rows, maxInputInt(cfg), cfg.io.inputSigned);
      const levels = encodeLevels(w, rows, nOut, cfg);
      const stride = nOut * cellsPerWeight(cfg);
      const ideal = composeIdeal(cfg, levels, { rows, nOut, stride });
      const got = ideal.mvm(x, batch);
      const want = integerMatmul(x, batch, w, rows, nOut);
      assert.equal(Array.from(got), Array.from(want), `${name} ${rows}x${nOut} vs matmul`);
      if (rows * nOut * batch < 5000) {
        const ref = refMvmIdeal(x, batch, levels, stride, {
          rows, nOut, slices: magnitudeSlices(cfg), signCells: signCells(cfg) as 1 | 2, cellBits: cfg.cells.cellBits, offset: weightOffset(cfg),
        }, cfg.io.inputBits, cfg.io.inputSigned);
        assert.equal(Array.from(got), Array.from(ref), `${name} vs reference`);
      }
      arena.reset();
    }
  }
});

test('noiseless device with a fine ADC: analog within 1 LSB of ideal', () => {
  for (const [name, o] of settings) {
    const cfg = resolveHardware({ ...o, io: { ...(o.io ?? {}), adcBits: 24 } }, 'ideal');
    const rows = Math.min(64, cfg.crossbar.rows), nOut = 4, batch = 6;
    const rng = new RefRng(3, 1);
    const w = randomInts(rng, rows * nOut, maxWeightInt(cfg));
    const x = randomInts(rng, batch * rows, maxInputInt(cfg), cfg.io.inputSigned);
    const core = new TiledCore(cfg, w, rows, nOut);
    const ideal = core.mvmIdeal(x, batch);
    const analog = core.mvmAnalog(x, batch, 1);
    // one LSB of the output: Σ over digits and slices of the ADC steps scaled by their weights
    const { steps } = adcSteps(cfg, rows);
    const magBits = cfg.io.inputSigned ? cfg.io.inputBits - 1 : cfg.io.inputBits;
    let lsb = 0;
    for (let s = 0; s < steps.length; s++) lsb += steps[s]! * 2 ** (s * cfg.cells.cellBits) * (2 ** magBits - 1) / 2;
    for (let i = 0; i < ideal.length; i++) {
      assert.ok(Math.abs(analog[i]! - ideal[i]!) <= lsb, `${name}: |${analog[i]} - ${ideal[i]}| > ${lsb}`);
    }
    arena.reset();
  }
});

test('results into a caller buffer equal fresh ones; a short buffer is a clear error', () => {
  const cfg = resolveHardware({ io: { adcRange: 'max' } });
  const rng = new RefRng(9, 0);
  const K = 48, N = 5, batch = 4;
  const core = new TiledCore(cfg, randomInts(rng, K * N, maxWeightInt(cfg)), K, N);
  const x = randomInts(rng, batch * K, maxInputInt(cfg), false);
  const t = core.tiles[0]!;
  const outI = new Int32Array(batch * N + 3).fill(7), outA = new Float64Array(batch * N + 3).fill(7);
  const viaI = t.ideal.mvm(x, batch, arena, outI);
  assert.equal(Array.from(viaI), Array.from(t.ideal.mvm(x, batch)));
  assert.is(viaI.length, batch * N);
  assert.is(outI[batch * N], 7, 'writes past the result');
  const viaA = t.analog.mvm(x, batch, new WasmRng(5, 1), null, arena, outA);
  assert.equal(Array.from(viaA), Array.from(t.analog.mvm(x, batch, new WasmRng(5, 1))));
  assert.throws(() => t.ideal.mvm(x, batch, arena, new Int32Array(batch * N - 1)), /output buffer holds 19 values, fewer than the 20 results/);
  assert.throws(() => quantizeInputs([0.5, 0.25], 1, cfg, 'x', new Int32Array(1)), /holds 1 values, fewer than the 2 inputs/);
  assert.equal(Array.from(quantizeInputs([0.5, 0.25], 1, cfg, 'x', new Int32Array(5))), Array.from(quantizeInputs([0.5, 0.25], 1, cfg)));
  arena.reset();
});

test('same seed -> identical analog outputs; different seed -> different', () => {
  const cfg = resolveHardware();
  const rng = new RefRng(8, 0);
  const K = 200, N = 40, batch = 3;
  const w = randomInts(rng, K * N, maxWeightInt(cfg));
  const x = randomInts(rng, batch * K, maxInputInt(cfg), false);
  const a = new TiledCore(cfg, w, K, N).mvmAnalog(x, batch, 1234);
  const b = new TiledCore(cfg, w, K, N).mvmAnalog(x, batch, 1234);
  const c = new TiledCore(cfg, w, K, N).mvmAnalog(x, batch, 1235);
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
  arena.reset();
});

test('tiled core equals one large integer matmul (K, N not multiples of the tile)', () => {
  for (const o of [{}, { cells: { sign: 'offset' as const } }, { crossbar: { rows: 32, cols: 64 } }]) {
    const cfg = resolveHardware(o);
    const rng = new RefRng(21, 0);
    const K = 300, N = 37, batch = 5;
    const w = randomInts(rng, K * N, maxWeightInt(cfg));
    const x = randomInts(rng, batch * K, maxInputInt(cfg), false);
    const core = new TiledCore(cfg, w, K, N);
    assert.ok(core.crossbars > 1);
    assert.equal(Array.from(core.mvmIdeal(x, batch)), Array.from(integerMatmul(x, batch, w, K, N)));
    arena.reset();
  }
});

test('default 8-bit ADC and read noise: analog close to ideal in relative terms', () => {
  const cfg = resolveHardware();
  const rng = new RefRng(9, 0);
  const K = 128, N = 16, batch = 8;
  const w = randomInts(rng, K * N, maxWeightInt(cfg));
  const x = randomInts(rng, batch * K, maxInputInt(cfg), false);
  const core = new TiledCore(cfg, w, K, N);
  const ideal = core.mvmIdeal(x, batch), analog = core.mvmAnalog(x, batch, 5);
  let num = 0, den = 0;
  for (let i = 0; i < ideal.length; i++) { num += (analog[i]! - ideal[i]!) ** 2; den += ideal[i]! ** 2; }
  const relErr = Math.sqrt(num / den);
  assert.ok(relErr > 0 && relErr < 0.2, `relative error ${relErr}`);
  arena.reset();
});

test('calibrated ADC ranges are at most the max ranges and improve accuracy', () => {
  const cfg = resolveHardware({ io: { adcRange: 'calibrated', adcBits: 6 } }, 'ideal');
  const maxCfg = resolveHardware({ io: { adcBits: 6 } }, 'ideal');
  const rng = new RefRng(4, 0);
  const K = 128, N = 8, batch = 16;
  const w = randomInts(rng, K * N, 20);
  const x = randomInts(rng, batch * K, 60, false);
  const auto = new TiledCore(cfg, w, K, N);
  const autoOut = auto.mvmAnalog(x, batch, 1); // calibrates on its first batch
  const core = new TiledCore(cfg, w, K, N);
  const H = core.calibrateAdc(x, batch);
  assert.equal(Array.from(auto.adcRanges!), Array.from(H));
  assert.equal(Array.from(core.mvmAnalog(x, batch, 1)), Array.from(autoOut));
  core.resetNoise();
  const block = core.tiles[0]!.analog;
  assert.throws(() => block.mvm(x.subarray(0, K), 1, new WasmRng(1, 1)), /no ranges were given or calibrated/);
  const { steps: maxSteps } = adcSteps(maxCfg, K);
  for (let s = 0; s < H.length; s++) assert.ok(2 * H[s]! / (2 ** 6 - 2) <= maxSteps[s]!);
  const ideal = core.mvmIdeal(x, batch);
  const errOf = (y: Float64Array) => { let e = 0; for (let i = 0; i < y.length; i++) e += Math.abs(y[i]! - ideal[i]!); return e; };
  const calibrated = errOf(core.mvmAnalog(x, batch, 1));
  const maxed = errOf(new TiledCore(maxCfg, w, K, N).mvmAnalog(x, batch, 1));
  assert.ok(calibrated < maxed, `calibrated ${calibrated} vs max ${maxed}`);
  arena.reset();
});

test('bad input: shapes, non-integer or out-of-range inputs, matrix larger than the pool', () => {
  const cfg = resolveHardware();
  const core = new TiledCore(cfg, new Int32Array(4 * 2), 4, 2);
  assert.throws(() => core.mvmIdeal([1, 2, 3], 1), /3 values do not match batch 1 × 4 rows/);
  assert.throws(() => core.mvmIdeal([1, 2, 3, NaN], 1), /inputs\[3\] = NaN is not a 8-bit unsigned input integer/);
  assert.throws(() => core.mvmIdeal([1, 2, 3, 256], 1), /0\.\.255/);
  assert.throws(() => core.mvmAnalog([1, 2, -3, 4], 1, 0), /unsigned/);
  const small = resolveHardware({ crossbar: { numCrossbars: 2 } });
  assert.throws(() => new TiledCore(small, new Int32Array(300 * 40), 300, 40), /needs 9 crossbars .* pool has 2/);
  assert.throws(() => new TiledCore(cfg, new Int32Array(5), 2, 3), /5 weights do not match 2 × 3/);
  assert.throws(() => composeIdeal(cfg, new Uint8Array(10), { rows: 2, nOut: 1, stride: 8 }), /too few/);
  const huge = resolveHardware({ weights: { weightBits: 16 }, io: { inputBits: 16 }, crossbar: { cols: 512 } });
  assert.throws(() => new TiledCore(huge, new Int32Array(4), 2, 2), /could overflow 32-bit accumulators/);
  arena.reset();
});

test.run();

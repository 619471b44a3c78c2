import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync } from '../../src/wasm/index.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { forward, floatMvm, type MvmFn } from '../../src/mapping/forward.js';
import { quantizeModel, CALIBRATION_VECTORS, calibrationIndices } from '../../src/inference/quantized-model.js';

initSync();

test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

test('calibrationIndices: every vector when there are few; otherwise the largest by Σ|x| plus a strided rest, ascending and distinct', () => {
  const K = 3;
  const few = new Float32Array(10 * K).fill(1);
  assert.equal(Array.from(calibrationIndices(few, 10, K)), Array.from({ length: 10 }, (_, i) => i));
  const M = 20000, x = new Float32Array(M * K);
  for (let m = 0; m < M; m++) for (let i = 0; i < K; i++) x[m * K + i] = ((m * 7919) % 1000) / 1000 - 0.5; // signed: |x| counts
  const idx = calibrationIndices(x, M, K);
  assert.is(idx.length, CALIBRATION_VECTORS);
  for (let t = 1; t < idx.length; t++) assert.ok(idx[t]! > idx[t - 1]!, 'ascending and distinct');
  const l1 = (m: number) => Math.abs(x[m * K]!) * K;
  const kept = new Set(idx);
  const sorted = Array.from({ length: M }, (_, i) => i).sort((a, b) => l1(b) - l1(a) || a - b);
  for (let t = 0; t < CALIBRATION_VECTORS / 2; t++) assert.ok(kept.has(sorted[t]!), `vector ${sorted[t]} (rank ${t} by Σ|x|) kept`);
  // the other half spreads over the whole batch rather than bunching at its start
  assert.ok(idx[idx.length - 1]! > M * 0.95, 'the strided half reaches the end of the batch');
});

test('calibrationIndices with row chunks: each chunk\'s largest vectors are kept, even when small over the whole row', () => {
  const K = 10, M = 5000, x = new Float32Array(M * K);
  for (let m = 0; m < M; m++) for (let i = 0; i < 8; i++) x[m * K + i] = 1 + (m % 97) / 97; // rows 0..7 dominate Σ|x|
  x[1234 * K + 9] = 3; x[4321 * K + 8] = 2.5; // the only non-zero values of rows 8..9 (chunk 2 of 2)
  const whole = new Set(calibrationIndices(x, M, K));
  const chunked = calibrationIndices(x, M, K, 8);
  assert.is(chunked.length, CALIBRATION_VECTORS);
  assert.ok(new Set(chunked).has(1234) && new Set(chunked).has(4321), 'chunk 2\'s extremes kept');
  assert.ok(!(whole.has(1234) && whole.has(4321)), 'ranking by the whole row alone misses at least one of them');
});

test('quantizeModel keeps the brightest patch of a mostly blank conv input for ADC calibration (a strided sample missed it)', async () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  const model = await importLayersModel(m);
  const n = 64, images = new Float32Array(n * 784);
  // one small bright square in one image, everything else blank: 36,864 patches, a handful of them non-zero
  for (let r = 11; r < 16; r++) for (let c = 13; c < 18; c++) images[37 * 784 + r * 28 + c] = 1;
  const cfg = resolveHardware({}, 'ideal');
  const qm = quantizeModel(model, cfg, images, n);
  const conv = qm.layers[0]!;
  // the largest input vector sum of the conv layer over the whole batch, from a capture of the float forward pass
  let best = 0;
  const capture: MvmFn = (op, xx, M) => {
    if (op.layer === 0) for (let v = 0; v < M; v++) { let s = 0; for (let i = 0; i < op.rows; i++) s += Math.abs(xx[v * op.rows + i]!); best = Math.max(best, s); }
    return floatMvm(op, xx, M);
  };
  forward(model, images, n, capture);
  assert.ok(best > 0);
  const K = conv.op.rows, cal = conv.calibration;
  let keptBest = 0;
  for (let v = 0; v < cal.count; v++) { let s = 0; for (let i = 0; i < K; i++) s += Math.abs(cal.inputs[v * K + i]!); keptBest = Math.max(keptBest, s); }
  // inputs are integers of inputRange / maxInt: the kept sample holds the full-brightness 5×5 patch (25 × max integer)
  const maxInt = Math.max(...Array.from(cal.inputs));
  assert.is(keptBest, 25 * maxInt, 'the fully bright 5×5 patch is in the calibration sample');
  assert.ok(cal.count <= CALIBRATION_VECTORS);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { idealConductances, adcSteps, calibrateAdcRanges } from '../../src/hardware/mvm.js';
import { encodeLevels } from '../../src/hardware/encode.js';
import { cellsPerWeight } from '../../src/hardware/derived.js';
import { blockInts } from '../../src/inference/targets.js';
import { maxInputInt } from '../../src/hardware/quantize.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { mapModel } from '../../src/mapping/map.js';
import { forward } from '../../src/mapping/forward.js';
import { crossbarLayers, type ImportedModel } from '../../src/mapping/types.js';
import { quantizeModel, programModel, CrossbarEngine, evaluate, placementTargets } from '../../src/inference/index.js';
import { NO_TARGET } from '../../src/programming/program.js';
import { GeneralBuffers, generalProduct, packedProduct } from '../../src/inference/products.js';
import { im2col } from '../../src/mapping/hostops.js';

initSync();

test.before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

function randomData(n: number, size: number, seed: number): Float32Array {
  const r = new RefRng(seed, 0);
  return Float32Array.from({ length: n * size }, () => r.uniform());
}

function denseModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [40], units: 30, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 20, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), biasInitializer: 'ones' }));
  return m;
}

function convModel(padding: 'valid' | 'same', stride: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, strides: stride, padding, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tf.layers.conv2d({ filters: 20, kernelSize: 2, padding, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }));
  return m;
}

async function setup(m: tf.LayersModel, o: DeepPartial<HardwareConfig>, preset = 'ideal', xamm = false) {
  const model: ImportedModel = await importLayersModel(m);
  const cfg = resolveHardware(o, preset);
  const inSize = model.inputShape.reduce((a, b) => a * b, 1);
  const calib = randomData(16, inSize, 7);
  const qm = quantizeModel(model, cfg, calib, 16);
  const placement = mapModel(model, cfg, { xamm });
  const pool = new CrossbarPool(cfg, { numCrossbars: placement.crossbars + 2, seed: 3 });
  return { model, cfg, qm, placement, pool, inSize };
}

const cases: Array<[string, () => tf.LayersModel]> = [
  ['dense', denseModel],
  ['conv valid s1', () => convModel('valid', 1)],
  ['conv same s1', () => convModel('same', 1)],
  ['conv valid s2', () => convModel('valid', 2)],
  ['conv same s2', () => convModel('same', 2)],
];

test('ideal equals quantized bit for bit (−0 included) for batch 1, across patch chunks, and with NaN in a pixel no window reads', async () => {
  const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  const s = await setup(convModel('valid', 2), { crossbar: { rows: 32, cols: 64 } }, 'ideal');
  programModel(s.qm, s.placement, s.pool);
  const engine = new CrossbarEngine(s.qm, s.placement, s.pool);
  // 12 × 12 × 2 inputs, 3 × 3 stride-2 valid conv: 25 patches per image, so 340 images are more than one chunk of 8192
  for (const batch of [1, 340]) {
    const x = randomData(batch, s.inSize, 12 + batch);
    assert.equal(bits(engine.run(x, batch, 'ideal')), bits(engine.run(x, batch, 'quantized')), `batch ${batch}`);
  }
  // the last row and column of the image are never read by that conv: a NaN there must not change anything
  const x = randomData(2, s.inSize, 13);
  x[s.inSize - 1] = NaN;
  assert.equal(bits(engine.run(x, 2, 'ideal')), bits(engine.run(x, 2, 'quantized')));
  // a NaN that a window does read is an error naming the layer, in both modes
  x[0] = NaN;
  for (const mode of ['ideal', 'quantized'] as const) assert.throws(() => engine.run(x, 2, mode), /contains NaN/);
});

test('ideal outputs equal the quantized model when inputs need 32-bit lanes (the general, unpacked path)', async () => {
  // unsigned inputs (random ≥ 0, then ReLU) of 16 bits do not fit i16; biases ≠ 0 check the bias on that path too
  const biased = (): tf.LayersModel => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: 'ones', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 5, activation: 'relu', biasInitializer: 'ones', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }));
    return m;
  };
  for (const [name, make] of [cases[0]!, cases[4]!, ['biased', biased] as const]) {
    const s = await setup(make(), { io: { inputBits: 16 }, crossbar: { rows: 32, cols: 64 } }, 'ideal');
    assert.ok(maxInputInt(s.cfg) > 32767, 'this config must take the i32 path');
    programModel(s.qm, s.placement, s.pool);
    const engine = new CrossbarEngine(s.qm, s.placement, s.pool);
    const x = randomData(4, s.inSize, 11);
    assert.equal(Array.from(engine.run(x, 4, 'ideal')), Array.from(engine.run(x, 4, 'quantized')), name);
  }
});

test('ideal on-crossbar outputs equal the quantized software model exactly (programmed pool, baseline and XAMM)', async () => {
  for (const [name, make] of cases) {
    for (const [label, o] of [['differential', {}], ['offset', { cells: { sign: 'offset' } }]] as const) {
      for (const xamm of [false, true]) {
        const s = await setup(make(), { ...o, crossbar: { rows: 32, cols: 64 } } as DeepPartial<HardwareConfig>, 'ideal', xamm);
        const res = programModel(s.qm, s.placement, s.pool);
        assert.ok(res.report.totals.cellsTargeted > 0);
        const engine = new CrossbarEngine(s.qm, s.placement, s.pool);
        const x = randomData(5, s.inSize, 9);
        const q = engine.run(x, 5, 'quantized');
        const ideal = engine.run(x, 5, 'ideal');
        assert.equal(Array.from(ideal), Array.from(q), `${name} ${label} xamm=${xamm}`);
        // without a pool (levels straight from the encoder) too
        assert.equal(Array.from(new CrossbarEngine(s.qm, s.placement, null).run(x, 5, 'ideal')), Array.from(q));
        // and the quantized model is close to the float one
        const f = engine.run(x, 5, 'float');
        let err = 0, mag = 0;
        for (let i = 0; i < f.length; i++) { err += Math.abs(f[i]! - q[i]!); mag += Math.abs(f[i]!); }
        assert.ok(err / mag < 0.05, `${name}: quantization error ${err / mag}`);
        arena.reset();
      }
    }
  }
});

test('a layer whose inputs go negative gets signed inputs', async () => {
  const s = await setup(denseModel(), {});
  assert.is(s.qm.layers[0]!.inputSigned, false); // pixels in [0, 1]
  assert.is(s.qm.layers[1]!.inputSigned, false); // after ReLU
  assert.is(s.qm.layers[2]!.inputSigned, true); // after a linear layer
  arena.reset();
});

test('analog with a noiseless device, exact conductances and a fine ADC: within one ADC LSB of ideal per layer', async () => {
  for (const [name, make] of cases) {
    const s = await setup(make(), { io: { adcBits: 24, adcRange: 'max' }, crossbar: { rows: 32, cols: 64 } });
    const { targets } = placementTargets(s.qm, s.placement, s.pool);
    // put exactly the target conductances in the pool (no programming error), and the levels too
    const g = s.pool.conductances().view, lv = s.pool.levels().view;
    const exact = idealConductances(s.cfg, targets.map((t) => (t === NO_TARGET ? 0 : t)));
    for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET) { g[i] = exact[i]!; lv[i] = targets[i]!; }
    const engine = new CrossbarEngine(s.qm, s.placement, s.pool);
    const ideal = engine.mvmFor('ideal'), analog = engine.mvmFor('analog');
    const x = randomData(3, s.inSize, 2);
    // walk the layers with the float forward, comparing the two products on the same inputs
    forward(s.model, x, 3, (op, xs, M) => {
      const a = analog(op, xs, M), b = ideal(op, xs, M);
      const layer = s.qm.layers[op.layer]!;
      const { steps } = adcSteps(layer.config, Math.min(op.rows, s.cfg.crossbar.rows));
      const magBits = layer.inputSigned ? s.cfg.io.inputBits - 1 : s.cfg.io.inputBits;
      const tiles = Math.ceil(op.rows / s.cfg.crossbar.rows);
      let lsbInt = 0;
      for (let sl = 0; sl < steps.length; sl++) lsbInt += steps[sl]! * 2 ** (sl * s.cfg.cells.cellBits) * (2 ** magBits - 1) / 2;
      const lsb = tiles * lsbInt * layer.q.scales[0]! * layer.inputRange / maxInputInt(layer.config) + 1e-6;
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= lsb, `${name} layer ${op.name}: ${a[i]} vs ${b[i]} (lsb ${lsb})`);
      return b;
    });
    arena.reset();
  }
});

test('analog inference after real write-verify programming stays close to ideal; same seed reproduces it', async () => {
  const s = await setup(convModel('same', 1), {}, 'default');
  programModel(s.qm, s.placement, s.pool);
  const x = randomData(4, s.inSize, 5);
  const e1 = new CrossbarEngine(s.qm, s.placement, s.pool, { seed: 11 });
  const a1 = e1.run(x, 4, 'analog');
  const a2 = new CrossbarEngine(s.qm, s.placement, s.pool, { seed: 11 }).run(x, 4, 'analog');
  const a3 = new CrossbarEngine(s.qm, s.placement, s.pool, { seed: 12 }).run(x, 4, 'analog');
  assert.equal(Array.from(a1), Array.from(a2));
  assert.not.equal(Array.from(a1), Array.from(a3));
  const ideal = e1.run(x, 4, 'ideal');
  let err = 0, mag = 0;
  for (let i = 0; i < ideal.length; i++) { err += Math.abs(a1[i]! - ideal[i]!); mag += Math.abs(ideal[i]!); }
  assert.ok(err / mag < 0.5, `analog deviates ${err / mag}`);
  arena.reset();
});

test('evaluate reports the four accuracies; analog without a pool is a clear error', async () => {
  const s = await setup(denseModel(), {});
  programModel(s.qm, s.placement, s.pool);
  const n = 40;
  const images = randomData(n, s.inSize, 3);
  const engine = new CrossbarEngine(s.qm, s.placement, s.pool);
  const labels = new Int32Array(n);
  const y = engine.run(images, n, 'float');
  for (let i = 0; i < n; i++) { let b = 0; for (let c = 1; c < 5; c++) if (y[i * 5 + c]! > y[i * 5 + b]!) b = c; labels[i] = b; }
  const acc = evaluate(engine, { images, labels, n }, undefined, { batch: 16 });
  assert.is(acc.float, 1);
  assert.ok(acc.quantized! > 0.8 && acc.ideal === acc.quantized && acc.analog! > 0.5, JSON.stringify(acc));
  assert.throws(() => new CrossbarEngine(s.qm, s.placement, null).run(images, n, 'analog'), /analog inference needs the programmed pool/);
  const other = mapModel(crossbarLayers(s.model).map((l) => ({ name: l.name, rows: l.rows + 1, cols: l.cols })), s.cfg);
  assert.throws(() => new CrossbarEngine(s.qm, other, s.pool), /reaches outside layer/);
  arena.reset();
});

test('calibrated ADC ranges: shared by engines of one model and placement cut, equal to a fresh calibration, recomputed for another cut', async () => {
  const s = await setup(convModel('same', 1), { io: { adcRange: 'calibrated', adcRanges: null, inputBits: 6, dacBits: 2, adcBits: 6 }, crossbar: { rows: 16, cols: 16 } }, 'default');
  const e1 = new CrossbarEngine(s.qm, s.placement, s.pool);
  const e2 = new CrossbarEngine(s.qm, s.placement, s.pool, { seed: 9 });
  const cpw = cellsPerWeight(s.cfg);
  for (const layer of s.qm.layers) {
    const r1 = e1.adcRanges(layer)!, r2 = e2.adcRanges(layer)!;
    assert.ok(r1 === r2, `layer ${layer.op.name}: the second engine recalibrated`);
    // a direct calibration over the same blocks gives the same ranges
    const blocks = s.placement.blocks.filter((b) => b.layer === layer.op.layer);
    const K = layer.op.rows, cal = layer.calibration;
    const direct = calibrateAdcRanges(layer.config, blocks.map((b) => {
      const inputs = new Int32Array(cal.count * b.rows);
      for (let m = 0; m < cal.count; m++) inputs.set(cal.inputs.subarray(m * K + b.srcRow, m * K + b.srcRow + b.rows), m * b.rows);
      return { levels: encodeLevels(blockInts(s.qm, b), b.rows, b.cols, layer.config), geometry: { rows: b.rows, nOut: b.cols, stride: b.cols * cpw }, inputs, count: cal.count };
    }));
    assert.equal(Array.from(r1), Array.from(direct));
    assert.ok(r1.some((v) => v > 0), 'ranges are not all zero');
  }
  // the same layer cut another way (its first block split in two along the rows) gets its own calibration
  const first = s.placement.blocks.find((b) => b.rows > 1)!;
  const h = Math.floor(first.rows / 2);
  const split = { ...s.placement, blocks: s.placement.blocks.flatMap((b) => b !== first ? [b]
    : [{ ...b, rows: h }, { ...b, srcRow: b.srcRow + h, rows: b.rows - h, rowOffset: b.rowOffset + h }]) };
  const layer = s.qm.layers[first.layer]!;
  const r3 = new CrossbarEngine(s.qm, split, s.pool).adcRanges(layer)!;
  assert.ok(r3 !== e1.adcRanges(layer), 'a different cut reused the ranges');
  assert.ok(r3.every((v, i) => v <= e1.adcRanges(layer)![i]!), 'halves of a block cannot need a wider range');
  arena.reset();
});

test('analog: the packed path (i16 patches in wasm) equals the general path (i32 in JS) bit for bit', async () => {
  for (const xamm of [false, true]) {
    const s = await setup(convModel('same', 1), { io: { adcRange: 'calibrated' } }, 'default', xamm);
    programModel(s.qm, s.placement, s.pool);
    const engine = new CrossbarEngine(s.qm, s.placement, s.pool, { seed: 9 });
    const x = randomData(3, s.inSize, 11);
    const layer = s.qm.layers[0]!, conv = layer.op.conv!;
    const packed = packedProduct(engine, layer, x, 3, conv, false, 'analog', 5)!;
    const general = generalProduct(engine, new GeneralBuffers(), layer, im2col(x, 3, conv), 3 * conv.outH * conv.outW, 'analog', 5);
    assert.equal(Array.from(packed), Array.from(general), `xamm=${xamm}`);
    const other = packedProduct(engine, layer, x, 3, conv, false, 'analog', 6)!;
    assert.ok(other.some((v, i) => v !== packed[i]), 'another call draws other noise');
    arena.reset();
  }
});

test.run();

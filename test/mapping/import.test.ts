import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { RefRng } from '../../src/reference/rng.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { forward } from '../../src/mapping/forward.js';
import { im2colPatch, windowGeometry } from '../../src/mapping/hostops.js';
import { crossbarLayers, ModelImportError, type CrossbarOp } from '../../src/mapping/types.js';

const rng = new RefRng(20261126, 4);
const randArr = (n: number, scale = 1): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.uniform() * 2 - 1) * scale;
  return a;
};

/** Random weights for every layer (BN: positive variances, non-trivial mean/gamma/beta). */
function randomize(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (!ws.length) continue;
    layer.setWeights(ws.map((v) => {
      const n = (v.shape as number[]).reduce((a, b) => a * b, 1);
      const name = v.originalName;
      const data = name.endsWith('moving_variance') ? randArr(n, 0.5).map((x) => x + 0.6)
        : name.endsWith('gamma') ? randArr(n, 0.5).map((x) => x + 1) : randArr(n, 0.5);
      return tf.tensor(data, v.shape as number[]);
    }));
  }
}

function compare(model: tf.LayersModel, batch: number, tol = 1e-5): { imported: ReturnType<typeof importLayersModel>; err: number } {
  const imported = importLayersModel(model);
  const inShape = model.inputs[0].shape.slice(1) as number[];
  const x = randArr(batch * inShape.reduce((a, b) => a * b, 1));
  const ref = tf.tidy(() => (model.predict(tf.tensor(x, [batch, ...inShape])) as tf.Tensor).dataSync());
  const got = forward(imported, x, batch).data;
  assert.is(got.length, ref.length, 'output size');
  let scale = 0, err = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]));
  assert.ok(scale > 0, 'non-trivial output');
  assert.ok(err <= tol * scale, `max abs error ${err} vs scale ${scale} (relative ${err / scale})`);
  return { imported, err: err / scale };
}

// The cpu backend: no set-up, and other suites in the same process may have registered wasm.
test.before(async () => { await tf.setBackend('cpu'); });

test('Dense MLP with activations: float forward equals model.predict', () => {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [20], units: 13, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.5 }),
    tf.layers.dense({ units: 9, activation: 'tanh' }),
    tf.layers.dense({ units: 5, activation: 'softmax' }),
  ] });
  randomize(m);
  const { imported } = compare(m, 7);
  assert.equal(imported.ops.map((o) => o.kind), ['dense', 'dense', 'dense'], 'dropout dropped');
  assert.equal(crossbarLayers(imported).map((o) => [o.rows, o.cols]), [[20, 13], [13, 9], [9, 5]]);
  m.dispose();
});

for (const [padding, stride] of [['valid', 1], ['valid', 2], ['same', 1], ['same', 2]] as const) {
  test(`Conv2D ${padding} stride ${stride} + pooling + BN: float forward equals model.predict`, () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [24, 21, 3], filters: 5, kernelSize: [3, 2], strides: stride, padding }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: stride, padding, activation: 'relu' }),
      tf.layers.averagePooling2d({ poolSize: [2, 2], strides: 1, padding }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6 }),
    ] });
    randomize(m);
    const { imported } = compare(m, 3);
    const convs = crossbarLayers(imported);
    assert.is(convs[0].rows, 3 * 2 * 3);
    assert.equal(convs[0].folded.length, 1, 'BN folded into the first conv');
    assert.not.ok(imported.ops.some((o) => o.kind === 'scaleShift'));
    m.dispose();
  });
}

test('BN folding preserves outputs within 1e-5 relative (Dense and Conv2D), and is really folded', () => {
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }),
    tf.layers.batchNormalization({ epsilon: 1e-3 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 7, useBias: false }),
    tf.layers.batchNormalization({ center: false }),
    tf.layers.dense({ units: 3 }),
  ] });
  randomize(m);
  const { imported } = compare(m, 4);
  assert.equal(imported.ops.map((o) => o.kind), ['conv2d', 'flatten', 'dense', 'dense']);
  const [c, d] = crossbarLayers(imported);
  // Folded bias of the conv = (b − mean)·gamma/sqrt(var+eps) + beta, checked for channel 0.
  const [, b] = m.layers[0].getWeights().map((t) => t.dataSync());
  const [gamma, beta, mean, variance] = m.layers[1].getWeights().map((t) => t.dataSync());
  const s = gamma[0] / Math.sqrt(variance[0] + 1e-3);
  assert.ok(Math.abs(c.bias[0] - ((b[0] - mean[0]) * s + beta[0])) < 1e-6);
  assert.ok(d.folded.length === 1 && d.bias.some((v) => v !== 0), 'bias created by folding a no-bias Dense');
  m.dispose();
});

test('BN after a non-linear layer stays a host scale/shift and still matches', () => {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 6, activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.dense({ units: 2 }),
  ] });
  randomize(m);
  const { imported } = compare(m, 5);
  assert.equal(imported.ops.map((o) => o.kind), ['dense', 'scaleShift', 'dense']);
  m.dispose();
});

test('residual net (functional, Add, global pooling) matches model.predict', () => {
  const inp = tf.input({ shape: [8, 8, 4] });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(inp) as tf.SymbolicTensor;
  const b1 = tf.layers.batchNormalization().apply(c1) as tf.SymbolicTensor;
  const r1 = tf.layers.reLU().apply(b1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(r1) as tf.SymbolicTensor;
  const add = tf.layers.add().apply([inp, c2]) as tf.SymbolicTensor;
  const act = tf.layers.activation({ activation: 'relu' }).apply(add) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({}).apply(act) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(gap) as tf.SymbolicTensor;
  const m = tf.model({ inputs: inp, outputs: out });
  randomize(m);
  const { imported } = compare(m, 2);
  const addOp = imported.ops.find((o) => o.kind === 'add')!;
  assert.ok(addOp.inputs.includes(-1), 'Add reads the model input');
  assert.is(crossbarLayers(imported).length, 3);
  m.dispose();
});

test('im2col order: row k = (ky·kw + kx)·cin + ci of the matrix meets input pixel (y0+ky, x0+kx, ci)', () => {
  const kh = 2, kw = 3, cin = 2, cout = 4;
  const m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 5, cin], filters: cout, kernelSize: [kh, kw], strides: [1, 2], padding: 'same' })] });
  randomize(m);
  const kernel = m.layers[0].getWeights()[0].arraySync() as number[][][][];
  const op = crossbarLayers(importLayersModel(m))[0] as CrossbarOp;
  assert.is(op.rows, kh * kw * cin);
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ci = 0; ci < cin; ci++) for (let n = 0; n < cout; n++) {
    assert.is(op.weights[((ky * kw + kx) * cin + ci) * cout + n], Math.fround(kernel[ky][kx][ci][n]));
  }
  // Patch of output pixel (1, 1): stride (1, 2), "same" pads total (4−1)·1+2−4 = 1 → top 0; (3−1)·2+3−5 = 2 → left 1.
  const g = windowGeometry(4, 5, cin, kh, kw, 1, 2, 'same');
  assert.equal([g.outH, g.outW, g.padTop, g.padLeft], [4, 3, 0, 1]);
  const x = Float32Array.from({ length: 4 * 5 * cin }, (_, i) => i + 1);
  const patch = new Float32Array(op.rows);
  im2colPatch(x, 0, g, 1, 1, patch, 0);
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ci = 0; ci < cin; ci++) {
    const iy = 1 + ky, ix = 2 - 1 + kx;
    assert.is(patch[(ky * kw + kx) * cin + ci], x[(iy * 5 + ix) * cin + ci]);
  }
  // A window over the border reads zeros: output (0, 0) column kx = 0 is at ix = −1.
  im2colPatch(x, 0, g, 0, 0, patch, 0);
  assert.is(patch[0], 0);
  assert.is(patch[cin], x[0]);
  m.dispose();
});

test('unsupported layers, NaN weights and unsupported options give errors naming the layer', () => {
  const lstm = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [3, 4], units: 2 })] });
  assert.throws(() => importLayersModel(lstm), (e: Error) => e instanceof ModelImportError && /lstm.*\(LSTM\) is not supported; supported layers: .*Dense/i.test(e.message));
  const dw = tf.sequential({ layers: [tf.layers.depthwiseConv2d({ inputShape: [5, 5, 2], kernelSize: 3 })] });
  assert.throws(() => importLayersModel(dw), /DepthwiseConv2D\) is not supported/);
  const nan = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'fc_bad' })] });
  nan.layers[0].setWeights([tf.tensor([[1, 2], [NaN, 4], [5, 6]]), tf.zeros([2])]);
  assert.throws(() => importLayersModel(nan), /layer "fc_bad" \(Dense\): weight kernel has a non-finite value \(NaN\) at index 2/);
  const dil = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [7, 7, 1], filters: 2, kernelSize: 3, dilationRate: 2, name: 'dil' })] });
  assert.throws(() => importLayersModel(dil), /"dil" \(Conv2D\): dilation 2×2 is not supported/);
  const dense3d = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 3], units: 2, name: 'fc3d' })] });
  assert.throws(() => importLayersModel(dense3d), /"fc3d" \(Dense\).*add a Flatten/);
  assert.throws(() => importLayersModel({} as unknown as tf.LayersModel), /in-memory model: not a TF.js LayersModel/);
  for (const m of [lstm, dw, nan, dil, dense3d]) m.dispose();
});

test.run();

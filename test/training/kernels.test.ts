// Gradient checks: our wasm training kernels vs the tfjs cpu backend (within 1e-4 relative: they replace its kernels
// in training, so they must compute the same gradients up to f32 summation order).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/training/backend.js';
import { wasmKernelsPatched } from '../../src/training/kernels.js';
import { crossEntropy, crossEntropyFused } from '../../src/training/train.js';
import { RefRng } from '../../src/reference/rng.js';

const rng = new RefRng(42, 1);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** max |a − b| / max |b| over all outputs. */
function relErr(a: Float32Array[], b: Float32Array[]): number {
  let num = 0, den = 0;
  a.forEach((x, k) => x.forEach((v, i) => { num = Math.max(num, Math.abs(v - b[k]![i]!)); den = Math.max(den, Math.abs(b[k]![i]!)); }));
  return num / den;
}

type Case = { name: string; run: () => Float32Array[] };

async function onBoth(c: Case): Promise<number> {
  await setupBackend({ backend: 'cpu', log: null });
  const ref = c.run();
  await setupBackend({ backend: 'wasm', log: null });
  const got = c.run();
  assert.equal(got.length, ref.length);
  got.forEach((g, k) => assert.equal(g.length, ref[k]!.length, `${c.name}: output ${k} length`));
  return relErr(got, ref);
}

function convCase(n: number, h: number, w: number, cin: number, cout: number, k: number, stride: number, pad: 'same' | 'valid', fused = false): Case {
  const xs = [n, h, w, cin], ws = [k, k, cin, cout];
  const xd = rand(size(xs)), wd = rand(size(ws)), bd = rand(cout);
  const o = (d: number) => (pad === 'same' ? Math.ceil(d / stride) : Math.ceil((d - k + 1) / stride));
  const outShape = [n, o(h), o(w), cout];
  const rd = rand(size(outShape));
  return {
    name: `conv ${xs.join('×')} k${k} s${stride} ${pad}${fused ? ' fused' : ''}`,
    run: () => tf.tidy(() => {
      const x = tf.tensor(xd, xs) as unknown as tf.Tensor4D, wt = tf.tensor(wd, ws) as unknown as tf.Tensor4D, b = tf.tensor1d(bd), r = tf.tensor(rd, outShape);
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fused
        ? tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: stride, pad, bias: bb, activation: 'relu' })
        : tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad), r));
      const y = fused ? tf.fused.conv2d({ x, filter: wt, strides: stride, pad, bias: b, activation: 'relu' }) : tf.conv2d(x, wt, stride, pad);
      const [dx, dw, db] = fused ? tf.grads(f)([x, wt, b]) : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => f(xx, ww, b))([x, wt]);
      return [y, dx!, dw!, ...(fused ? [db!] : [])].map((t) => t.dataSync() as Float32Array);
    }),
  };
}

function denseCase(m: number, k: number, n: number, ta: boolean, tb: boolean, fused = false, activation: 'relu' | 'sigmoid' | 'linear' = 'relu'): Case {
  const as = ta ? [k, m] : [m, k], bs = tb ? [n, k] : [k, n];
  const ad = rand(m * k), bd = rand(k * n), biasd = rand(n), rd = rand(m * n);
  return {
    name: `matMul ${m}×${k}×${n} tA=${ta} tB=${tb}${fused ? ` fused ${activation}` : ''}`,
    run: () => tf.tidy(() => {
      const a = tf.tensor2d(ad, as as [number, number]), b = tf.tensor2d(bd, bs as [number, number]), bias = tf.tensor1d(biasd), r = tf.tensor2d(rd, [m, n]);
      const mm = (aa: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) => fused
        ? tf.fused.matMul({ a: aa as tf.Tensor2D, b: bb as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: cc, activation })
        : tf.matMul(aa, bb, ta, tb);
      const y = mm(a, b, bias);
      const f = (aa: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) => tf.sum(tf.mul(mm(aa, bb, cc), r));
      const [da, dbb, dc] = fused ? tf.grads(f)([a, b, bias]) : tf.grads((aa: tf.Tensor, bb: tf.Tensor) => f(aa, bb, bias))([a, b]);
      return [y, da!, dbb!, ...(fused ? [dc!] : [])].map((t) => t.dataSync() as Float32Array);
    }),
  };
}

test('the wasm backend starts with the ha3m training kernels', async () => {
  const info = await setupBackend({ backend: 'wasm', log: null });
  assert.is(info.name, 'wasm');
  assert.ok(info.patched);
  assert.ok(wasmKernelsPatched());
});

const convCases: Array<[number, number, number, number, number, number, number, 'same' | 'valid', boolean?]> = [
  [2, 9, 9, 3, 4, 3, 1, 'same'], [2, 9, 9, 3, 4, 3, 1, 'valid'], [2, 9, 9, 3, 4, 3, 2, 'same'], [2, 9, 9, 3, 4, 3, 2, 'valid'],
  [2, 8, 10, 2, 5, 5, 1, 'same'], [1, 10, 8, 4, 3, 5, 2, 'same'], [3, 12, 12, 1, 6, 5, 1, 'same'], [2, 7, 7, 3, 2, 1, 2, 'valid'],
  [2, 9, 9, 3, 4, 3, 2, 'same', true], [2, 8, 8, 2, 3, 3, 1, 'valid', true],
];
for (const c of convCases) {
  const cs = convCase(...c);
  test(`gradients equal cpu: ${cs.name}`, async () => {
    const e = await onBoth(cs);
    assert.ok(e < 1e-4, `relative error ${e}`);
  });
}

for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  for (const fused of [false, true]) {
    const dc = denseCase(7, 13, 5, ta, tb, fused);
    test(`gradients equal cpu: ${dc.name}`, async () => {
      const e = await onBoth(dc);
      assert.ok(e < 1e-4, `relative error ${e}`);
    });
  }
}

// sizes that cross the GEMM's K block (256) and leave edge tiles in M and N; activations outside the kernel epilogue
for (const [m, k, n, ta, tb, act] of [[67, 300, 33, true, false, 'relu'], [33, 270, 19, false, true, 'linear'], [9, 14, 10, true, true, 'sigmoid'],
  [10, 6, 9, false, false, 'sigmoid']] as const) {
  const dc = denseCase(m, k, n, ta, tb, true, act);
  test(`gradients equal cpu: ${dc.name}`, async () => {
    const e = await onBoth(dc);
    assert.ok(e < 1e-4, `relative error ${e}`);
  });
}

test('batched matMul broadcasting a rank-2 operand matches cpu (both sides, with transposes)', async () => {
  const ad = rand(3 * 4 * 6), bd = rand(6 * 5);
  const e = await onBoth({ name: 'bmm-bcast', run: () => tf.tidy(() => [
    tf.matMul(tf.tensor3d(ad, [3, 4, 6]), tf.tensor2d(bd, [6, 5])).dataSync() as Float32Array,
    tf.matMul(tf.tensor2d(bd, [6, 5]), tf.tensor3d(ad, [3, 4, 6]), true, true).dataSync() as Float32Array,
    tf.matMul(tf.tensor4d(ad, [3, 1, 4, 6]), tf.tensor3d(bd, [1, 6, 5])).dataSync() as Float32Array,
  ]) });
  assert.ok(e < 1e-4, `relative error ${e}`);
});

test('fused cross-entropy on wasm equals the composed loss on cpu: value and both gradients, clip edges and dy ≠ 1 included', async () => {
  const B = 7, C = 5;
  const pd = Float32Array.from(rand(B * C), (v) => Math.exp(v)); // positive, then normalized per row
  for (let i = 0; i < B; i++) { let s = 0; for (let j = 0; j < C; j++) s += pd[i * C + j]!; for (let j = 0; j < C; j++) pd[i * C + j]! /= s; }
  pd[0] = 0; pd[1] = 1e-9; pd[2] = 1; pd[C] = 1.5; pd[C + 1] = 1e-7; // below, at and above the clip bounds
  const labels = Int32Array.from({ length: B }, (_, i) => (i * 3) % C);
  labels[0] = 0; labels[1] = 1; // a label on a clipped prediction: its gradient is masked
  const run = (scale: number) => tf.tidy(() => {
    const loss = tf.getBackend() === 'wasm' ? crossEntropyFused : crossEntropy;
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), C); // int32, as train() makes the labels
    const y = scale === 1 ? oneHot : oneHot.toFloat(), p = tf.tensor2d(pd, [B, C]);
    const f = (yy: tf.Tensor, pp: tf.Tensor) => tf.mul(loss(yy, pp), scale);
    const [gy, gp] = tf.grads(f)([y, p]);
    return [f(y, p), gy!, gp!].map((t) => t.dataSync() as Float32Array);
  });
  for (const scale of [1, -2.5]) {
    await setupBackend({ backend: 'cpu', log: null });
    const ref = run(scale);
    await setupBackend({ backend: 'wasm', log: null });
    const got = run(scale);
    ['loss', 'dL/dy', 'dL/dp'].forEach((what, k) => {
      const e = relErr([got[k]!], [ref[k]!]);
      assert.ok(e < 1e-6, `${what} (scale ${scale}): relative error ${e}`);
    });
    assert.is(got[2]![0], 0, 'clipped prediction gets no gradient');
    const kernels = (await tf.profile(() => { run(scale); })).kernels.map((k) => k.name);
    assert.not.ok(kernels.includes('ClipByValue') || kernels.includes('Log'), `the fused loss ran as composed ops: ${kernels.join(' ')}`);
    assert.ok(got[2]![1 + C] !== 0 || labels[1] !== 1, 'p at the lower clip bound keeps its gradient');
  }
});

test('Identity and same-dtype Cast share the input data (no copy) and values stay correct after the source is disposed', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const x = tf.tensor2d(rand(12), [3, 4]);
  const before = backend.numDataIds();
  const c = tf.clone(x), k = tf.cast(x, 'float32'), i = tf.cast(x, 'int32');
  assert.is(backend.numDataIds(), before + 1, 'only the int32 cast allocates');
  const want = x.dataSync().slice();
  x.dispose();
  assert.equal(Array.from(c.dataSync()), Array.from(want));
  assert.equal(Array.from(k.dataSync()), Array.from(want));
  assert.equal(Array.from(i.dataSync()), Array.from(want, (v) => Math.trunc(v)));
  tf.dispose([c, k, i]);
  assert.is(backend.numDataIds(), before - 1);
});

test('kernel outputs free their backend memory (fused sigmoid fallback included)', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const a = tf.tensor2d(rand(20), [4, 5]), b = tf.tensor2d(rand(15), [5, 3]), bias = tf.tensor1d(rand(3));
  const run = () => tf.tidy(() => {
    tf.fused.matMul({ a, b, bias, activation: 'sigmoid' }).dataSync();
    tf.fused.matMul({ a, b, bias, activation: 'relu', transposeB: false }).dataSync();
    tf.matMul(a, b).dataSync();
  });
  run();
  const before = backend.numDataIds();
  for (let i = 0; i < 3; i++) run();
  assert.is(backend.numDataIds(), before);
  tf.dispose([a, b, bias]);
});

test('Tile (bulk-copy kernel) matches cpu for ranks 1–4, float32 and int32, including reps of 1 and 0-size', async () => {
  const cases: Array<[number[], number[]]> = [[[5], [3]], [[2, 3], [1, 4]], [[2, 3], [3, 1]], [[1, 1, 1, 16], [4, 7, 7, 1]], [[2, 1, 3, 2], [2, 3, 1, 2]], [[3, 2], [0, 2]]];
  const data = cases.map(([shape]) => rand(size(shape)));
  const e = await onBoth({ name: 'tile', run: () => tf.tidy(() => cases.flatMap(([shape, reps], k) => {
    const n = size(shape);
    return [tf.tile(tf.tensor(data[k]!, shape), reps).dataSync() as Float32Array,
      Float32Array.from(tf.tile(tf.tensor(Int32Array.from({ length: n }, (_, i) => i * 7 - 3), shape, 'int32'), reps).dataSync())];
  })) });
  assert.is(e, 0);
});

test('Sum and Mean over leading axes (our kernel) and other axes (original) match cpu', async () => {
  const x = rand(4 * 5 * 3 * 6);
  const e = await onBoth({ name: 'reduce', run: () => tf.tidy(() => {
    const t = tf.tensor4d(x, [4, 5, 3, 6]);
    return [tf.sum(t, [0, 1, 2]), tf.sum(t, 0, true), tf.mean(t, [0, 1]), tf.mean(t, [1, 0, 2], true), tf.sum(t, [1, 2]), tf.mean(t, -1), tf.sum(t), tf.mean(t, [0, 3])]
      .map((r) => Float32Array.from(r.dataSync()));
  }) });
  assert.ok(e < 1e-5, `relative error ${e}`);
});

test('average-pooling gradients match cpu (non-overlapping windows: our kernel; overlapping/same: original)', async () => {
  const x = rand(2 * 6 * 6 * 3);
  const e = await onBoth({ name: 'avgpool', run: () => tf.tidy(() => {
    const t = tf.tensor4d(x, [2, 6, 6, 3]);
    const g = (f: (v: tf.Tensor4D) => tf.Tensor) => Float32Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor4D), tf.range(1, f(v as tf.Tensor4D).size + 1).reshape(f(v as tf.Tensor4D).shape))))(t).dataSync());
    return [g((v) => tf.avgPool(v, 6, 6, 'valid')), g((v) => tf.avgPool(v, 3, 3, 'valid')), g((v) => tf.avgPool(v, [2, 3], [2, 3], 'valid')), g((v) => tf.avgPool(v, 3, 2, 'same'))];
  }) });
  assert.ok(e < 1e-6, `relative error ${e}`);
});

test('max-pooling gradients match cpu exactly (our kernel): 2×2/2 valid, 3×3/2 same, 3×3/1 overlapping, odd sizes, ties and −∞ windows, non-integer dy', async () => {
  const x = rand(2 * 7 * 9 * 3);
  const px = (b: number, y: number, xx: number, ch: number) => ((b * 7 + y) * 9 + xx) * 3 + ch;
  // ties at the window maximum (the first one takes the gradient) and windows of −∞ only (no gradient at all)
  for (let y = 0; y < 4; y++) for (let xx = 2; xx < 6; xx++) x[px(0, y, xx, 1)] = 9;
  for (let y = 3; y < 7; y++) for (let xx = 0; xx < 4; xx++) x[px(1, y, xx, 2)] = -Infinity;
  const dyData = rand(2 * 7 * 9 * 3);
  const e = await onBoth({ name: 'maxpool', run: () => tf.tidy(() => {
    const t = tf.tensor4d(x, [2, 7, 9, 3]);
    // non-integer weights on the outputs: overlapping windows sum several of them into one pixel (in f64, rounded once)
    const g = (f: (v: tf.Tensor4D) => tf.Tensor) => {
      const shape = f(t).shape, w = tf.tensor(dyData.subarray(0, f(t).size), shape);
      return Float32Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor4D), w)))(t).dataSync());
    };
    return [g((v) => tf.maxPool(v, 2, 2, 'valid')), g((v) => tf.maxPool(v, 3, 2, 'same')), g((v) => tf.maxPool(v, 3, 1, 'valid')),
      g((v) => tf.maxPool(v, [2, 3], [1, 2], 'same'))];
  }) });
  assert.is(e, 0, `relative error ${e}`);
});

test('Add / Sub / Multiply with a per-channel vector (our kernel, both orders, [C] and [1,1,1,C]) equal cpu exactly; other shapes still work', async () => {
  const big = rand(2 * 5 * 3 * 7), vec = rand(7), same = rand(2 * 5 * 3 * 7);
  const e = await onBoth({ name: 'per-channel binary', run: () => tf.tidy(() => {
    const x = tf.tensor4d(big, [2, 5, 3, 7]), v1 = tf.tensor1d(vec), v4 = tf.tensor4d(vec, [1, 1, 1, 7]), y = tf.tensor4d(same, [2, 5, 3, 7]);
    const outs = [tf.add(x, v1), tf.add(v4, x), tf.sub(x, v4), tf.sub(v1, x), tf.mul(x, v1), tf.mul(v4, x),
      tf.add(x, y), tf.sub(x, tf.tensor4d(vec.subarray(0, 3), [1, 1, 3, 1])), tf.mul(tf.tensor2d(big.subarray(0, 14), [2, 7]), v1),
      tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32'))];
    return outs.map((t) => Float32Array.from(t.dataSync()));
  }) });
  assert.is(e, 0, `relative error ${e}`);
});

test('batched matMul with transposes matches cpu', async () => {
  const ad = rand(2 * 4 * 3), bd = rand(2 * 5 * 4);
  const e = await onBoth({ name: 'bmm', run: () => tf.tidy(() => [tf.matMul(tf.tensor3d(ad, [2, 4, 3]), tf.tensor3d(bd, [2, 5, 4]), true, true).dataSync() as Float32Array]) });
  assert.ok(e < 1e-4, `relative error ${e}`);
});

test('a dense layer trains on wasm with no leaked tensors', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const w = tf.variable(tf.tensor2d(rand(12), [4, 3]));
  const x = tf.tensor2d(rand(20), [4, 5]);
  const opt = tf.train.sgd(0.1);
  const step = () => opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w, true, false).transpose())) as tf.Scalar);
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  assert.is(tf.memory().numTensors, before);
  tf.dispose([w, x]); opt.dispose();
});

test('conv training steps leak no tensors', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const w = tf.variable(tf.tensor4d(rand(3 * 3 * 2 * 4), [3, 3, 2, 4]));
  const x = tf.tensor4d(rand(2 * 6 * 6 * 2), [2, 6, 6, 2]);
  const opt = tf.train.sgd(0.01);
  const step = () => opt.minimize(() => tf.sum(tf.square(tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', activation: 'relu' }))) as tf.Scalar);
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) step();
  assert.is(tf.memory().numTensors, before);
  // inference outside a tape caches nothing
  for (let i = 0; i < 12; i++) tf.tidy(() => { tf.conv2d(x, w, 1, 'same'); });
  assert.is(tf.memory().numTensors, before);
  tf.dispose([w, x]); opt.dispose();
});

test.run();

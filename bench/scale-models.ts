// Model pairs for the scale bench: two models of the same architecture with different seeded random weights (the
// programming cost of a switch depends on the weights' levels, not on training). LeNet-5 and the CIFAR-style
// ResNet-18 (11.2 M weights) and VGG-16 (15.0 M) come from the zoo; the 784-1024-1024-10 MLP is built here.
//
//   node --import tsx bench/scale-models.ts OUT_DIR [lenet5 mlp1024 resnet18 vgg16]
//   → OUT_DIR/<name>-a/model.json, OUT_DIR/<name>-b/model.json (skipped when present)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/training/zoo.js';
import { fileSaveHandler } from '../src/mapping/load-node.js';

export type ScaleModel = 'lenet5' | 'mlp1024' | 'resnet18' | 'vgg16';
export const SCALE_MODELS: readonly ScaleModel[] = ['lenet5', 'mlp1024', 'resnet18', 'vgg16'];

/** One model of the pair; `seed` fixes every weight. */
export function buildScaleModel(name: ScaleModel, seed: number): tf.LayersModel {
  if (name !== 'mlp1024') return buildModel(name, { seed });
  let k = 0;
  const he = () => tf.initializers.heNormal({ seed: ((seed * 7919 + ++k * 104729) >>> 0) % 2147483647 });
  const dense = (units: number, activation: 'relu' | 'softmax', n: string) =>
    tf.layers.dense({ units, activation, kernelInitializer: he(), biasInitializer: 'zeros', name: n });
  return tf.sequential({ name: 'mlp1024', layers: [
    tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
    dense(1024, 'relu', 'fc1'), dense(1024, 'relu', 'fc2'), dense(10, 'softmax', 'out'),
  ] });
}

/** Writes the pair (seeds 1 and 2) under dir unless it is there; returns the two model.json paths. */
export async function ensurePair(dir: string, name: ScaleModel): Promise<[string, string]> {
  const paths: [string, string] = [join(dir, `${name}-a`, 'model.json'), join(dir, `${name}-b`, 'model.json')];
  for (const [k, p] of paths.entries()) {
    if (existsSync(p)) continue;
    const m = buildScaleModel(name, k + 1);
    await m.save(fileSaveHandler(join(dir, `${name}-${k ? 'b' : 'a'}`)));
    m.dispose();
  }
  return paths;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...names] = process.argv.slice(2);
  if (!dir) throw new Error('usage: node --import tsx bench/scale-models.ts OUT_DIR [lenet5 mlp1024 resnet18 vgg16]');
  for (const n of (names.length ? names : SCALE_MODELS) as ScaleModel[]) {
    if (!SCALE_MODELS.includes(n)) throw new Error(`unknown model ${n}; use ${SCALE_MODELS.join(', ')}`);
    const [a, b] = await ensurePair(dir, n);
    const m = buildScaleModel(n, 1);
    console.log(`${n}: ${m.countParams().toLocaleString('en-US')} parameters → ${a}, ${b}`);
    m.dispose();
  }
}

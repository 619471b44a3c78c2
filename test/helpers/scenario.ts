// A tiny two-layer MLP with synthetic labelled data, as a scenario model (shared by the scenario tests).
import * as tf from '@tensorflow/tfjs';
import { RefRng } from '../../src/reference/rng.js';
import { importLayersModel } from '../../src/mapping/import.js';
import type { ScenarioModel } from '../../src/scenario/index.js';

export async function tinyModel(seed: number, name: string): Promise<ScenarioModel> {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [24], units: 20, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  const model = await importLayersModel(m);
  const r = new RefRng(seed, 1);
  const n = 30;
  const images = Float32Array.from({ length: n * 24 }, () => r.uniform());
  const labels = Int32Array.from({ length: n }, () => r.nextU32() % 4);
  return { name, architecture: 'mlp-24-20-4', task: `synthetic-${seed}`, model, calib: images.subarray(0, 8 * 24), calibN: 8, test: { images, labels, n } };
}

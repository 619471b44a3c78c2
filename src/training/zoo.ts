// Model zoo: only layers the crossbar mapper supports — Dense, Conv2D (valid/same, strides, dilation 1),
// activations, MaxPooling2D, AveragePooling2D, Flatten, Dropout, BatchNormalization (folded into the preceding layer
// by the mapper) and Add (residuals). Layers keep use_bias (the bias is added digitally on the host).
// The paper-scale CIFAR-style models (resnet18, vgg16) are in zoo-cifar.ts.
import * as tf from '@tensorflow/tfjs';
import { buildResnet18, buildVgg16 } from './zoo-cifar.js';

export type ZooModelName = 'mlp' | 'lenet5' | 'vgg' | 'resnet' | 'resnet18' | 'vgg16';
export const zooModelNames: readonly ZooModelName[] = ['mlp', 'lenet5', 'vgg', 'resnet', 'resnet18', 'vgg16'];

/** The models sized for 32×32×3 (CIFAR-style) inputs, which they get by default. */
export const cifarZooModels: readonly ZooModelName[] = ['resnet18', 'vgg16'];

export interface ZooOptions {
  /** Input shape [H, W, C] (default MNIST [28, 28, 1]; [32, 32, 3] for resnet18 and vgg16). */
  inputShape?: [number, number, number];
  numClasses?: number;
  /** Seeds the initializers (and dropout masks), so the same seed gives the same initial model. */
  seed?: number;
  /** resnet18 / vgg16 only: channel multiplier (default 1, the published widths; tests use narrow copies). */
  width?: number;
}

/** Layer class names the crossbar path understands (checked by assertMappable). */
export const mappableLayerClasses: ReadonlySet<string> = new Set([
  'InputLayer', 'Dense', 'Conv2D', 'Activation', 'ReLU', 'MaxPooling2D', 'AveragePooling2D', 'Flatten', 'Dropout',
  'BatchNormalization', 'Add',
]);

/** Throws naming the first layer the crossbar mapper cannot take. */
export function assertMappable(model: tf.LayersModel): void {
  for (const l of model.layers) {
    const cls = l.getClassName();
    if (!mappableLayerClasses.has(cls)) {
      throw new Error(`layer '${l.name}' (${cls}) is not supported by the crossbar mapper; use ${[...mappableLayerClasses].join(', ')}`);
    }
    const cfg = l.getConfig() as { dilationRate?: number | number[]; dataFormat?: string };
    if (cls === 'Conv2D') {
      const d = ([] as number[]).concat(cfg.dilationRate ?? 1);
      if (d.some((v) => v !== 1)) throw new Error(`layer '${l.name}': dilation ${d.join('×')} is not supported by the crossbar mapper; use dilation 1`);
    }
  }
}

function seeder(seed: number | undefined): () => number | undefined {
  let k = 0;
  return () => (seed === undefined ? undefined : ((seed * 1009 + ++k * 7919) >>> 0) % 2147483647);
}

export function buildModel(name: ZooModelName, opts: ZooOptions = {}): tf.LayersModel {
  const cifar = cifarZooModels.includes(name);
  const inputShape = opts.inputShape ?? (cifar ? [32, 32, 3] : [28, 28, 1]);
  const numClasses = opts.numClasses ?? 10;
  const next = seeder(opts.seed);
  if (opts.width !== undefined && !(opts.width > 0 && Number.isFinite(opts.width))) throw new Error(`width must be a positive number, got ${opts.width}`);
  if (opts.width !== undefined && !cifar) throw new Error(`width applies to ${cifarZooModels.join(' and ')} only, not ${name}`);
  if (cifar) {
    const o = { inputShape, numClasses, width: opts.width ?? 1, nextSeed: next };
    return name === 'resnet18' ? buildResnet18(o) : buildVgg16(o);
  }
  const ki = () => tf.initializers.heNormal({ seed: next() });
  const gi = () => tf.initializers.glorotUniform({ seed: next() });
  const dense = (units: number, activation: 'relu' | 'softmax' | 'linear', name: string, init = activation === 'relu' ? ki() : gi()) =>
    tf.layers.dense({ units, activation, kernelInitializer: init, useBias: true, name });
  const conv = (filters: number, k: number, name: string, o: { strides?: number; padding?: 'same' | 'valid'; activation?: 'relu' | 'linear' } = {}) =>
    tf.layers.conv2d({ filters, kernelSize: k, strides: o.strides ?? 1, padding: o.padding ?? 'same', activation: o.activation ?? 'relu',
      kernelInitializer: ki(), useBias: true, name });

  switch (name) {
    case 'mlp': {
      return tf.sequential({ name: 'mlp', layers: [
        tf.layers.flatten({ inputShape, name: 'flatten' }),
        dense(256, 'relu', 'fc1'),
        dense(128, 'relu', 'fc2'),
        dense(numClasses, 'softmax', 'fc3'),
      ] });
    }
    case 'lenet5': {
      // LeCun et al. 1998 with ReLU and max pooling: C1 6@5×5 (same, 28×28) → S2 → C3 16@5×5 valid → S4 → 120 → 84 → 10
      return tf.sequential({ name: 'lenet5', layers: [
        tf.layers.conv2d({ inputShape, filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: ki(), name: 'c1' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 's2' }),
        conv(16, 5, 'c3', { padding: 'valid' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 's4' }),
        tf.layers.flatten({ name: 'flatten' }),
        dense(120, 'relu', 'f5'),
        dense(84, 'relu', 'f6'),
        dense(numClasses, 'softmax', 'out'),
      ] });
    }
    case 'vgg': {
      // small VGG: 3×3 convs [16,16] → pool → [32,32] → pool → dense 128 → out (≈10 MFLOP per 28×28 image)
      return tf.sequential({ name: 'vgg', layers: [
        tf.layers.conv2d({ inputShape, filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: ki(), name: 'conv1a' }),
        conv(16, 3, 'conv1b'),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
        conv(32, 3, 'conv2a'),
        conv(32, 3, 'conv2b'),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dropout({ rate: 0.25, seed: next(), name: 'drop' }),
        dense(128, 'relu', 'fc1'),
        dense(numClasses, 'softmax', 'out'),
      ] });
    }
    case 'resnet': {
      // small ResNet: stem conv-BN-ReLU 16, three stages of one residual block each (16; 32 and 64 with stride 2 and
      // a 1×1 projection shortcut: 28 → 14 → 7), global average pooling as AveragePooling2D + Flatten, dense out.
      // (Two stages ended on a 14×14 map whose average lost the digit's layout: 91 % on MNIST after an epoch.)
      const input = tf.input({ shape: inputShape, name: 'input' });
      const cbr = (x: tf.SymbolicTensor, f: number, k: number, s: number, n: string, relu = true): tf.SymbolicTensor => {
        let y = conv(f, k, `${n}_conv`, { strides: s, activation: 'linear' }).apply(x) as tf.SymbolicTensor;
        // momentum 0.9 (not Keras' 0.99): the moving statistics must settle within the few hundred steps we train
        y = tf.layers.batchNormalization({ name: `${n}_bn`, momentum: 0.9 }).apply(y) as tf.SymbolicTensor;
        return relu ? tf.layers.activation({ activation: 'relu', name: `${n}_relu` }).apply(y) as tf.SymbolicTensor : y;
      };
      const block = (x: tf.SymbolicTensor, f: number, s: number, n: string): tf.SymbolicTensor => {
        const inC = x.shape[x.shape.length - 1];
        let y = cbr(x, f, 3, s, `${n}a`);
        y = cbr(y, f, 3, 1, `${n}b`, false);
        const sc = s !== 1 || inC !== f ? cbr(x, f, 1, s, `${n}p`, false) : x;
        const sum = tf.layers.add({ name: `${n}_add` }).apply([y, sc]) as tf.SymbolicTensor;
        return tf.layers.activation({ activation: 'relu', name: `${n}_out` }).apply(sum) as tf.SymbolicTensor;
      };
      let x = cbr(input, 16, 3, 1, 'stem');
      x = block(x, 16, 1, 'res1');
      x = block(x, 32, 2, 'res2');
      x = block(x, 64, 2, 'res3');
      const hw = x.shape.slice(1, 3) as number[];
      x = tf.layers.averagePooling2d({ poolSize: [hw[0]!, hw[1]!], name: 'gap' }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
      const out = dense(numClasses, 'softmax', 'out').apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out, name: 'resnet' });
    }
    default:
      throw new Error(`unknown model '${name as string}'; use one of ${zooModelNames.join(', ')}`);
  }
}

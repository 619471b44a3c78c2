// Paper-scale zoo models for 32×32×3 (CIFAR-style) inputs, with the layer shapes the PyTorch community uses for
// CIFAR, so that mapping and switching experiments run at the size of the published ones:
//   resnet18 — 3×3 stem of 64 (no max pool), four stages of two basic blocks (64, 128, 256, 512; stride 2 from the
//              second on, 1×1 projection + BN shortcuts), average pooling over the last 4×4 map, one Dense:
//              11.17 M weights on 32×32×3;
//   vgg16    — VGG-16 with BN: 13 3×3 convs (64, 64, M, 128, 128, M, 256 ×3, M, 512 ×3, M, 512 ×3, M), then Dense 512,
//              dropout, Dense classes: 14.98 M weights on 32×32×3.
// Convs before a BatchNormalization have no bias (as in PyTorch); the mapper folds the BN into them.
// `width` scales every channel count (tests build narrow copies); weights are He-normal from the seed.
import * as tf from '@tensorflow/tfjs';

export interface CifarZooOptions {
  inputShape: [number, number, number];
  numClasses: number;
  /** Channel multiplier (1 = the published widths). */
  width: number;
  /** Next initializer seed (undefined = unseeded). */
  nextSeed: () => number | undefined;
}

type ST = tf.SymbolicTensor;

function layersOf(o: CifarZooOptions) {
  const ch = (c: number): number => Math.max(1, Math.round(c * o.width));
  const conv = (x: ST, filters: number, k: number, stride: number, name: string): ST =>
    tf.layers.conv2d({
      filters: ch(filters), kernelSize: k, strides: stride, padding: 'same', useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: o.nextSeed() }), name,
    }).apply(x) as ST;
  // momentum 0.9 (not Keras' 0.99): the moving statistics must settle within the few hundred steps we train
  const bn = (x: ST, name: string): ST => tf.layers.batchNormalization({ name, momentum: 0.9 }).apply(x) as ST;
  const relu = (x: ST, name: string): ST => tf.layers.activation({ activation: 'relu', name }).apply(x) as ST;
  const dense = (x: ST, units: number, activation: 'relu' | 'softmax', name: string): ST =>
    tf.layers.dense({
      units, activation, useBias: true, name,
      kernelInitializer: activation === 'relu' ? tf.initializers.heNormal({ seed: o.nextSeed() }) : tf.initializers.glorotUniform({ seed: o.nextSeed() }),
    }).apply(x) as ST;
  return { ch, conv, bn, relu, dense };
}

/** CIFAR-style ResNet-18 (He et al. 2016, basic blocks [2, 2, 2, 2]). */
export function buildResnet18(o: CifarZooOptions): tf.LayersModel {
  const { ch, conv, bn, relu, dense } = layersOf(o);
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  const block = (x: ST, filters: number, stride: number, n: string): ST => {
    let y = relu(bn(conv(x, filters, 3, stride, `${n}_conv1`), `${n}_bn1`), `${n}_relu1`);
    y = bn(conv(y, filters, 3, 1, `${n}_conv2`), `${n}_bn2`);
    const inC = x.shape[x.shape.length - 1];
    const shortcut = stride !== 1 || inC !== ch(filters) ? bn(conv(x, filters, 1, stride, `${n}_proj`), `${n}_proj_bn`) : x;
    return relu(tf.layers.add({ name: `${n}_add` }).apply([y, shortcut]) as ST, `${n}_out`);
  };
  let x = relu(bn(conv(input, 64, 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
  [64, 128, 256, 512].forEach((f, s) => {
    x = block(x, f, s === 0 ? 1 : 2, `layer${s + 1}_0`);
    x = block(x, f, 1, `layer${s + 1}_1`);
  });
  const [h, w] = x.shape.slice(1, 3) as number[];
  x = tf.layers.averagePooling2d({ poolSize: [h!, w!], name: 'avgpool' }).apply(x) as ST;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as ST;
  return tf.model({ inputs: input, outputs: dense(x, o.numClasses, 'softmax', 'fc'), name: 'resnet18' });
}

const VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

/** CIFAR-style VGG-16 with BatchNormalization (Simonyan & Zisserman 2015; the 512-wide classifier used for CIFAR). */
export function buildVgg16(o: CifarZooOptions): tf.LayersModel {
  const [h, w] = o.inputShape;
  if (h < 32 || w < 32) {
    throw new Error(`vgg16 halves the image five times and needs at least 32×32 inputs, got ${h}×${w}; use resnet18 or a 32×32 task`);
  }
  const { conv, bn, relu, dense } = layersOf(o);
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x: ST = input;
  let stage = 1, idx = 1;
  for (const v of VGG16) {
    if (v === 'M') {
      x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${stage}` }).apply(x) as ST;
      stage++; idx = 1;
      continue;
    }
    const n = `conv${stage}_${idx++}`;
    x = relu(bn(conv(x, v, 3, 1, n), `${n}_bn`), `${n}_relu`);
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as ST;
  x = dense(x, 512, 'relu', 'fc1');
  x = tf.layers.dropout({ rate: 0.5, seed: o.nextSeed(), name: 'drop' }).apply(x) as ST;
  return tf.model({ inputs: input, outputs: dense(x, o.numClasses, 'softmax', 'fc2'), name: 'vgg16' });
}

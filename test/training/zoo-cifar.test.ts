// The CIFAR-style resnet18 and vgg16 of the zoo: the published layer shapes and weight counts, seeded weights, and
// clear errors for inputs they cannot take.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src/training/zoo.js';
import { crossbarLayers, importLayersModel } from '../../src/mapping/index.js';

test.before(async () => { await tf.setBackend('cpu'); });

const shapes = (name: 'resnet18' | 'vgg16', width?: number) => {
  const m = buildModel(name, { seed: 1, ...(width ? { width } : {}) });
  const im = importLayersModel(m);
  const layers = crossbarLayers(im);
  const out = { params: m.countParams(), weights: layers.reduce((a, o) => a + o.rows * o.cols, 0), layers, im, m };
  return out;
};

test('resnet18: 21 crossbar layers, 11,164,352 weights (11.17 M trainable parameters, as PyTorch counts them)', () => {
  const { params, weights, layers, im, m } = shapes('resnet18');
  assert.is(layers.length, 21); // stem + 16 block convs + 3 projections + fc
  assert.is(weights, 11_164_352);
  // trainable = params − BN moving mean/variance (2 per BN channel)
  const bnChannels = m.layers.filter((l) => l.getClassName() === 'BatchNormalization').reduce((a, l) => a + (l.getWeights()[0]!.size), 0);
  assert.is(params - 2 * bnChannels, 11_173_962);
  assert.equal(im.inputShape, [32, 32, 3]);
  assert.equal(layers.map((l) => l.cols).slice(0, 5), [64, 64, 64, 64, 64]);
  assert.equal(layers[layers.length - 1]!.rows, 512);
  assert.not.ok(im.ops.some((o) => o.kind === 'scaleShift'), 'every BN folded into its conv');
  assert.ok(layers.filter((l) => l.kind === 'conv2d').every((l) => l.folded.length === 1));
  assert.equal(m.outputs[0]!.shape, [null, 10]);
  m.dispose();
});

test('vgg16: 15 crossbar layers, 14,977,728 weights', () => {
  const { weights, layers, im, m } = shapes('vgg16');
  assert.is(layers.length, 15);
  assert.is(weights, 14_977_728);
  assert.equal(layers.map((l) => l.cols), [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 10]);
  assert.is(im.ops.filter((o) => o.kind === 'maxPool').length, 5);
  m.dispose();
});

test('same seed, same weights; another seed, other weights', () => {
  const w = (seed: number) => buildModel('resnet18', { seed, width: 1 / 16 }).getWeights()[0]!.dataSync().slice(0, 40);
  assert.equal([...w(4)], [...w(4)]);
  assert.not.equal([...w(4)], [...w(5)]);
});

test('width, input shape and classes are honoured; bad values are refused', () => {
  const m = buildModel('resnet18', { width: 0.25, inputShape: [28, 28, 1], numClasses: 4, seed: 1 });
  assert.equal(m.inputs[0]!.shape, [null, 28, 28, 1]);
  assert.equal(m.outputs[0]!.shape, [null, 4]);
  assert.is(crossbarLayers(importLayersModel(m))[0]!.cols, 16);
  assert.throws(() => buildModel('vgg16', { inputShape: [28, 28, 1] }), /needs at least 32×32 inputs, got 28×28/);
  assert.throws(() => buildModel('resnet18', { width: 0 }), /width must be a positive number/);
  assert.throws(() => buildModel('lenet5', { width: 2 }), /width applies to resnet18 and vgg16 only/);
});

test.run();

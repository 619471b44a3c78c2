// Built-in model shapes for the page and the fingerprint: the crossbar layers (K inputs × N outputs) of small
// networks, so mapping needs no TF.js model file. Conv layers are listed as their im2col matrices
// (kh·kw·inC × outC). Pairs are what the page switches between (model A programmed first, then model B).
import type { LayerMatrix } from '../../src/mapping/placement.js';

export interface ModelShape { id: string; label: string; layers: LayerMatrix[] }

export const MODEL_SHAPES: ModelShape[] = [
  {
    id: 'mlp',
    label: 'MLP 784-256-128-10 (MNIST)',
    layers: [{ name: 'dense1', rows: 784, cols: 256 }, { name: 'dense2', rows: 256, cols: 128 }, { name: 'dense3', rows: 128, cols: 10 }],
  },
  {
    id: 'lenet5',
    label: 'LeNet-5 (MNIST)',
    layers: [
      { name: 'conv1', rows: 25, cols: 6 }, { name: 'conv2', rows: 150, cols: 16 }, { name: 'fc1', rows: 400, cols: 120 },
      { name: 'fc2', rows: 120, cols: 84 }, { name: 'fc3', rows: 84, cols: 10 },
    ],
  },
  {
    id: 'mlp-small',
    label: 'MLP 196-64-10 (MNIST 14×14)',
    layers: [{ name: 'dense1', rows: 196, cols: 64 }, { name: 'dense2', rows: 64, cols: 10 }],
  },
];

export function modelShape(id: string): ModelShape {
  const m = MODEL_SHAPES.find((s) => s.id === id);
  if (!m) throw new Error(`unknown model "${id}"; choose one of: ${MODEL_SHAPES.map((s) => s.id).join(', ')}`);
  return m;
}

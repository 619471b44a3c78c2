// Built-in models for the page and the fingerprint. Each has its crossbar layers (K inputs × N outputs, conv
// layers as their im2col matrices); dense chains also carry `dense` (layer sizes + weight draw), so the pipeline
// can build them with seeded weights and no TF.js (web/shared/pipeline.ts). "A"/"B" are two independent weight
// draws of one architecture: the pair the page switches between.
import type { LayerMatrix } from '../../src/mapping/placement.js';

export interface ModelShape {
  id: string;
  label: string;
  layers: LayerMatrix[];
  /** Seeded dense chain: layer sizes and which weight draw (0 = A, 1 = B). Absent: shape only (mapping). */
  dense?: { sizes: number[]; variant: number };
}

function chain(id: string, label: string, sizes: number[], variant: number): ModelShape {
  const layers = sizes.slice(1).map((cols, i) => ({ name: `dense${i + 1}`, rows: sizes[i]!, cols }));
  return { id, label, layers, dense: { sizes, variant } };
}

export const MODEL_SHAPES: ModelShape[] = [
  chain('mlp-small-a', 'MLP 196-64-10, weights A', [196, 64, 10], 0),
  chain('mlp-small-b', 'MLP 196-64-10, weights B', [196, 64, 10], 1),
  chain('mlp-a', 'MLP 784-256-128-10, weights A', [784, 256, 128, 10], 0),
  chain('mlp-b', 'MLP 784-256-128-10, weights B', [784, 256, 128, 10], 1),
  {
    id: 'lenet5',
    label: 'LeNet-5 layer shapes (mapping only)',
    layers: [
      { name: 'conv1', rows: 25, cols: 6 }, { name: 'conv2', rows: 150, cols: 16 }, { name: 'fc1', rows: 400, cols: 120 },
      { name: 'fc2', rows: 120, cols: 84 }, { name: 'fc3', rows: 84, cols: 10 },
    ],
  },
];

export function modelShape(id: string): ModelShape {
  const m = MODEL_SHAPES.find((s) => s.id === id);
  if (!m) throw new Error(`unknown model "${id}"; choose one of: ${MODEL_SHAPES.map((s) => s.id).join(', ')}`);
  return m;
}

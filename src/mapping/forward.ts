// Forward pass over an ImportedModel with host ops in TS and a pluggable matrix product for the crossbar layers.
// The default product is float (f64 accumulation), which gives the float reference of the imported model; the
// crossbar inference engine passes its own `mvm` (quantized or analog) and reuses everything else.
import { addAll, addBias, applyActivation, globalPool, im2col, matmul, pool2d, scaleShift, sizeOf, type HostTensor } from './hostops.js';
import type { CrossbarOp, ImportedModel } from './types.js';

/**
 * Product of one crossbar layer: `x` is an M×K row-major matrix (M = batch for Dense, batch·outH·outW im2col
 * patches for Conv2D); returns the M×N product x·W WITHOUT bias (the forward pass adds bias and activation).
 */
export type MvmFn = ((op: CrossbarOp, x: Float32Array, M: number) => Float32Array) & {
  /**
   * Optional: the whole crossbar layer — product, bias and activation — from the layer's input (a Conv2D layer's
   * input images, batch × inH·inW·inC HWC, not its im2col patches), for products that do im2col and the element-wise
   * rest themselves (the ideal crossbar path, in wasm). Must equal the product on im2col(x) followed by addBias and
   * applyActivation.
   */
  layer?: (op: CrossbarOp, x: Float32Array, batch: number) => Float32Array;
};

export const floatMvm: MvmFn = (op, x, M) => matmul(x, op.weights, M, op.rows, op.cols);

/** Runs one crossbar layer on a batch: im2col (Conv2D), product, bias, activation. */
export function runCrossbarOp(op: CrossbarOp, x: Float32Array, batch: number, mvm: MvmFn = floatMvm): Float32Array {
  if (mvm.layer) {
    const g = op.conv, inSize = g ? g.inH * g.inW * g.inC : op.rows;
    if (x.length !== batch * inSize) throw new Error(`layer ${op.name}: input has ${x.length / batch} values per sample, expected ${inSize}`);
    return mvm.layer(op, x, batch);
  }
  let M = batch;
  let patches = x;
  if (op.kind === 'conv2d') {
    const g = op.conv!;
    patches = im2col(x, batch, g);
    M = batch * g.outH * g.outW;
  }
  if (patches.length !== M * op.rows) {
    throw new Error(`layer ${op.name}: input has ${patches.length / batch} values per sample, expected ${op.rows * M / batch}`);
  }
  const y = mvm(op, patches, M);
  addBias(y, op.bias);
  applyActivation(op.activation, y, op.cols);
  return y;
}

/**
 * Runs the model on a batch (`input` holds batch·prod(inputShape) values, sample-major). Returns the output
 * tensor (and, if `keepAll`, every op's output in `all`).
 */
export function forward(
  model: ImportedModel, input: Float32Array, batch: number, mvm: MvmFn = floatMvm, keepAll = false,
): HostTensor & { all?: Float32Array[] } {
  const inSize = sizeOf(model.inputShape);
  if (!Number.isInteger(batch) || batch < 1 || input.length !== batch * inSize) {
    throw new Error(`forward: input has ${input.length} values; expected batch (${batch}) × ${inSize} (shape [${model.inputShape.join(', ')}])`);
  }
  const outs: Float32Array[] = [];
  const src = (i: number): Float32Array => (i < 0 ? input : outs[i]);
  for (const op of model.ops) {
    const x = src(op.inputs[0]);
    let y: Float32Array;
    switch (op.kind) {
      case 'dense': case 'conv2d': y = runCrossbarOp(op, x, batch, mvm); break;
      case 'maxPool': y = pool2d('max', x, batch, op.geom); break;
      case 'avgPool': y = pool2d('avg', x, batch, op.geom); break;
      case 'globalAvgPool': case 'globalMaxPool': {
        const C = op.outShape[0];
        y = globalPool(op.kind === 'globalAvgPool' ? 'avg' : 'max', x, batch, x.length / batch / C, C);
        break;
      }
      case 'flatten': y = x; break;
      case 'activation': y = Float32Array.from(x); applyActivation(op.activation, y, op.outShape[op.outShape.length - 1]); break;
      case 'add': y = addAll(op.inputs.map(src)); break;
      case 'scaleShift': y = scaleShift(x, op.scale, op.shift); break;
    }
    outs.push(y);
    if (!keepAll) {
      // Free outputs nobody later needs (keeps memory flat on deep nets).
      const idx = outs.length - 1;
      for (const i of op.inputs) if (i >= 0 && i !== model.output && !model.ops.slice(idx + 1).some((o) => o.inputs.includes(i))) outs[i] = EMPTY;
    }
  }
  const result: HostTensor & { all?: Float32Array[] } = { batch, shape: model.ops[model.output].outShape, data: outs[model.output] };
  if (keepAll) result.all = outs;
  return result;
}

const EMPTY = new Float32Array(0);

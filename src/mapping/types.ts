// The imported model: an ordered list of ops over channels-last activations (DESIGN §2.2, §3.1).
//
// Ops are in topological order; `inputs` holds indices of earlier ops (or -1 for the model input), so sequential
// models are chains and residual nets (Add) are small DAGs. Shapes exclude the batch dimension; images are HWC.
//
// Crossbar layers (Dense, Conv2D) carry their weights as a K×N row-major matrix: K inputs (rows of the crossbar),
// N outputs (columns). For Conv2D the rows are in im2col order
//     k = (ky·kw + kx)·cin + ci
// which is exactly TF's HWIO kernel [kh, kw, cin, cout] reshaped to [kh·kw·cin, cout] (see im2col in hostops.ts,
// which builds patch vectors in the same order).

export type Padding = 'valid' | 'same';

/** Activation functions the host applies (after bias, or as an Activation layer). */
export type ActivationName =
  | 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'hardSigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'softplus'
  | 'softsign' | 'swish';

/**
 * Geometry of a 2-D window op (conv or pool) over an HWC input. Padding is explicit (TF "same" rule applied);
 * 'explicit' = given per side (ONNX pads): the bottom/right padding is what outH/outW imply.
 */
export interface WindowGeometry {
  inH: number; inW: number; inC: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padding: Padding | 'explicit';
  /** Top/left zero padding (for "same": floor(total/2), TF's rule; 0 for "valid"). */
  padTop: number; padLeft: number;
  outH: number; outW: number;
}

interface OpBase {
  /** Name of the source layer (for messages); folded BN layers are listed in `folded`. */
  name: string;
  /** Indices of the ops feeding this one; -1 = the model input. */
  inputs: number[];
  /** Output shape without the batch dimension. */
  outShape: number[];
}

/** A layer that runs on crossbars: y = act(x · W + b), x of length K (an im2col patch for Conv2D). */
export interface CrossbarOp extends OpBase {
  kind: 'dense' | 'conv2d';
  /** Index among the model's crossbar layers (0-based, in op order): the `layer` of placement blocks. */
  layer: number;
  /** K = rows of the matrix (Dense: units in; Conv2D: kh·kw·cin). */
  rows: number;
  /** N = columns of the matrix (Dense: units out; Conv2D: cout). */
  cols: number;
  /** K×N row-major weights (BatchNormalization already folded in). */
  weights: Float32Array;
  /** N biases (zeros if the layer had none; BN folded in). */
  bias: Float32Array;
  activation: ActivationName;
  /** Conv2D only: window geometry (input/output HWC shapes, kernel, strides, padding). */
  conv?: WindowGeometry;
  /** Names of BatchNormalization layers folded into this one. */
  folded: string[];
}

export interface PoolOp extends OpBase {
  kind: 'maxPool' | 'avgPool';
  geom: WindowGeometry;
}

export interface GlobalPoolOp extends OpBase {
  kind: 'globalAvgPool' | 'globalMaxPool';
}

export interface FlattenOp extends OpBase { kind: 'flatten' }

export interface ActivationOp extends OpBase { kind: 'activation'; activation: ActivationName }

/** Element-wise sum of two or more same-shaped inputs (residual connections). */
export interface AddOp extends OpBase { kind: 'add' }

/**
 * A BatchNormalization that could not be folded (its producer is not a linear Dense/Conv2D, or feeds other ops
 * too): y = x·scale[c] + shift[c] over the last axis.
 */
export interface ScaleShiftOp extends OpBase { kind: 'scaleShift'; scale: Float32Array; shift: Float32Array }

export type HostOp = PoolOp | GlobalPoolOp | FlattenOp | ActivationOp | AddOp | ScaleShiftOp;
export type Op = CrossbarOp | HostOp;

export interface ImportedModel {
  /** Model name (from the LayersModel, or the ONNX file's name). */
  name: string;
  /** Input shape without the batch dimension (e.g. [28, 28, 1] or [784]). */
  inputShape: number[];
  ops: Op[];
  /** Index of the op whose output is the model output. */
  output: number;
  /**
   * Fixed per-layer weight scales by layer name (model.json userDefinedMetadata.ha3m.weightScales, written by MMR so
   * that tied blocks of different models quantize to the same integers); quantizeModel uses them instead of
   * max|w| / (2^(weightBits−1) − 1).
   */
  weightScales?: Record<string, number>;
}

export const isCrossbarOp = (op: Op): op is CrossbarOp => op.kind === 'dense' || op.kind === 'conv2d';

/** The crossbar layers of a model, in order (index i has `layer === i`). */
export function crossbarLayers(model: ImportedModel): CrossbarOp[] {
  return model.ops.filter(isCrossbarOp);
}

/** Error in a model file or model structure; the message names the file/layer and what to do. */
export class ModelImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelImportError';
  }
}

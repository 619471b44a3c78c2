// Folding a per-channel affine map (an inference BatchNormalization, or a bias Add) into the crossbar layer before it.
import { ModelImportError, type CrossbarOp } from './types.js';

/**
 * Folds y = z·s + t (per output column) into the crossbar layer z = x·W + b: W[:, n] ·= s[n], b[n] = b[n]·s[n] + t[n].
 * Valid only when the layer's own activation is linear (checked by the caller).
 */
export function foldBatchNorm(op: CrossbarOp, scale: Float32Array, shift: Float32Array, bnName: string): void {
  const N = op.cols;
  if (scale.length !== N) throw new ModelImportError(`layer "${bnName}" normalizes ${scale.length} channels but "${op.name}" has ${N} outputs`);
  const w = op.weights;
  for (let k = 0; k < op.rows; k++) for (let n = 0; n < N; n++) w[k * N + n] = w[k * N + n] * scale[n];
  for (let n = 0; n < N; n++) op.bias[n] = op.bias[n] * scale[n] + shift[n];
  op.folded.push(bnName);
}

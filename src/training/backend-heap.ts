// What our tfjs-wasm kernels (kernels.ts, conv-kernels.ts) need of the backend: its heap views, output allocation,
// shape sizes and dtype checks.
import type * as tf from '@tensorflow/tfjs';

export type KernelFunc = tf.KernelConfig['kernelFunc'];

/** The parts of tfjs-backend-wasm's backend object our kernels use (its heap views and output allocation). */
export interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
export const heap = (backend: unknown, t: tf.TensorInfo): Float32Array => (backend as WasmBackendLike).typedArrayFromHeap(t);
export const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export const f32 = (...ts: Array<tf.TensorInfo | undefined>): boolean => ts.every((t) => !t || t.dtype === 'float32');

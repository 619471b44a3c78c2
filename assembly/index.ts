// The one wasm binary. Kernels are flat functions over pointers into linear memory; the host (src/wasm/) owns
// every byte above heapBase(). No managed objects are allocated by any kernel.
export { rngSeed, rngFillU32, rngFillUniform, rngFillNormal, RNG_STATE_BYTES } from './rng';
export { detLog as mathLog, detExp as mathExp } from './detmath';
export * from './mvm';
export * from './analog';
export * from './program';
export * from './lap';
export * from './lap-sparse';
export * from './cost';
export * from './gemm';

/** First byte the host may use. */
export function heapBase(): usize {
  return __heap_base;
}

export { init, initSync, wasm, wasmSha256 } from './runtime.js';
export type { Ha3mExports } from './runtime.js';
export { Arena, WasmArray, arena } from './arena.js';
export type { ElementKind } from './arena.js';
export { WasmRng, StreamPurpose, streamId, seedHalves, RNG_STATE_BYTES } from './rng.js';
export { KERNELS, BACKENDS, wasmKernels, reference, resolveBackend, HostRng, detExp, detLog } from './kernels.js';
export type { Backend, KernelFamily, KernelFamilyName, KernelName } from './kernels.js';
export type { WasmExports } from './exports.generated.js';

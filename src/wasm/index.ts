export { init, initSync, wasm, wasmLoaded, wasmSha256 } from './runtime.js';
export type { Ha3mExports } from './runtime.js';
export { Arena, WasmArray, arena } from './arena.js';
export type { ElementKind } from './arena.js';
export { WasmRng, StreamPurpose, streamId, seedHalves, RNG_STATE_BYTES } from './rng.js';

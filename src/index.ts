// Public API of ha3m. Call `await init()` once before using kernels.
export { init, initSync, wasmSha256 } from './wasm/index.js';
export * from './hardware/index.js';
export * from './mapping/index.js';

// Training stack: backend set-up + wasm training kernels, datasets, model zoo, QAT, training loop, checkpoints.
export * from './backend.js';
export { patchWasmKernels, unpatchWasmKernels, wasmKernelsPatched, tileHost } from './kernels.js';
export { gemm, gemmHost, type GemmArgs, type GemmActivation } from './gemm.js';
export { HostAdam, type AdamStateJson } from './adam.js';
export * from './data/idx.js';
export * from './data/datasets.js';
export * from './data/fit.js';
export * from './zoo.js';
export * from './qat.js';
export * from './train.js';
export * from './checkpoint.js';
export * from './fold.js';
export * from './mmr.js';

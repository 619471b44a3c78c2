// Public API of ha3m. Call `await init()` once before using kernels.
export { init, initSync, wasmSha256 } from './wasm/index.js';
export * from './hardware/index.js';
export * from './mapping/index.js';
export { linearAssignment, linearAssignmentReference, AssignmentError } from './matching/assignment.js';
export type { AssignmentResult } from './matching/assignment.js';
export { blockCostMatrix, blockCostMatrixReference } from './matching/cost.js';
export type { BlockCostMode, BlockCostOptions, BlockCostResult } from './matching/cost.js';
export * from './programming/index.js';

// Matching (DESIGN §3.2): assignment solver and block cost matrices; BLM and routing build on these.
export { linearAssignment, AssignmentError, MAX_FINITE_COST } from './assignment.js';
export type { AssignmentResult, CostInput } from './assignment.js';
export { sparseAssignment } from './assignment-sparse.js';
export type { SparseCandidates } from './assignment-sparse.js';
export { blockCostMatrix, blockCostPairs, MAX_LEVELS } from './cost.js';
export type { BlockCostMode, BlockCostOptions, BlockCostResult } from './cost.js';
export * from './blocks.js';
export * from './blm.js';

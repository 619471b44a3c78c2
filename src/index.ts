// Public API of ha3m. Call `await init()` once before using kernels.
export { init, initSync, wasmSha256 } from './wasm/index.js';
export * from './hardware/index.js';
export * from './mapping/index.js';
export { linearAssignment, AssignmentError } from './matching/assignment.js';
export type { AssignmentResult } from './matching/assignment.js';
export { blockCostMatrix } from './matching/cost.js';
export type { BlockCostMode, BlockCostOptions, BlockCostResult } from './matching/cost.js';
export * from './programming/index.js';
export { blmPlacement, checkRouting } from './matching/blm.js';
export type { BlmOptions, BlmResult } from './matching/blm.js';
export * from './inference/index.js';
export { runScenario, runStrategy, prepareModels, STRATEGIES, STRATEGY_NAMES, STRATEGY_DESCRIPTIONS, ScenarioError, switchModel } from './scenario/index.js';
export type { ScenarioSpec, ScenarioModel, Results, StrategyResult, SwitchRecord, StrategyName, Strategy, SwitchOptions, SwitchResult } from './scenario/index.js';
export { parseScenarioFile, sequenceOf } from './scenario/file.js';
export { markdownSummary, htmlReport, validateResults } from './report/index.js';

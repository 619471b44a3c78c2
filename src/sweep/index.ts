// Design-space sweeps (Node): grids of hardware/scenario parameters run in parallel, resumable and shardable.
export * from './types.js';
export * from './grid.js';
export * from './records.js';
export * from './point.js';
export * from './run.js';
export * from './files.js';
export * from './lock.js';
export * from './workers.js';
export * from './report.js';

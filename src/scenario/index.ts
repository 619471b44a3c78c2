export * from './types.js';
export * from './strategies.js';
export * from './switch.js';
export * from './run.js';
export * from './file.js';

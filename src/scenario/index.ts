export * from './types.js';
export * from './run.js';
export * from './strategies.js';
export * from './file.js';

export * from './config.js';
export * from './presets.js';
export * from './resolve.js';
export * from './derived.js';
export * from './quantize.js';
export * from './encode.js';
export * from './mvm.js';

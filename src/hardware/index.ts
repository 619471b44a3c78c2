export * from './config.js';
export * from './presets.js';
export * from './resolve.js';
export * from './derived.js';
export * from './quantize.js';

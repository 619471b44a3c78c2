// Crossbar-simulated inference: quantized model, placement targets, programming a model, the engine.
export * from './quantized-model.js';
export * from './targets.js';
export * from './program-model.js';
export * from './engine.js';

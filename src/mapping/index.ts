// Model import, tiling, baseline mapping and XAMM (DESIGN §3.1). Node-only file loading is in ./load-node.js
// (not re-exported here, so browser bundles never pull in node:fs).
export * from './types.js';
export * from './hostops.js';
export * from './forward.js';
export * from './import.js';
export * from './placement.js';
export * from './xamm.js';
export * from './map.js';
export * from './onnx/index.js';

// ONNX import (bytes in, ImportedModel out; no fs: Node file loading is in ../load-node.ts).
export { importOnnx, SUPPORTED_ONNX_OPS, type OnnxImportOptions } from './import-onnx.js';
export { importOnnxUrl } from './fetch.js';
export { externalDataLocations, OnnxImportError, MIN_OPSET, MAX_OPSET, type OnnxErrorCode, type ExternalDataReader } from './decode.js';

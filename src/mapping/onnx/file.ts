// Node-only: an ONNX model from a file, with its external-data files read from beside it. Not re-exported by
// ./index.ts, so browser bundles never see node:fs.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModelImportError, type ImportedModel } from '../types.js';
import { importOnnx } from './import-onnx.js';

export const isOnnxPath = (p: string): boolean => /\.onnx$/i.test(p);

/** Reads and imports an .onnx file; external-data files (if any) are read relative to its directory. */
export function loadOnnxFile(path: string): ImportedModel {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw new ModelImportError(`${path} is a directory, not an .onnx file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(`ONNX model ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; pass the path of an .onnx file`);
  }
  const dir = dirname(path);
  const readExternal = (location: string): Uint8Array | undefined => {
    try {
      return readFileSync(join(dir, location));
    } catch {
      return undefined;
    }
  };
  return importOnnx(bytes, { source: path, name: basename(path).replace(/\.onnx$/i, ''), readExternal });
}

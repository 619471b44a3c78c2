// An ONNX model from a URL (fetch: Node and browsers alike), with its external-data files fetched from beside it.
import { ModelImportError, type ImportedModel } from '../types.js';
import { externalDataLocations } from './decode.js';
import { importOnnx } from './import-onnx.js';

async function fetchBytes(url: string, what: string): Promise<Uint8Array | undefined> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelImportError(`cannot fetch ${what} ${url}: ${(e as Error).message}`);
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new ModelImportError(`cannot fetch ${what} ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function importOnnxUrl(url: string): Promise<ImportedModel> {
  const bytes = await fetchBytes(url, 'ONNX model');
  if (!bytes) throw new ModelImportError(`ONNX model ${url} not found (HTTP 404)`);
  const files = new Map<string, Uint8Array>();
  for (const loc of externalDataLocations(bytes, url)) {
    const data = await fetchBytes(new URL(loc, url).href, 'external-data file');
    if (data) files.set(loc, data);
  }
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? 'onnx-model').replace(/\.onnx$/i, '');
  return importOnnx(bytes, { source: url, name, readExternal: (loc) => files.get(loc) });
}

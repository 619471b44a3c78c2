// Models the user drops on the page: a TF.js LayersModel (model.json + its weight files; checked first by
// model-files.ts — every weight file present and complete — then loaded from exactly the bytes that were checked) or
// an ONNX model (one .onnx file, plus the external-data files it names, if any; imported by the library's ONNX
// importer, the same code the CLI runs). TF.js and the ONNX decoder load on demand (separate chunks of the page).
import type { ImportedModel } from '../../../src/mapping/types.js';
import type { ModelInfo } from '../protocol.js';
import { checkTfjsModel, ModelFileError } from './model-files.js';

/** Dropped models by id; they keep their real weights for later stages. */
export const imported = new Map<string, { info: ModelInfo; model: ImportedModel }>();

async function loadTfjs(files: File[], jsonFile: File): Promise<ImportedModel> {
  const checked = checkTfjsModel(jsonFile, await jsonFile.text(), files);
  const byName = new Map(files.map((f) => [f.name, f]));
  const weightData = new Uint8Array(checked.bytes);
  let at = 0;
  for (const name of checked.weightFiles) {
    const b = new Uint8Array(await byName.get(name)!.arrayBuffer());
    weightData.set(b, at);
    at += b.length;
  }
  const tf = await import('@tensorflow/tfjs');
  const { importLayersModel } = await import('../../../src/mapping/import.js');
  await tf.setBackend('cpu');
  const j = checked.json;
  let layersModel;
  try {
    layersModel = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: j.modelTopology as object, weightSpecs: checked.weightSpecs as never, weightData: weightData.buffer,
      format: j.format as string | undefined, generatedBy: j.generatedBy as string | undefined, convertedBy: j.convertedBy as string | null | undefined,
      userDefinedMetadata: j.userDefinedMetadata as Record<string, unknown> | undefined,
    }));
  } catch (e) {
    throw new ModelFileError(`cannot load ${jsonFile.name} as a TF.js LayersModel: ${(e as Error).message}`);
  }
  try {
    return importLayersModel(layersModel, { source: jsonFile.name });
  } finally {
    layersModel.dispose();
  }
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

async function loadOnnx(files: File[], onnxFile: File): Promise<ImportedModel> {
  if (onnxFile.size === 0) throw new ModelFileError(`${onnxFile.name} is empty; drop the .onnx file your export wrote`);
  const { importOnnx, externalDataLocations } = await import('../../../src/mapping/onnx/index.js');
  const bytes = new Uint8Array(await onnxFile.arrayBuffer());
  const locations = externalDataLocations(bytes, onnxFile.name);
  const byName = new Map(files.map((f) => [f.name, f]));
  const missing = [...new Set(locations.map(baseName))].filter((n) => !byName.has(n));
  if (missing.length) {
    const list = missing.map((m) => `"${m}"`).join(', ');
    throw new ModelFileError(`${onnxFile.name} keeps its weights in the external data file${missing.length > 1 ? 's' : ''} ${list}, which ${missing.length > 1 ? 'were' : 'was'} not dropped with it; ` +
      `drop ${onnxFile.name} together with ${list} (select all the files at once)`);
  }
  const external = new Map<string, Uint8Array>();
  for (const loc of locations) external.set(loc, new Uint8Array(await byName.get(baseName(loc))!.arrayBuffer()));
  return importOnnx(bytes, { source: onnxFile.name, readExternal: (loc) => external.get(loc) });
}

export async function importDroppedModel(files: File[]): Promise<ModelInfo> {
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const onnx = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (json.length + onnx.length !== 1) {
    throw new ModelFileError('drop one model: a TF.js model.json together with its weight files (.bin), or one .onnx file (with its external data files, if it has any); ' +
      `got ${files.map((f) => f.name).join(', ') || 'no files'}`);
  }
  const file = (json[0] ?? onnx[0])!;
  const model = json.length ? await loadTfjs(files, file) : await loadOnnx(files, file);
  const { layerMatrices } = await import('../../../src/mapping/placement.js');
  const id = `file:${imported.size + 1}:${model.name}`;
  const info: ModelInfo = { id, label: `${model.name} (from ${file.name})`, layers: layerMatrices(model), weights: true };
  imported.set(id, { info, model });
  return info;
}

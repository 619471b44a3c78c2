// Models the user drops on the page. TF.js LayersModels are checked first (model-files.ts: every weight file
// present and complete) and then loaded from exactly the bytes that were checked. TF.js loads on demand (a separate
// chunk of the page).
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

export async function importDroppedModel(files: File[]): Promise<ModelInfo> {
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length !== 1) {
    throw new ModelFileError(`drop exactly one model.json together with its weight files (.bin); got ${files.map((f) => f.name).join(', ') || 'no files'}`);
  }
  const model = await loadTfjs(files, json[0]!);
  const { layerMatrices } = await import('../../../src/mapping/placement.js');
  const id = `file:${imported.size + 1}:${model.name}`;
  const info: ModelInfo = { id, label: `${model.name} (from ${json[0]!.name})`, layers: layerMatrices(model), weights: true };
  imported.set(id, { info, model });
  return info;
}

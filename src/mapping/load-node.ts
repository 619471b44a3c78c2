// Node-only file I/O for TF.js LayersModels (tfjs without tfjs-node has no file:// handler) and, through
// loadModelFile, ONNX files. Kept out of the library index so browser bundles never see node:fs. Load: model.json +
// the weight files its manifest names, checked for size before tfjs decodes them. Save: model.json + one weights.bin,
// written atomically.
import { readFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/index.js';
import { importLayersModel, loadModel } from './import.js';
import { isOnnxPath, loadOnnxFile } from './onnx/file.js';
import { ModelImportError, type ImportedModel } from './types.js';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, complex64: 8 };

interface ManifestGroup { paths: string[]; weights: tf.io.WeightsManifestEntry[] }

/** An IOHandler reading `model.json` (and its weight files) from the local file system (plain tfjs checks). */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => readModelArtifacts(modelJsonPath),
  };
}

/** Reads and checks model.json + weights; errors name the file and the problem. */
export function readModelArtifacts(modelJsonPath: string): tf.io.ModelArtifacts {
  const path = resolve(modelJsonPath);
  if (isOnnxPath(path)) {
    throw new ModelImportError(`${modelJsonPath} is an ONNX model, but this step needs a TF.js LayersModel (model.json): it runs the model in TF.js (training, merging); map, program, eval, blm, switch and sweeps take ONNX`);
  }
  if (!existsSync(path)) throw new ModelImportError(`model file ${modelJsonPath} does not exist; pass the path of a TF.js model.json`);
  if (statSync(path).isDirectory()) {
    const inner = join(path, 'model.json');
    if (existsSync(inner)) return readModelArtifacts(inner);
    throw new ModelImportError(`${modelJsonPath} is a directory without a model.json`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelImportError(`model file ${modelJsonPath} is not valid JSON (truncated or corrupt?): ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new ModelImportError(`model file ${modelJsonPath} has no modelTopology: not a TF.js model.json`);
  }
  const format = json.format as string | undefined;
  const topo = json.modelTopology as Record<string, unknown>;
  if (format === 'graph-model' || (topo.node !== undefined && topo.class_name === undefined && topo.model_config === undefined)) {
    throw new ModelImportError(`model file ${modelJsonPath} is a TF.js GraphModel, not a LayersModel; export the Keras/TF.js layers model instead`);
  }
  const manifest = json.weightsManifest as ManifestGroup[] | undefined;
  if (!Array.isArray(manifest)) throw new ModelImportError(`model file ${modelJsonPath} has no weightsManifest`);
  const dir = dirname(path);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    const parts = group.paths.map((p) => {
      const f = join(dir, p);
      try {
        return readFileSync(f);
      } catch (e) {
        throw new ModelImportError(`weight file ${f} (named in ${modelJsonPath}) cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    });
    const bytes = Buffer.concat(parts);
    let need = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new ModelImportError(`${modelJsonPath}: weight ${w.name} is quantized (${w.quantization.dtype}); re-export without quantization`);
      const per = DTYPE_BYTES[w.dtype];
      if (!per) throw new ModelImportError(`${modelJsonPath}: weight ${w.name} has unsupported dtype ${w.dtype}`);
      need += per * w.shape.reduce((a, b) => a * b, 1);
    }
    if (bytes.length !== need) {
      throw new ModelImportError(`weight files ${group.paths.join(', ')} (of ${modelJsonPath}) hold ${bytes.length} bytes but the manifest needs ${need}; the files are ${bytes.length < need ? 'truncated' : 'too long'} or do not belong to this model`);
    }
    specs.push(...group.weights);
    buffers.push(bytes);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData,
    format,
    generatedBy: json.generatedBy as string | undefined,
    convertedBy: json.convertedBy as string | null | undefined,
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, {}> } : {}),
  };
}

/**
 * Loads a LayersModel from a model.json path (Node). The topology is built first, then every weight of the file is
 * checked against the layer that owns it (present, same shape, nothing extra), so errors name the weight.
 */
export async function loadLayersModelFile(modelJsonPath: string): Promise<tf.LayersModel> {
  const art = readModelArtifacts(modelJsonPath);
  await tf.ready(); // initializes the current backend (wasm needs async set-up if someone registered it)
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, userDefinedMetadata: art.userDefinedMetadata }));
  } catch (e) {
    throw new ModelImportError(`${modelJsonPath}: cannot build a LayersModel from its topology: ${(e as Error).message}`);
  }
  try {
    const named = tf.io.decodeWeights(art.weightData!, art.weightSpecs!);
    const expected = new Set<string>();
    for (const v of model.weights) {
      expected.add(v.originalName);
      const t = named[v.originalName];
      if (!t) throw new ModelImportError(`${modelJsonPath}: weight ${v.originalName} (shape [${v.shape}]) is missing from the weights manifest; the weights do not match the model`);
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new ModelImportError(`${modelJsonPath}: weight ${v.originalName} has shape [${t.shape}] in the file but the topology needs [${v.shape}]; the weights do not match the model`);
      }
    }
    const extra = Object.keys(named).filter((k) => !expected.has(k));
    if (extra.length) throw new ModelImportError(`${modelJsonPath}: weights ${extra.join(', ')} belong to no layer of the model; the weights do not match the model`);
    model.loadWeights(named);
    Object.values(named).forEach((t) => t.dispose());
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(`${modelJsonPath}: cannot load its weights: ${(e as Error).message}`);
  }
}

/** Whether a model source names a URL (scheme://…) rather than a file path. */
export const isModelUrl = (src: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(src);

/**
 * Loads a model from where a user named it (Node): a URL (http(s)://, file://, … — TF.js or ONNX, see loadModel) or
 * a path (see loadModelFile). The one rule every command and scenario file uses.
 */
export function loadModelFrom(src: string): Promise<ImportedModel> {
  return isModelUrl(src) ? loadModel(src) : loadModelFile(src);
}

/**
 * Loads a model from a path (Node) and imports it: an .onnx file, a TF.js model.json, or a directory holding a
 * model.json (or else a model.onnx).
 */
export async function loadModelFile(modelJsonPath: string): Promise<ImportedModel> {
  if (isOnnxPath(modelJsonPath)) return loadOnnxFile(modelJsonPath);
  const inDir = join(modelJsonPath, 'model.onnx');
  if (existsSync(modelJsonPath) && statSync(modelJsonPath).isDirectory() && !existsSync(join(modelJsonPath, 'model.json')) && existsSync(inDir)) {
    return loadOnnxFile(inDir);
  }
  const model = await loadLayersModelFile(modelJsonPath);
  try {
    return importLayersModel(model, { source: modelJsonPath });
  } finally {
    model.dispose();
  }
}

/** An IOHandler that writes `dir/model.json` + `dir/weights.bin` (each atomically, src/io/atomic.ts: never half-written). */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      mkdirSync(dir, { recursive: true });
      const data = a.weightData == null ? new Uint8Array(0)
        : new Uint8Array(Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData);
      const json = {
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileAtomic(join(dir, 'weights.bin'), data);
      writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
    },
  };
}



// Checks a dropped TF.js LayersModel (model.json + its weight files) before TF.js sees it. TF.js itself accepts a
// model.json whose weight files are missing and initializes the weights at random, which would make every later
// number silently wrong; and a truncated model.json ends in a bare SyntaxError. Here every such case is refused with
// a message naming the file and the fix. Pure (no DOM, no TF.js), so Node tests run it directly.

export class ModelFileError extends Error {
  constructor(message: string) { super(message); this.name = 'ModelFileError'; }
}

export interface DroppedFile { name: string; size: number }

interface WeightSpec { name: string; shape: number[]; dtype?: string; quantization?: { dtype?: string } }
interface ManifestGroup { paths: string[]; weights: WeightSpec[] }

/** What TF.js needs, checked: the topology, the weight specs in manifest order, the weight files in that order. */
export interface CheckedTfjsModel {
  json: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** Names of the dropped files holding the weights, in manifest order (their bytes concatenated = weightData). */
  weightFiles: string[];
  bytes: number;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2, complex64: 8 };

const fmt = (n: number): string => n.toLocaleString('en-US');
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

function specBytes(w: WeightSpec, where: string): number {
  if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ModelFileError(`${where}: weight "${String(w.name)}" has shape ${JSON.stringify(w.shape)}, not a list of sizes; the file is damaged — export the model again`);
  }
  const dtype = w.quantization?.dtype ?? w.dtype ?? 'float32';
  const per = BYTES[dtype];
  if (per === undefined) throw new ModelFileError(`${where}: weight "${w.name}" has dtype "${dtype}", which TF.js cannot load`);
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

/** Parses model.json's text; a truncated or non-JSON file gets a message saying so. */
export function parseModelJson(name: string, text: string): Record<string, unknown> {
  if (text.trim() === '') throw new ModelFileError(`${name} is empty; drop the model.json your TF.js export wrote`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`${name} is not valid JSON (${(e as Error).message}); the file is probably truncated or not a model.json — export the model again or drop the complete file`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ModelFileError(`${name} holds ${Array.isArray(json) ? 'a list' : JSON.stringify(json)}, not a TF.js model description`);
  const j = json as Record<string, unknown>;
  if (!j.modelTopology || typeof j.modelTopology !== 'object') {
    throw new ModelFileError(`${name} has no modelTopology, so it is not a TF.js LayersModel (tf.LayersModel.save / tensorflowjs_converter --output_format tfjs_layers_model writes one)`);
  }
  return j;
}

/**
 * Checks that every weight file model.json names was dropped with it and holds exactly the bytes its manifest
 * describes. `files` are all dropped files (model.json included).
 */
export function checkTfjsModel(jsonFile: DroppedFile, text: string, files: DroppedFile[]): CheckedTfjsModel {
  const json = parseModelJson(jsonFile.name, text);
  const manifest = json.weightsManifest as ManifestGroup[] | undefined;
  if (!Array.isArray(manifest) || manifest.every((g) => !Array.isArray(g?.weights) || g.weights.length === 0)) {
    throw new ModelFileError(`${jsonFile.name} lists no weights (its weightsManifest is ${manifest === undefined ? 'missing' : 'empty'}); without them the model would run on random weights — export it with its weights`);
  }
  const byName = new Map(files.filter((f) => f !== jsonFile).map((f) => [f.name, f]));
  const missing: string[] = [];
  const weightFiles: string[] = [];
  const weightSpecs: WeightSpec[] = [];
  let bytes = 0;
  manifest.forEach((g, gi) => {
    const where = `${jsonFile.name} weightsManifest[${gi}]`;
    if (!Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new ModelFileError(`${where} needs "paths" and "weights" lists; the file is damaged — export the model again`);
    const names = g.paths.map(baseName);
    for (const n of names) if (byName.has(n)) weightFiles.push(n); else missing.push(n);
    const want = g.weights.reduce((a, w) => a + specBytes(w, where), 0);
    const have = names.reduce((a, n) => a + (byName.get(n)?.size ?? 0), 0);
    if (!names.some((n) => !byName.has(n)) && have !== want) {
      throw new ModelFileError(`${names.join(' + ')} ${names.length > 1 ? 'hold' : 'holds'} ${fmt(have)} bytes but ${jsonFile.name} describes ${fmt(want)} bytes of weights in ${names.length > 1 ? 'them' : 'it'}: ` +
        `${have < want ? 'the file is truncated' : 'the file belongs to another model'} — drop the weight files exported with this model.json`);
    }
    weightSpecs.push(...g.weights);
    bytes += want;
  });
  if (missing.length) {
    const list = missing.map((m) => `"${m}"`).join(', ');
    throw new ModelFileError(`${jsonFile.name} needs the weight file${missing.length > 1 ? 's' : ''} ${list}, which ${missing.length > 1 ? 'were' : 'was'} not dropped with it; ` +
      `without ${missing.length > 1 ? 'them' : 'it'} the model has no trained weights. Drop ${jsonFile.name} together with ${list} (select all the files at once)`);
  }
  return { json, weightSpecs, weightFiles, bytes };
}

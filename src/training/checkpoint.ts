// Atomic TF.js-format model saving (model.json + weights.bin) and loading, for Node. A model directory is written
// under a temporary name and renamed into place (src/io/atomic.ts), so a crash never leaves a half-written model that
// looks complete.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeDirAtomic, writeFileAtomic as writeAtomic } from '../io/index.js';

function concatWeightData(d: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (!d) return new Uint8Array(0);
  const parts = Array.isArray(d) ? d : [d];
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(new Uint8Array(p), o); o += p.byteLength; }
  return out;
}

/** Writes one file atomically (fsynced temp file, then rename), creating its directory if needed. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  writeAtomic(file, data, { mkdir: true });
}

/** Saves `model` as `dir/model.json` + `dir/weights.bin` (TF.js layers format), atomically. */
export async function saveModel(model: tf.LayersModel, dir: string, extra: Record<string, string> = {}): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts!;
  const json = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
    ...(a.userDefinedMetadata ? { userDefinedMetadata: a.userDefinedMetadata } : {}),
  };
  writeDirAtomic(dir, { 'model.json': JSON.stringify(json), 'weights.bin': concatWeightData(a.weightData as ArrayBuffer | ArrayBuffer[]), ...extra });
}

/** Loads a model saved by saveModel (or any TF.js layers model directory with one weights file group). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  let json: { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; userDefinedMetadata?: Record<string, {}> };
  try {
    json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  } catch (e) {
    throw new Error(`cannot load model from ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (expected model.json + weights.bin written by \`ha3m train --out\`)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readFile(path.join(dir, p)));
  }
  const data = concatWeightData(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (data.byteLength !== expected) {
    throw new Error(`cannot load model from ${dir}: weights are ${data.byteLength} bytes but model.json describes ${expected}; the checkpoint is truncated or mismatched`);
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data.buffer as ArrayBuffer, userDefinedMetadata: json.userDefinedMetadata }));
}

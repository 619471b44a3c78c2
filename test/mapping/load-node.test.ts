import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync, cpSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSaveHandler, loadModelFile } from '../../src/mapping/load-node.js';
import { forward } from '../../src/mapping/forward.js';
import { loadModel } from '../../src/mapping/import.js';
import { createServer } from 'node:http';
import { ModelImportError } from '../../src/mapping/types.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-load-'));
const good = join(root, 'good');

function buildModel(): tf.Sequential {
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'c1' }),
    tf.layers.batchNormalization({ name: 'bn' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3, name: 'fc' }),
  ] });
  let s = 1;
  for (const l of m.layers) {
    l.setWeights(l.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => ((s = (s * 48271) % 2147483647) / 2147483647) + 0.1), w.shape)));
  }
  return m;
}

/** A copy of the saved model dir, with `edit` applied, and the path of its model.json. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(good, dir, { recursive: true });
  edit(dir);
  return join(dir, 'model.json');
}

const expectError = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
  try {
    await p;
  } catch (e) {
    assert.instance(e, ModelImportError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
};

// The cpu backend: no set-up, and other suites in the same process may have registered wasm.
test.before(async () => { await tf.setBackend('cpu'); });

test('save with fileSaveHandler, load with loadModelFile: same outputs as the in-memory model', async () => {
  const m = buildModel();
  await m.save(fileSaveHandler(good));
  assert.ok(existsSync(join(good, 'model.json')) && existsSync(join(good, 'weights.bin')));
  assert.not.ok(readdirSync(good).some((f) => f.includes('.tmp-')), 'no temp files left');
  const imported = await loadModelFile(join(good, 'model.json'));
  assert.equal(imported.ops.map((o) => o.kind), ['conv2d', 'scaleShift', 'maxPool', 'flatten', 'dense']);
  const x = Float32Array.from({ length: 2 * 36 }, (_, i) => Math.sin(i));
  const ref = (m.predict(tf.tensor(x, [2, 6, 6, 1])) as tf.Tensor).dataSync();
  const got = forward(imported, x, 2).data;
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(got[i] - ref[i]) <= 1e-5 * Math.abs(ref[i]) + 1e-6, `output ${i}`);
  // A directory holding model.json works too.
  assert.is((await loadModelFile(good)).ops.length, 5);
  m.dispose();
});

test('missing model file or weight file', async () => {
  await expectError(loadModelFile(join(root, 'nope', 'model.json')), /model file .*nope\/model.json does not exist/);
  const p = variant('noweights', (d) => rmSync(join(d, 'weights.bin')));
  await expectError(loadModelFile(p), /weight file .*noweights\/weights.bin \(named in .*\) cannot be read: ENOENT/);
  mkdirSync(join(root, 'emptydir'));
  await expectError(loadModelFile(join(root, 'emptydir')), /is a directory without a model.json/);
});

test('truncated model.json or weights.bin', async () => {
  const p1 = variant('truncjson', (d) => {
    const t = readFileSync(join(d, 'model.json'), 'utf8');
    writeFileSync(join(d, 'model.json'), t.slice(0, t.length / 2));
  });
  await expectError(loadModelFile(p1), /truncjson\/model.json is not valid JSON \(truncated or corrupt\?\)/);
  const p2 = variant('truncbin', (d) => {
    const b = readFileSync(join(d, 'weights.bin'));
    writeFileSync(join(d, 'weights.bin'), b.subarray(0, b.length - 8));
  });
  await expectError(loadModelFile(p2), /hold \d+ bytes but the manifest needs \d+; the files are truncated/);
});

test('not a LayersModel: no topology, or a GraphModel', async () => {
  const p1 = variant('notopo', (d) => writeFileSync(join(d, 'model.json'), JSON.stringify({ hello: 1 })));
  await expectError(loadModelFile(p1), /has no modelTopology: not a TF.js model.json/);
  const p2 = variant('graph', (d) => {
    const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
    j.format = 'graph-model';
    writeFileSync(join(d, 'model.json'), JSON.stringify(j));
  });
  await expectError(loadModelFile(p2), /is a TF.js GraphModel, not a LayersModel/);
});

test('weights that do not match the topology', async () => {
  // Same byte count, transposed kernel shape: only the topology can tell.
  const p = variant('shape', (d) => {
    const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
    const w = j.weightsManifest[0].weights.find((e: { name: string }) => e.name === 'fc/kernel');
    w.shape = [w.shape[1], w.shape[0]];
    writeFileSync(join(d, 'model.json'), JSON.stringify(j));
  });
  await expectError(loadModelFile(p), /shape\/model.json: weight fc\/kernel has shape \[3,8\] in the file but the topology needs \[8,3\]/);
  // A weight missing from the manifest.
  const p2 = variant('missingw', (d) => {
    const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
    const ws = j.weightsManifest[0].weights;
    const last = ws.pop();
    writeFileSync(join(d, 'model.json'), JSON.stringify(j));
    const b = readFileSync(join(d, 'weights.bin'));
    writeFileSync(join(d, 'weights.bin'), b.subarray(0, b.length - 4 * last.shape.reduce((a: number, c: number) => a * c, 1)));
  });
  await expectError(loadModelFile(p2), /missingw\/model.json: weight bn\/moving_variance \(shape \[2\]\) is missing from the weights manifest/);
});

test('an unsupported layer in a file names the file and the layer', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'fc' }), tf.layers.leakyReLU({ name: 'leaky' })] });
  const dir = join(root, 'leaky');
  await m.save(fileSaveHandler(dir));
  await expectError(loadModelFile(join(dir, 'model.json')), /leaky\/model.json: layer "leaky" \(LeakyReLU\) is not supported; supported layers:/);
  m.dispose();
});

test('loadModel from an http URL (local server) gives the same ops as from the file', async () => {
  const server = createServer((req, res) => {
    const f = join(good, (req.url ?? '/').replace(/^\//, '').replace(/\?.*$/, ''));
    if (!existsSync(f)) { res.statusCode = 404; res.end('not found'); return; }
    res.setHeader('content-type', f.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    res.end(readFileSync(f));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const fromUrl = await loadModel(`http://127.0.0.1:${port}/model.json`);
    const fromFile = await loadModelFile(join(good, 'model.json'));
    assert.equal(fromUrl.ops.map((o) => o.kind), fromFile.ops.map((o) => o.kind));
    const a = fromUrl.ops[0], b = fromFile.ops[0];
    assert.ok(a.kind === 'conv2d' && b.kind === 'conv2d');
    if (a.kind === 'conv2d' && b.kind === 'conv2d') assert.equal(Array.from(a.weights), Array.from(b.weights));
    await expectError(loadModel(`http://127.0.0.1:${port}/missing/model.json`), /cannot load a LayersModel from http:\/\/127\.0\.0\.1:\d+\/missing\/model.json/);
  } finally {
    server.close();
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

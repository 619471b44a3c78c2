// .onnx wherever a model is taken: the CLI commands (map, blm), a directory holding model.onnx, and an http URL
// (local server) with its external-data file fetched from beside it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { loadModel } from '../../src/mapping/import.js';
import { loadModelFile } from '../../src/mapping/load-node.js';
import { crossbarLayers } from '../../src/mapping/types.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const root = mkdtempSync(join(tmpdir(), 'ha3m-cli-onnx-'));

test('ha3m map --json takes an .onnx file', async () => {
  const r = await runCli(['map', '--model', join(FIX, 'resnet.onnx'), '--xamm', '--json']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { model: string; inputShape: number[]; layers: Array<{ name: string; rows: number; cols: number; kind: string }> };
  assert.is(j.model, 'resnet');
  assert.equal(j.inputShape, [12, 12, 3]);
  assert.equal(j.layers.map((l) => [l.kind, l.rows, l.cols]),
    [['conv2d', 27, 8], ['conv2d', 72, 8], ['conv2d', 72, 8], ['conv2d', 72, 16], ['conv2d', 144, 16], ['conv2d', 8, 16], ['dense', 16, 10]]);
});

test('ha3m blm switches between two ONNX models; an unsupported one exits 2 naming the node', async () => {
  const r = await runCli(['blm', '--model-a', join(FIX, 'resnet.onnx'), '--model-b', join(FIX, 'cnn.onnx'), '--json']);
  assert.is(r.code, 0, r.err);
  const bad = await runCli(['map', '--model', join(FIX, 'concat.onnx')]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /node "\/Concat" \(Concat\) is not supported/);
});

test('a directory with a model.onnx (and no model.json) loads it', async () => {
  const dir = join(root, 'd');
  mkdirSync(dir);
  copyFileSync(join(FIX, 'cnn.onnx'), join(dir, 'model.onnx'));
  const m = await loadModelFile(dir);
  assert.is(crossbarLayers(m).length, 4);
});

test('an .onnx URL is fetched with its external-data file', async () => {
  const server = createServer((req, res) => {
    const f = join(FIX, 'external', (req.url ?? '/').replace(/^\//, '').replace(/\?.*$/, ''));
    if (!existsSync(f)) { res.statusCode = 404; res.end('not found'); return; }
    res.end(readFileSync(f));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const fromUrl = await loadModel(`http://127.0.0.1:${port}/mlp.onnx`);
    const fromFile = await loadModelFile(join(FIX, 'mlp.onnx'));
    assert.is(fromUrl.name, 'mlp');
    assert.equal(Array.from(crossbarLayers(fromUrl)[0]!.weights), Array.from(crossbarLayers(fromFile)[0]!.weights));
    let msg = '';
    try { await loadModel(`http://127.0.0.1:${port}/nothing.onnx`); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /nothing\.onnx not found \(HTTP 404\)/);
  } finally {
    server.close();
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

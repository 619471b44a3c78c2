// PyTorch model + your own data through the CLI: `ha3m eval` of the ONNX fixture mlp.onnx on an .npy directory made
// from the inputs PyTorch saved with it (NCHW, inferred), labelled with PyTorch's own predictions — so the float
// accuracy must be 100 %; bad data exits 2 with the file named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { encodeNpy } from '../../src/training/data/npy.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const root = mkdtempSync(join(tmpdir(), 'ha3m-cli-data-'));

test('ha3m eval: an ONNX model on .npy data scores what PyTorch predicts (float 100 %)', async () => {
  const ref = JSON.parse(readFileSync(join(FIX, 'mlp.ref.json'), 'utf8')) as { input_shape: number[]; input: number[]; output: number[] };
  const n = ref.input_shape[0]!, C = ref.output.length / n;
  const labels = Int32Array.from({ length: n }, (_, i) => {
    const row = ref.output.slice(i * C, (i + 1) * C);
    return row.indexOf(Math.max(...row));
  });
  const d = join(root, 'npy');
  mkdirSync(d);
  writeFileSync(join(d, 'x_test.npy'), encodeNpy(Float32Array.from(ref.input), 'f4', ref.input_shape));
  writeFileSync(join(d, 'y_test.npy'), encodeNpy(labels, 'i4', [n]));
  // four samples need not show every class: the label count is inferred, so it is refused unless the spec gives it
  const short = await runCli(['eval', '--model', join(FIX, 'mlp.onnx'), '--data', d, '--mode', 'ideal']);
  assert.is(short.code, 2);
  assert.match(short.err, new RegExp(`has 4 outputs but task .* has ${Math.max(...labels) + 1} classes`));
  writeFileSync(join(d, 'spec.json'), JSON.stringify({ path: '.', classes: 4 }));
  const r = await runCli(['eval', '--model', join(FIX, 'mlp.onnx'), '--data', join(d, 'spec.json'), '--mode', 'ideal', '--calib', '4', '--json']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.outLines[r.outLines.length - 1]!) as { float: number; quantized: number; ideal: number; samples: number };
  assert.is(j.samples, n);
  assert.is(j.float, 1);
  assert.is(j.ideal, j.quantized); // ideal mode is the quantized model, bit for bit
});

test('ha3m eval with bad data exits 2 naming the file; 4 classes of labels do not fit the 4-output model as 3', async () => {
  const d = join(root, 'bad');
  mkdirSync(d);
  writeFileSync(join(d, 'images.npy'), encodeNpy(new Float32Array(3 * 64), 'f4', [3, 1, 8, 8]));
  writeFileSync(join(d, 'labels.npy'), encodeNpy(Int32Array.of(0, 1), 'i4', [2]));
  const r = await runCli(['eval', '--model', join(FIX, 'mlp.onnx'), '--data', d, '--mode', 'ideal']);
  assert.is(r.code, 2);
  assert.match(r.err, /3 images but 2 labels/);
  writeFileSync(join(d, 'labels.npy'), encodeNpy(Int32Array.of(0, 1, 2), 'i4', [3]));
  const r2 = await runCli(['eval', '--model', join(FIX, 'mlp.onnx'), '--data', d, '--mode', 'ideal']);
  assert.is(r2.code, 2);
  assert.match(r2.err, /has 4 outputs but task .* has 3 classes/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

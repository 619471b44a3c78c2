// `ha3m zoo` (src/cli/commands/zoo.ts): an untrained zoo model written as model.json + weights.bin that `ha3m map`
// reads back; bad options are refused with exit code 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { loadModelFile } from '../../src/mapping/load-node.js';
import { crossbarLayers } from '../../src/mapping/types.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-cli-zoo-'));

test('ha3m zoo writes a narrow resnet18 that imports with the same shapes and maps', async () => {
  const out = join(root, 'r18');
  const r = await runCli(['zoo', '--model', 'resnet18', '--width', '0.125', '--classes', '7', '--seed', '3', '--out', out, '--json']);
  assert.is(r.code, 0, r.err);
  const s = JSON.parse(r.outLines[r.outLines.length - 1]!) as { crossbarLayers: number; crossbarWeights: number; inputShape: number[] };
  assert.is(s.crossbarLayers, 21);
  assert.equal(s.inputShape, [32, 32, 3]);
  const m = await loadModelFile(join(out, 'model.json'));
  const layers = crossbarLayers(m);
  assert.is(layers.reduce((a, l) => a + l.rows * l.cols, 0), s.crossbarWeights);
  assert.is(layers[layers.length - 1]!.cols, 7);
  const map = await runCli(['map', '--model', join(out, 'model.json'), '--xamm']);
  assert.is(map.code, 0, map.err);
  assert.match(map.out, /layer4_1_conv2/);
});

test('ha3m zoo: same seed, same file; bad options exit 2 and write nothing', async () => {
  const { readFileSync } = await import('node:fs');
  for (const d of ['a', 'b']) assert.is((await runCli(['zoo', '--model', 'lenet5', '--seed', '5', '--out', join(root, d)])).code, 0);
  assert.ok(readFileSync(join(root, 'a', 'weights.bin')).equals(readFileSync(join(root, 'b', 'weights.bin'))));
  const bad: Array<[string[], RegExp]> = [
    [['--model', 'resnet50'], /unknown model 'resnet50'/],
    [['--model', 'vgg16', '--input', '28x28x1'], /needs at least 32×32 inputs/],
    [['--model', 'vgg16', '--input', '32x32'], /--input must be HxWxC/],
    [['--model', 'mlp', '--width', '2'], /--width applies to resnet18 and vgg16 only/],
    [['--model', 'resnet18', '--classes', '0'], /--classes must be an integer ≥ 1/],
  ];
  for (const [args, re] of bad) {
    const r = await runCli(['zoo', ...args, '--out', join(root, 'bad')]);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, re);
  }
  assert.not.ok(existsSync(join(root, 'bad')));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();

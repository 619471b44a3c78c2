// `ha3m train` end to end on a few hundred MNIST images.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-train-'));

/** Output as lines; exit code undefined when the command succeeded. */
const run = async (args: string[]) => {
  const r = await runCli(args);
  return { out: r.outLines, err: r.errLines, code: r.code === 0 ? undefined : r.code };
};

test('--json: last line is a JSON result; --out saves model, checkpoint and result; --resume continues', async () => {
  const out = path.join(dir, 'run');
  const r = await run(['train', '--model', 'mlp', '--data', 'mnist', '--limit', '300', '--epochs', '1', '--qat', '--weight-bits', '6', '--out', out, '--json', '--no-progress']);
  assert.is(r.code, undefined, r.err.join('\n'));
  const res = JSON.parse(r.out[r.out.length - 1]!);
  assert.type(res.testAccuracy, 'number');
  assert.type(res.seconds, 'number');
  assert.ok(res.testAccuracy > 0.3, `accuracy ${res.testAccuracy}`);
  assert.equal(res.qat, { weightBits: 6, scale: 'layer', noiseLsb: 0 });
  for (const f of ['model/model.json', 'model/weights.bin', 'checkpoint/model.json', 'checkpoint/state.json', 'result.json']) assert.ok(existsSync(path.join(out, f)), f);
  assert.is(JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).testAccuracy, res.testAccuracy);
  const r2 = await run(['train', '--model', 'mlp', '--data', 'mnist', '--limit', '300', '--epochs', '2', '--out', out, '--resume', '--json', '--no-progress']);
  assert.is(r2.code, undefined, r2.err.join('\n'));
  const res2 = JSON.parse(r2.out[r2.out.length - 1]!);
  assert.is(res2.history.length, 2);
  assert.ok(r2.err.some((l) => /resuming from .* after epoch 1/.test(l)));
});

test('bad input: clear errors, exit code 2', async () => {
  for (const [args, re] of [
    [['train', '--model', 'alexnet'], /unknown model 'alexnet'/],
    [['train', '--data', 'cifar'], /unknown dataset 'cifar'/],
    [['train', '--data', 'fashion', '--data-dir', '/nonexistent'], /apt-get install dataset-fashion-mnist/],
    [['train', '--weight-bits', '40', '--qat'], /--weight-bits must be in 2\.\.16/],
    [['train', '--resume'], /--resume needs --out/],
  ] as const) {
    const r = await run([...args, '--no-progress']);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err.join('\n')}`);
    assert.match(r.err.join('\n'), re);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

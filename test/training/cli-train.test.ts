// `ha3m train` end to end on a few hundred MNIST images.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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
  const r2 = await run(['train', '--model', 'mlp', '--data', 'mnist', '--limit', '300', '--epochs', '2', '--qat', '--weight-bits', '6', '--out', out, '--resume', '--json', '--no-progress']);
  assert.is(r2.code, undefined, r2.err.join('\n'));
  const res2 = JSON.parse(r2.out[r2.out.length - 1]!);
  assert.is(res2.history.length, 2);
  assert.ok(r2.err.some((l) => /resuming from .* after epoch 1/.test(l)));
});

test('--resume refuses a checkpoint of another model, task or options (naming them) and leaves its outputs alone', async () => {
  const out = path.join(dir, 'resume');
  const base = ['train', '--model', 'mlp', '--data', 'mnist', '--limit', '300', '--out', out, '--json', '--no-progress'];
  const first = await run([...base, '--epochs', '1']);
  assert.is(first.code, undefined, first.err.join('\n'));
  const files = ['result.json', 'model/weights.bin', 'checkpoint/weights.bin', 'checkpoint/state.json'];
  const snapshot = () => files.map((f) => readFileSync(path.join(out, f)).toString('base64'));
  const before = snapshot();
  const withOpt = (flag: string, value?: string) => {
    const args = [...base, '--epochs', '3', '--resume'];
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value!; else args.push(flag, ...(value === undefined ? [] : [value]));
    return args;
  };
  for (const [args, re] of [
    [withOpt('--model', 'lenet5'), /--model lenet5 \(checkpoint: mlp\)/],
    [withOpt('--data', 'rotated-mnist:90'), /--data rotated-mnist:90 \(checkpoint: mnist\)/],
    [withOpt('--lr', '0.01'), /--lr 0\.01 \(checkpoint: 0\.001\)/],
    [withOpt('--limit', '600'), /--limit 600 \(checkpoint: 300\)/],
    [withOpt('--qat'), /--qat\/--weight-bits\/--scale\/--noise \{"weightBits":8,"scale":"layer","noise":0\} \(checkpoint: not set\)/],
  ] as const) {
    const r = await run([...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err.join('\n')}`);
    assert.match(r.err.join('\n'), re);
    assert.match(r.err.join('\n'), /only --epochs and --patience may change/);
    assert.equal(r.out, [], 'no result printed');
  }
  assert.equal(snapshot(), before, 'the refused resumes overwrote nothing');
  // a checkpoint written before options were recorded: the weights' shapes still tell another model apart
  const statePath = path.join(out, 'checkpoint/state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  assert.is(state.run.model, 'mlp');
  delete state.run;
  writeFileSync(statePath, JSON.stringify(state));
  const old = await run(withOpt('--model', 'lenet5'));
  assert.is(old.code, 2, old.err.join('\n'));
  assert.match(old.err.join('\n'), /holds another model .* not lenet5 on mnist/);
  // the same options continue (epochs may grow)
  const same = await run([...base, '--epochs', '2', '--resume']);
  assert.is(same.code, undefined, same.err.join('\n'));
  const res = JSON.parse(same.out[same.out.length - 1]!);
  assert.equal([res.model, res.epochs, res.history.length], ['mlp', 2, 2]);
});

test('--out is checked before training; a save that fails still prints the results (exit 3); killed runs\' temp files are removed', async () => {
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const [out, re] of [
    [file, /--out .*a-file: it is a file, not a directory/],
    [path.join(file, 'sub'), /a-file is a file, not a directory/],
    ['/proc/ha3m-train', /--out \/proc\/ha3m-train: cannot write there/],
  ] as const) {
    const r = await run(['train', '--model', 'mlp', '--limit', '300', '--epochs', '1', '--out', out, '--json', '--no-progress']);
    assert.is(r.code, 2, `${out}: ${r.err.join('\n')}`);
    assert.match(r.err.join('\n'), re);
    assert.not.ok(r.err.some((l) => /^data |^epoch /.test(l)), 'refused before loading data or training');
  }
  const out = path.join(dir, 'blocked');
  mkdirSync(path.join(out, 'result.json', 'in-the-way'), { recursive: true });
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const stale = path.join(out, `model.tmp-${dead}`);
  mkdirSync(stale);
  writeFileSync(path.join(stale, 'weights.bin'), 'half');
  const old = new Date(Date.now() - 3600_000);
  utimesSync(stale, old, old);
  const r = await run(['train', '--model', 'mlp', '--limit', '300', '--epochs', '1', '--out', out, '--json', '--no-progress']);
  assert.is(r.code, 3, r.err.join('\n'));
  const res = JSON.parse(r.out[r.out.length - 1]!);
  assert.type(res.testAccuracy, 'number', 'the results are printed');
  assert.is(res.out, path.join(out, 'model'), 'the model itself was saved');
  assert.match(r.err.join('\n'), /could not write .*blocked\/result\.json/);
  assert.not.ok(existsSync(stale), 'the killed run\'s temp directory is gone');
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

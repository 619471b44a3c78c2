// `ha3m demo` refuses a bad --out and out-of-range sizes before it trains anything.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ha3m-demo-cli-'));

test('bad --out, rounds and eval samples: exit 2 before any training', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const [args, re] of [
    [['--out', file], /--out .*a-file: it is a file, not a directory/],
    [['--out', join(file, 'sub')], /a-file is a file, not a directory/],
    [['--out', '/proc/ha3m-demo'], /--out \/proc\/ha3m-demo: cannot write there/],
    [['--out', join(dir, 'ok'), '--rounds', '100000000'], /--rounds must be at most 10000/],
    [['--out', join(dir, 'ok'), '--eval-samples', '1000000000'], /--eval-samples must be at most 1000000/],
  ] as const) {
    const t0 = performance.now();
    const r = await runCli(['demo', ...args, '--json']);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.ok(performance.now() - t0 < 10_000, 'refused before training');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

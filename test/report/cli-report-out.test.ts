// `ha3m report --out` where no directory can be made: a named error, exit 2 (it used to hang under /proc, where a
// recursive mkdir loops on ENOENT).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const fixture = fileURLToPath(new URL('../fixtures/results-small.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ha3m-report-out-'));

test('an --out that cannot be a directory is refused naming why', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const [out, re] of [[file, /it is a file, not a directory/], [join(file, 'sub'), /a-file is a file, not a directory/], ['/proc/ha3m-report', /cannot write there/]] as const) {
    const r = await runCli(['report', fixture, '--out', out, '--quiet']);
    assert.is(r.code, 2, `${out}: ${r.err}`);
    assert.match(r.err, re);
  }
  const ok = await runCli(['report', fixture, '--out', join(dir, 'new', 'deeper'), '--quiet']);
  assert.is(ok.code, 0, ok.err);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

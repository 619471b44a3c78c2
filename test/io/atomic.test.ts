// The one atomic-write helper (src/io/atomic.ts): files and whole directories appear complete or not at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../src/io/index.js';

const root = mkdtempSync(join(tmpdir(), 'ha3m-io-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('writeFileAtomic: creates the directory only when asked; no temp file is left', () => {
  const p = join(root, 'a', 'b', 'f.txt');
  assert.throws(() => writeFileAtomic(p, 'x'), /its directory does not exist/);
  writeFileAtomic(p, 'hello', { mkdir: true });
  assert.is(readFileSync(p, 'utf8'), 'hello');
  writeFileAtomic(p, new TextEncoder().encode('again'));
  assert.is(readFileSync(p, 'utf8'), 'again');
  assert.equal(readdirSync(join(root, 'a', 'b')), ['f.txt']);
});

test('writeDirAtomic: a directory is replaced whole (old files gone), nothing left beside it', () => {
  const d = join(root, 'parent', 'model');
  writeDirAtomic(d, { 'model.json': '{"v":1}', 'weights.bin': Uint8Array.of(1, 2, 3), 'old.txt': 'x' });
  assert.equal(readdirSync(d).sort(), ['model.json', 'old.txt', 'weights.bin']);
  writeDirAtomic(d, { 'model.json': '{"v":2}', 'weights.bin': Uint8Array.of(4) });
  assert.equal(readdirSync(d).sort(), ['model.json', 'weights.bin']);
  assert.is(readFileSync(join(d, 'model.json'), 'utf8'), '{"v":2}');
  assert.equal([...readFileSync(join(d, 'weights.bin'))], [4]);
  assert.equal(readdirSync(join(root, 'parent')), ['model']);
});

test('writeDirAtomic: a failure while filling keeps the previous directory intact', () => {
  const d = join(root, 'keep');
  writeDirAtomic(d, { 'a.txt': 'first' });
  assert.throws(() => writeDirAtomic(d, { 'a.txt': 'second', 'b.txt': 42 as unknown as string }), /must be a string or Uint8Array/);
  assert.equal(readdirSync(d), ['a.txt']);
  assert.is(readFileSync(join(d, 'a.txt'), 'utf8'), 'first');
  assert.equal(readdirSync(root).filter((n) => n.startsWith('keep')), ['keep']);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'fflate';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeIdxU8, parseIdx, readIdxFile } from '../../src/training/data/idx.js';
import { datasetFromIdx, loadIdxDirectory } from '../../src/training/data/datasets.js';

const imgs = encodeIdxU8([3, 2, 2], Uint8Array.from([0, 255, 10, 20, 1, 2, 3, 4, 5, 6, 7, 8]));
const labs = encodeIdxU8([3], Uint8Array.from([7, 0, 9]));

test('parses a plain IDX file', () => {
  const a = parseIdx(imgs, 'imgs');
  assert.equal(a.shape, [3, 2, 2]);
  assert.is(a.type, 'u8');
  assert.equal([...a.data], [0, 255, 10, 20, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('parses a gzip IDX file identically', () => {
  const a = parseIdx(gzipSync(imgs), 'imgs.gz');
  assert.equal(a.shape, [3, 2, 2]);
  assert.equal([...a.data], [...parseIdx(imgs).data]);
});

test('big-endian non-byte types', () => {
  const b = new Uint8Array(4 + 4 + 8);
  b[2] = 0x0c; b[3] = 1; new DataView(b.buffer).setUint32(4, 2); new DataView(b.buffer).setInt32(8, -5); new DataView(b.buffer).setInt32(12, 70000);
  assert.equal([...parseIdx(b).data], [-5, 70000]);
});

test('truncated file → clear error', () => {
  assert.throws(() => parseIdx(imgs.subarray(0, imgs.length - 3), 'cut.idx'), /cut\.idx: truncated.*3×2×2/);
  assert.throws(() => parseIdx(imgs.subarray(0, 6), 'hdr'), /truncated IDX header/);
  assert.throws(() => parseIdx(imgs.subarray(0, 2), 'tiny'), /too short/);
  const gz = gzipSync(imgs);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz'), /cut\.gz: (gzip data is corrupt|truncated)/);
});

test('wrong magic / type → clear error', () => {
  const bad = imgs.slice(); bad[0] = 0x50; bad[1] = 0x4b;
  assert.throws(() => parseIdx(bad, 'zip'), /zip: not an IDX file \(magic 50 4b/);
  const badType = imgs.slice(); badType[2] = 0x07;
  assert.throws(() => parseIdx(badType), /unknown IDX data type 0x07/);
  const trailing = new Uint8Array(imgs.length + 2); trailing.set(imgs);
  assert.throws(() => parseIdx(trailing), /trailing bytes/);
});

test('images + labels → dataset; mislabelled pairs are rejected', () => {
  const ds = datasetFromIdx(parseIdx(imgs), parseIdx(labs), 'tiny');
  assert.is(ds.n, 3);
  assert.equal(ds.shape, [2, 2, 1]);
  assert.equal([...ds.labels], [7, 0, 9]);
  assert.is(ds.images[1], 1);
  assert.throws(() => datasetFromIdx(parseIdx(labs), parseIdx(imgs), 'swapped'), /swapped/);
  assert.throws(() => datasetFromIdx(parseIdx(imgs), parseIdx(encodeIdxU8([2], Uint8Array.from([1, 2]))), 'count'), /3 images but 2 labels/);
  assert.throws(() => datasetFromIdx(parseIdx(imgs), parseIdx(encodeIdxU8([3], Uint8Array.from([1, 12, 2]))), 'range'), /label 12 at index 1/);
});

test('IDX directory with .gz files; missing files named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ha3m-idx-'));
  try {
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(imgs));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), labs);
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), imgs);
    let msg = '';
    try { await loadIdxDirectory(dir, 'x'); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /t10k-labels-idx1-ubyte\[\.gz\] not found/);
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(labs));
    const { train, test: t } = await loadIdxDirectory(dir, 'x');
    assert.is(train.n, 3); assert.is(t.n, 3);
    assert.equal([...(await readIdxFile(path.join(dir, 'train-images-idx3-ubyte.gz'))).shape], [3, 2, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

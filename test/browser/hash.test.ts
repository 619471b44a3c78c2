// The pure-TS SHA-256 used by the equality fingerprint, checked against node:crypto (Node-only test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { Sha256, sha256Hex } from '../../web/shared/hash.js';

const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('FIPS 180-4 examples', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('equals node:crypto at every padding boundary and for chunked input', () => {
  for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 65537]) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 131 + 17) & 255;
    assert.is(sha256Hex(b), nodeSha(b), `length ${n}`);
    const s = new Sha256();
    for (let i = 0; i < n; i += 37) s.update(b.subarray(i, Math.min(n, i + 37)));
    assert.is(s.digestHex(), nodeSha(b), `chunked length ${n}`);
  }
});

test('hashes the bytes of typed-array views (offset views too), and a digest is taken once', () => {
  const f = new Float64Array([1.5, -0, NaN, 1e-310]);
  assert.is(sha256Hex(f), nodeSha(new Uint8Array(f.buffer)));
  const sub = new Int32Array(new Int32Array([9, 8, 7, 6]).buffer, 4, 2);
  assert.is(sha256Hex(sub), nodeSha(new Uint8Array(sub.buffer, 4, 8)));
  const s = new Sha256(); s.digest();
  assert.throws(() => s.update(new Uint8Array(1)), /already taken/);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, describeBackend } from '../../src/training/backend.js';

test('auto mode: tensorflow if tfjs-node loads, else wasm with our kernels; logs one line', async () => {
  const lines: string[] = [];
  const info = await setupBackend({ log: (m) => lines.push(m) });
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^training backend: (tensorflow|wasm)/);
  assert.is(tf.getBackend(), info.name);
  if (info.name === 'wasm') {
    assert.ok(info.skipped.some((s) => s.startsWith('tensorflow:')));
    assert.ok(info.simd, 'Node 20 supports wasm SIMD');
    assert.ok(info.patched);
    assert.match(describeBackend(info), /\(SIMD, .*ha3m training kernels\); skipped tensorflow/, describeBackend(info));
  }
});

test('forced backends', async () => {
  assert.is((await setupBackend({ backend: 'cpu', log: null })).name, 'cpu');
  assert.is(tf.getBackend(), 'cpu');
  const w = await setupBackend({ backend: 'wasm', log: null });
  assert.is(w.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  const auto = await setupBackend({ log: null });
  if (auto.name !== 'tensorflow') {
    let msg = '';
    try { await setupBackend({ backend: 'tensorflow', log: null }); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /cannot start the forced training backend tensorflow: .*npm install @tensorflow\/tfjs-node/);
  }
  let msg = '';
  try { await setupBackend({ backend: 'webgpu' as never, log: null }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /unknown backend 'webgpu'/);
});

test.run();

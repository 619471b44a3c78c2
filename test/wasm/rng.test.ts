import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, WasmRng, arena, wasm, streamId } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { detExp, detLog } from '../../src/reference/detmath.js';

initSync();

test('wasm xoshiro128** equals the TS reference for several seeds and streams', () => {
  for (const [seed, stream] of [[0, 0], [1, 0], [42, 7], [2 ** 40 + 3, 0xffffffff], [-5, 123]] as const) {
    const w = new WasmRng(seed, stream);
    const r = new RefRng(seed, stream);
    const got = w.u32(1000);
    for (let i = 0; i < got.length; i++) assert.is(got[i], r.nextU32(), `seed ${seed} stream ${stream} draw ${i}`);
    const gotN = w.normal(501);
    for (let i = 0; i < gotN.length; i++) assert.is(gotN[i], r.normal(), `normal ${i}`);
  }
  arena.reset();
});

test('different streams and seeds give different sequences; same seed repeats', () => {
  const a = new WasmRng(7, 1).u32(8), b = new WasmRng(7, 2).u32(8), c = new WasmRng(8, 1).u32(8);
  const a2 = new WasmRng(7, 1).u32(8);
  assert.equal(Array.from(a), Array.from(a2));
  assert.not.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
  assert.is.not(streamId(3, 1, 2), streamId(3, 2, 1));
  arena.reset();
});

test('uniform and normal draws have the right moments', () => {
  const u = new WasmRng(3, 0).uniform(200000);
  let m = 0; for (const x of u) { assert.ok(x > 0 && x < 1); m += x; }
  assert.ok(Math.abs(m / u.length - 0.5) < 0.005);
  const n = new WasmRng(3, 1).normal(200000);
  let s = 0, s2 = 0; for (const x of n) { s += x; s2 += x * x; }
  assert.ok(Math.abs(s / n.length) < 0.01, `mean ${s / n.length}`);
  assert.ok(Math.abs(s2 / n.length - 1) < 0.01, `var ${s2 / n.length}`);
  arena.reset();
});

test('ziggurat normals follow the Gaussian: tail fractions and fourth moment', () => {
  const n = new WasmRng(12, 5).normal(400000);
  let gt1 = 0, gt2 = 0, gt3 = 0, m4 = 0;
  for (const x of n) { const a = Math.abs(x); if (a > 1) gt1++; if (a > 2) gt2++; if (a > 3.5) gt3++; m4 += x ** 4; }
  const N = n.length;
  assert.ok(Math.abs(gt1 / N - 0.3173) < 0.004, `P(|x|>1) ${gt1 / N}`);
  assert.ok(Math.abs(gt2 / N - 0.0455) < 0.0015, `P(|x|>2) ${gt2 / N}`);
  assert.ok(Math.abs(gt3 / N - 4.65e-4) < 1.6e-4, `P(|x|>3.5) ${gt3 / N} (tail path)`);
  assert.ok(Math.abs(m4 / N - 3) < 0.06, `E[x^4] ${m4 / N}`);
  arena.reset();
});

test('deterministic log/exp: wasm equals TS bit for bit and both are accurate', () => {
  const xs = [1e-300, 5e-324, 1e-10, 0.1, 0.5, 0.70710678, 1, 1.5, 2, Math.E, 10, 123456.789, 1e300];
  for (const x of xs) {
    assert.is(wasm().mathLog(x), detLog(x), `log ${x}`);
    assert.ok(Math.abs(detLog(x) - Math.log(x)) <= 1e-14 * Math.max(1, Math.abs(Math.log(x))), `log accuracy ${x}`);
  }
  for (const x of [-700, -20, -1, -0.3, 0, 1e-9, 0.5, 1, 3.3, 50, 700]) {
    assert.is(wasm().mathExp(x), detExp(x), `exp ${x}`);
    assert.ok(Math.abs(detExp(x) / Math.exp(x) - 1) < 1e-14, `exp accuracy ${x}`);
  }
});

test('arena views survive memory growth', () => {
  const a = arena.alloc('f32', 4).set([1, 2, 3, 4]);
  const big = arena.alloc('u8', 64 * 1024 * 1024); // forces memory.grow
  assert.equal(Array.from(a.view), [1, 2, 3, 4]);
  assert.is(big.view.length, 64 * 1024 * 1024);
  assert.is(a.ptr % 16, 0);
  assert.is(big.ptr % 16, 0);
  arena.reset();
});

test.run();

// The wasm f32 GEMM (assembly/gemm.ts via src/training/gemm.ts) against the plain-TS reference (src/reference/gemm.ts):
// odd sizes that leave edge tiles and cross the K/M/N blocking, every transpose combination, α/β, strides, epilogue.
// Tolerance: the kernel sums in f32 in blocked order, the reference in f64, so each element may differ by a few f32
// ulps of Σ|a·b| per summed term (refGemmErrorBound).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { arena, initSync } from '../../src/wasm/index.js';
import { gemm, gemmHost } from '../../src/training/gemm.js';
import { refCol2im, refSumRows, refGemm, refGemmBiasAct, refGemmErrorBound, refIm2col, refMaxPoolGrad, type ConvGeometry, type PoolGeometry, type RefGemmArgs } from '../../src/reference/gemm.js';
import { wasm } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';

initSync();
const rng = new RefRng(11, 3);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

function compare(label: string, got: Float32Array, g: RefGemmArgs, c0: Float32Array): void {
  const bound = { ...g, c: c0 };
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      const o = i * g.ldc + j;
      const err = Math.abs(got[o]! - g.c[o]!);
      if (!(err <= refGemmErrorBound(bound, i, j))) assert.unreachable(`${label}: C[${i},${j}] = ${got[o]} vs reference ${g.c[o]} (|Δ| ${err})`);
    }
  }
}

function run(m: number, n: number, k: number, ta: boolean, tb: boolean, o: { alpha?: number; beta?: number; pad?: number } = {}): void {
  const pad = o.pad ?? 0, alpha = o.alpha ?? 1, beta = o.beta ?? 0;
  const lda = Math.max(1, (ta ? m : k) + pad), ldb = Math.max(1, (tb ? k : n) + pad), ldc = Math.max(1, n + pad);
  const a = rand((ta ? k : m) * lda), b = rand((tb ? n : k) * ldb);
  const c0 = rand(m * ldc);
  if (beta === 0) c0.fill(NaN); // β = 0 must not read C
  const ref: RefGemmArgs = { transA: ta, transB: tb, m, n, k, alpha, a, lda, b, ldb, beta, c: c0.slice(), ldc };
  refGemm(ref);
  const got = arena.scoped((ar) => {
    const A = ar.from('f32', a), B = ar.from('f32', b), C = ar.from('f32', c0);
    gemm({ transA: ta, transB: tb, m, n, k, alpha, beta, a: A, lda, b: B, ldb, c: C, ldc });
    return C.copy();
  });
  if (beta === 0 && m > 0 && n > 0) assert.ok(got.every((v, i) => (i % ldc < n && Math.floor(i / ldc) < m ? Number.isFinite(v) : true)), 'β = 0 result has NaN (C was read)');
  compare(`${m}×${n}×${k} tA=${ta} tB=${tb} α=${alpha} β=${beta} pad=${pad}`, got, ref, c0);
  // padding columns of C stay untouched
  for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) assert.ok(Object.is(got[i * ldc + j], c0[i * ldc + j]), 'C padding was written');
}

test('gemm equals the reference for odd sizes and every transpose combination', () => {
  const sizes: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 1], [13, 17, 31], [37, 11, 300], [97, 20, 9], [6, 530, 5]];
  for (const [m, n, k] of sizes) for (const ta of [false, true]) for (const tb of [false, true]) run(m, n, k, ta, tb);
});

test('gemm handles α, β, row strides and k crossing the 256 block', () => {
  for (const ta of [false, true]) for (const tb of [false, true]) {
    run(9, 10, 259, ta, tb, { alpha: 0.5, beta: 1 });
    run(7, 13, 20, ta, tb, { alpha: -2, beta: 0.25, pad: 3 });
  }
  run(5, 6, 0, false, false, { beta: 0.5 }); // k = 0: C = βC
  run(0, 6, 4, false, false);
});

test('gemm epilogue: bias and relu', () => {
  const m = 7, n = 11, k = 5;
  const a = rand(m * k), b = rand(k * n), bias = rand(n);
  const got = gemmHost(a, b, m, n, k, { bias, activation: 'relu' });
  const ref: RefGemmArgs = { transA: false, transB: false, m, n, k, alpha: 1, a, lda: k, b, ldb: n, beta: 0, c: new Float32Array(m * n), ldc: n };
  refGemm(ref);
  refGemmBiasAct(ref.c, m, n, n, bias, 1);
  assert.ok(got.some((v) => v === 0) && got.some((v) => v > 0), 'relu clipped something and kept something');
  for (let i = 0; i < m * n; i++) assert.ok(Math.abs(got[i]! - ref.c[i]!) <= 1e-5 * (1 + Math.abs(ref.c[i]!)), `element ${i}: ${got[i]} vs ${ref.c[i]}`);
});

test('gemm rejects bad shapes with a message naming the problem', () => {
  arena.scoped((ar) => {
    const A = ar.alloc('f32', 6), B = ar.alloc('f32', 6), C = ar.alloc('f32', 4);
    assert.throws(() => gemm({ m: 2, n: 2, k: 4, a: A, b: B, c: C }), /A holds 6 floats, needs 8/);
    assert.throws(() => gemm({ m: 2, n: 2, k: 3, a: A, b: B, c: C, lda: 2 }), /lda 2 is smaller/);
    assert.throws(() => gemm({ m: 2, n: 2, k: 3, a: A, b: B, c: C, activation: 'tanh' as 'relu' }), /activation 'tanh'/);
  });
});

test('im2colF32 / col2imF32 equal the TS references bit for bit (padding, strides, channel runs of 1, 3, 4, 16)', () => {
  const k = wasm() as unknown as { im2colF32(...a: number[]): void; col2imF32(...a: number[]): void };
  const cases: Array<[number, number, number, number, number, number, number, number, number, number]> = [
    // n, h, w, c, kernel h, kernel w, stride h, stride w, pad top, pad left (pad p on both sides)
    [2, 7, 6, 3, 3, 3, 1, 1, 1, 1], [1, 9, 9, 16, 3, 3, 2, 2, 1, 1], [2, 5, 5, 1, 5, 5, 1, 1, 2, 2], [1, 8, 8, 4, 3, 3, 2, 2, 0, 0],
    [1, 6, 7, 3, 1, 1, 2, 2, 0, 0], [2, 9, 11, 3, 2, 5, 3, 2, 1, 2], // kh ≠ kw, sh ≠ sw, kw·c not a multiple of 4
  ];
  for (const [n, h, w, c, kh, kw, sh, sw, top, left] of cases) {
    const oh = Math.floor((h + 2 * top - kh) / sh) + 1, ow = Math.floor((w + 2 * left - kw) / sw) + 1;
    const g: ConvGeometry = { batchSize: n, inHeight: h, inWidth: w, inChannels: c, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo: { top, left } };
    const geo = [n, h, w, c, kh, kw, sh, sw, top, left, oh, ow];
    const x = rand(n * h * w * c), rows = n * oh * ow * kh * kw * c;
    const dcols = rand(rows);
    const [cols, back] = arena.scoped((ar) => {
      const X = ar.from('f32', x), C = ar.from('f32', rand(rows)); // garbage in C: the kernel must write every element
      k.im2colF32(X.ptr, ...geo, C.ptr);
      const D = ar.from('f32', dcols), Y = ar.from('f32', rand(n * h * w * c));
      k.col2imF32(D.ptr, ...geo, Y.ptr);
      return [C.copy(), Y.copy()];
    });
    const label = `n${n} ${h}×${w}×${c} k${kh}×${kw} s${sh},${sw} pad ${top},${left}`;
    assert.equal(Array.from(cols), Array.from(refIm2col(x, g)), `im2col ${label}`);
    assert.equal(Array.from(back), Array.from(refCol2im(dcols, g)), `col2im ${label}`);
  }
});

test('maxPoolGradF32 equals the TS reference bit for bit (overlapping and same-padded windows, ties, −∞ and NaN windows)', () => {
  const k = wasm() as unknown as { maxPoolGradF32(...a: number[]): void };
  // n, h, w, c, window h, window w, stride h, stride w, pad top, pad left
  const cases: Array<[number, number, number, number, number, number, number, number, number, number]> = [
    [2, 8, 8, 6, 2, 2, 2, 2, 0, 0], [1, 7, 9, 3, 3, 3, 2, 2, 1, 1], [2, 6, 5, 4, 3, 3, 1, 1, 0, 0], [1, 5, 7, 1, 2, 3, 1, 2, 0, 1],
    [1, 4, 4, 2, 3, 3, 3, 3, 3, 3], // numeric padding 3: the first window lies wholly outside the input
  ];
  for (const [n, h, w, c, fh, fw, sh, sw, top, left] of cases) {
    const oh = Math.floor((h + 2 * top - fh) / sh) + 1, ow = Math.floor((w + 2 * left - fw) / sw) + 1;
    const info: PoolGeometry = { batchSize: n, inHeight: h, inWidth: w, inChannels: c, effectiveFilterHeight: fh, effectiveFilterWidth: fw,
      strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo: { top, left } };
    const x = rand(n * h * w * c), dy = rand(n * oh * ow * c);
    for (let i = 0; i < c * 4; i++) x[i] = 2; // ties at the maximum
    // whole windows of −∞ (image 0, channel 0) and NaN (last image, last channel): no maximum, no gradient
    for (let y = 0; y < Math.min(h, 3); y++) for (let xx = 0; xx < Math.min(w, 3); xx++) { x[(y * w + xx) * c] = -Infinity; x[(((n - 1) * h + h - 1 - y) * w + w - 1 - xx) * c + c - 1] = NaN; }
    const got = arena.scoped((ar) => {
      const X = ar.from('f32', x), DY = ar.from('f32', dy), DX = ar.from('f32', rand(x.length)); // garbage: the kernel zeroes dx
      const acc = ar.alloc('f64', x.length).ptr; // used when windows overlap
      k.maxPoolGradF32(X.ptr, DY.ptr, DX.ptr, n, h, w, c, fh, fw, sh, sw, top, left, oh, ow, acc);
      return DX.copy();
    });
    assert.equal(Array.from(got), Array.from(refMaxPoolGrad(x, dy, info)), `maxPoolGrad ${n}×${h}×${w}×${c} window ${fh}×${fw} stride ${sh},${sw} pad ${top},${left}`);
  }
});

test('sumRowsF32 equals the TS reference bit for bit', () => {
  const k = wasm() as unknown as { sumRowsF32(x: number, rows: number, cols: number, out: number): void };
  for (const [rows, cols] of [[1, 1], [7, 3], [50, 16], [33, 37]] as const) {
    const x = rand(rows * cols);
    const got = arena.scoped((ar) => { const X = ar.from('f32', x), O = ar.from('f32', rand(cols)); k.sumRowsF32(X.ptr, rows, cols, O.ptr); return O.copy(); });
    assert.equal(Array.from(got), Array.from(refSumRows(x, rows, cols)), `${rows}×${cols}`);
  }
});

test.run();

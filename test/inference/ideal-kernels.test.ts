// The wasm kernels of the packed ideal path and of max pooling against their TS twins, bit for bit: quantization
// (quantizeInputs), im2col of quantized images (refIm2colInts), block accumulation, de-scaling with bias and ReLU
// (descale, addBias, applyActivation) and max pooling (refMaxPool2d).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena, wasm } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { refIm2colInts, type RefWindow } from '../../src/reference/mvm.js';
import { refMaxPool2d } from '../../src/reference/pool.js';
import { quantizeInputs, maxInputInt } from '../../src/hardware/quantize.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { addBias, applyActivation, maxPoolWasm, windowGeometry } from '../../src/mapping/hostops.js';

initSync();
const k = wasm() as unknown as Record<string, (...args: number[]) => number>;
const rng = new RefRng(7, 3);
const uniform = (): number => rng.nextU32() / 2 ** 32;
const int = (n: number): number => rng.nextU32() % n;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.is(a.length, b.length, `${what}: lengths`);
  const fa = new Float64Array(a.length), fb = new Float64Array(b.length);
  fa.set(a); fb.set(b);
  const ua = new BigUint64Array(fa.buffer), ub = new BigUint64Array(fb.buffer);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.unreachable(`${what}: index ${i}: ${a[i]} vs ${b[i]}`);
}

test('quantizeInputsI16 equals quantizeInputs (ties to even, clipping, signed and unsigned) and reports non-finite inputs', () => {
  for (const [signed, inputBits] of [[false, 8], [true, 8], [false, 15], [true, 16]] as const) {
    // 15-bit unsigned and 16-bit signed inputs reach 32767, the edge of i16
    const cfg = resolveHardware({ io: { inputSigned: signed, inputBits } });
    const qmax = maxInputInt(cfg), range = 2.5;
    const x = new Float32Array(4000);
    for (let i = 0; i < x.length; i++) {
      // exact ties (q = n + 0.5), values beyond the range and plain values
      x[i] = i % 3 === 0 ? ((int(2 * qmax) - qmax + 0.5) / qmax) * range : (uniform() * 3.4 - (signed ? 1.7 : 0.4)) * range;
    }
    x[5] = -0;
    const want = quantizeInputs(x, range, cfg);
    arena.scoped((a) => {
      const xw = a.from('f32', x), out = a.alloc('i16', x.length);
      assert.is(k.quantizeInputsI16!(xw.ptr, x.length, 1 / range, signed ? -1 : 0, qmax, out.ptr), -1);
      sameBits(Int32Array.from(out.view), want, `signed ${signed}, ${inputBits} bits`);
    });
  }
  arena.scoped((a) => {
    const xw = a.from('f32', Float32Array.of(0.1, 0.2, NaN, 0.3)), out = a.alloc('i16', 4);
    assert.is(k.quantizeInputsI16!(xw.ptr, 4, 1, 0, 255, out.ptr), 2);
    xw.view[2] = -Infinity;
    assert.is(k.quantizeInputsI16!(xw.ptr, 4, 1, 0, 255, out.ptr), 2);
  });
});

test('im2colI16 equals refIm2colInts over random windows, paddings, strides, block rows and patch ranges', () => {
  let fast = 0;
  for (let t = 0; t < 300; t++) {
    const inC = 1 + int(t % 3 === 0 ? 1 : 7), kh = 1 + int(5), kw = 1 + int(5);
    const inH = kh + int(8), inW = kw + int(8), batch = 1 + int(3);
    const padding = int(2) ? 'same' : 'valid';
    const g = windowGeometry(inH, inW, inC, kh, kw, 1 + int(2), 1 + int(2), padding) as RefWindow;
    const K = kh * kw * inC, P = batch * g.outH * g.outW;
    const whole = int(2) === 0;
    const row0 = whole ? 0 : int(K), rows = whole ? K : 1 + int(K - row0);
    const kPad = Math.ceil(rows / 8) * 8;
    const p0 = int(P), count = 1 + int(P - p0);
    if (whole && kw * inC <= 8 && kPad - K < 8) fast++;
    const x = Int16Array.from({ length: batch * inH * inW * inC }, () => int(511) - 255);
    const want = refIm2colInts(x, g, p0, count, row0, rows, kPad);
    arena.scoped((a) => {
      // 8 values of slack after x (junk) and after dst, then a guard the kernel must never touch
      const xw = a.alloc('i16', x.length + 8), dst = a.alloc('i16', count * kPad + 8 + 16);
      xw.view.set(x);
      xw.view.fill(12345, x.length);
      dst.view.fill(-7); // the kernel must write every value of every vector, zeros included
      k.im2colI16!(xw.ptr, inH, inW, inC, kh, kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW, p0, count, row0, rows, dst.ptr, kPad);
      const what = `case ${t} (${inH}×${inW}×${inC}, ${kh}×${kw}, ${padding}, rows ${row0}+${rows}, patches ${p0}+${count})`;
      sameBits(dst.view.subarray(0, count * kPad), want, what);
      assert.ok(dst.view.subarray(count * kPad + 8).every((v) => v === -7), `${what}: wrote past the slack`);
    });
  }
  assert.ok(fast > 20, `the short-row fast path ran in ${fast} cases`);
});

test('addBlockProduct and descaleBiasF32 equal the TS accumulation, descale, addBias and ReLU', () => {
  const M = 37, N = 11, cols = 5, col0 = 4, p0 = 3, count = 30;
  const acc0 = Float64Array.from({ length: M * N }, () => int(2001) - 1000);
  const y = Int32Array.from({ length: count * cols }, () => int(2 ** 20) - 2 ** 19);
  const factor = Float64Array.from({ length: N }, () => uniform() * 1e-3);
  const bias = Float32Array.from({ length: N }, () => uniform() - 0.5);
  for (const sign of [1, -1]) {
    const want = Float64Array.from(acc0);
    for (let m = 0; m < count; m++) for (let j = 0; j < cols; j++) want[(p0 + m) * N + col0 + j] += sign * y[m * cols + j]!;
    arena.scoped((a) => {
      const accW = a.from('f64', acc0), yW = a.from('i32', y);
      k.addBlockProduct!(yW.ptr, count, cols, accW.ptr, N, p0, col0, sign);
      sameBits(accW.view, want, `addBlockProduct sign ${sign}`);
    });
  }
  acc0[0] = 0; acc0[1] = -0; // ReLU keeps −0 (`if (v < 0) v = 0`)
  for (const [withBias, relu] of [[false, false], [true, false], [true, true], [false, true]] as const) {
    const want = new Float32Array(M * N);
    for (let i = 0; i < want.length; i++) want[i] = acc0[i]! * factor[i % N]!;
    if (withBias) addBias(want, bias);
    if (relu) applyActivation('relu', want, N);
    arena.scoped((a) => {
      const accW = a.from('f64', acc0), fW = a.from('f64', factor), bW = a.from('f32', bias), out = a.alloc('f32', M * N);
      k.descaleBiasF32!(accW.ptr, M, N, fW.ptr, withBias ? bW.ptr : 0, relu ? 1 : 0, out.ptr);
      sameBits(out.view, want, `descaleBiasF32 bias ${withBias} relu ${relu}`);
    });
  }
});

test('maxPool2dF32 equals refMaxPool2d: NaN, ±0, ties, padding (empty windows) and channel tails', () => {
  for (let t = 0; t < 120; t++) {
    const C = 1 + int(9), kh = 1 + int(3), kw = 1 + int(3), inH = kh + int(6), inW = kw + int(6), batch = 1 + int(2);
    const g = windowGeometry(inH, inW, C, kh, kw, 1 + int(3), 1 + int(3), int(2) ? 'same' : 'valid');
    const x = Float32Array.from({ length: batch * inH * inW * C }, () => {
      const r = int(20);
      return r === 0 ? NaN : r === 1 ? -0 : r === 2 ? 0 : r === 3 ? -Infinity : int(9) - 4; // many ties
    });
    sameBits(maxPoolWasm(x, batch, g), refMaxPool2d(x, batch, g), `case ${t}`);
  }
  // a window entirely in the padding gives −∞ in both
  const g = { inH: 1, inW: 1, inC: 4, kh: 1, kw: 1, strideH: 1, strideW: 1, padding: 'valid' as const, padTop: 1, padLeft: 0, outH: 1, outW: 1 };
  sameBits(maxPoolWasm(Float32Array.of(1, 2, 3, 4), 1, g), Float32Array.of(-Infinity, -Infinity, -Infinity, -Infinity), 'empty window');
});

test.run();

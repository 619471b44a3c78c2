// The 95 % Wilson score interval against published values and its edge cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accuracyInterval, correctCount, wilsonInterval, Z95 } from '../../src/report/interval.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Newcombe (1998), Table I, method 3 (Wilson score): the four textbook examples to 4 decimals', () => {
  // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven methods",
  // Statistics in Medicine 17 (1998) 857–872: 81/263, 15/148, 0/20, 1/29
  const table: Array<[number, number, number, number]> = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [k, n, lo, hi] of table) {
    const [l, h] = wilsonInterval(k, n);
    close(l, lo, 5e-5, `${k}/${n} lower`);
    close(h, hi, 5e-5, `${k}/${n} upper`);
  }
});

test('scipy.stats.binomtest(k, n).proportion_ci(method="wilson") to 1e-6', () => {
  // values printed by SciPy 1.x for the same cases and for a 10,000-image test set
  close(wilsonInterval(81, 263)[0], 0.255289, 1e-6, '81/263 lo');
  close(wilsonInterval(81, 263)[1], 0.366210, 1e-6, '81/263 hi');
  close(wilsonInterval(9500, 10000)[0], 0.945553, 1e-6, '9500/10000 lo');
  close(wilsonInterval(9500, 10000)[1], 0.954102, 1e-6, '9500/10000 hi');
});

test('edges: 0 and n correct give exact 0 and 1; the interval contains the estimate and narrows with n', () => {
  assert.equal(wilsonInterval(0, 10)[0], 0);
  assert.equal(wilsonInterval(10, 10)[1], 1);
  assert.ok(wilsonInterval(10, 10)[0] < 1);
  for (const n of [1, 7, 500, 10000]) {
    for (const k of [0, Math.floor(n / 3), n]) {
      const [lo, hi] = wilsonInterval(k, n);
      assert.ok(lo <= k / n && k / n <= hi && lo >= 0 && hi <= 1, `${k}/${n}: [${lo}, ${hi}]`);
    }
  }
  const w = (n: number) => { const [lo, hi] = wilsonInterval(Math.round(0.95 * n), n); return hi - lo; };
  assert.ok(w(10000) < w(500) && w(500) < w(50));
  // a wider z gives a wider interval
  assert.ok(wilsonInterval(40, 50, 2.5758)[0] < wilsonInterval(40, 50, Z95)[0]);
});

test('bad input is refused with the reason', () => {
  assert.throws(() => wilsonInterval(3, 0), /n must be a positive integer/);
  assert.throws(() => wilsonInterval(11, 10), /correct must be an integer in \[0, 10\]/);
  assert.throws(() => wilsonInterval(1.5, 10), /correct must be an integer/);
  assert.throws(() => wilsonInterval(1, 10, 0), /z must be a positive number/);
  assert.throws(() => correctCount(0.123, 10), /not a whole number of correct answers out of 10/);
  assert.is(correctCount(0.3, 10), 3);
  assert.equal(accuracyInterval(0.3, 10), wilsonInterval(3, 10));
});

test.run();

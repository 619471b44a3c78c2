// Confidence intervals for accuracies. An accuracy measured on n test images is a binomial proportion: k correct out
// of n. We report the Wilson score interval (Wilson 1927; Newcombe 1998, method 3): unlike the normal-approximation
// ("Wald") interval it stays inside [0, 1] and keeps close to its nominal coverage at accuracies near 100 % and at
// small n, and unlike Clopper–Pearson it is not systematically wider than needed. Pure: no node: imports.

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal distribution. */
export const Z95 = 1.959963984540054;

/** A closed interval [lo, hi] of a proportion. */
export type Interval = [number, number];

/**
 * Wilson score interval of a binomial proportion with `correct` successes out of `n` trials.
 * lo/hi = (p + z²/2n ∓ z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n); lo is exactly 0 when correct = 0 and hi exactly 1 when
 * correct = n (the formula gives those values up to rounding).
 */
export function wilsonInterval(correct: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(correct) || correct < 0 || correct > n) {
    throw new RangeError(`wilsonInterval: correct must be an integer in [0, ${n}], got ${correct}`);
  }
  if (!(z > 0) || !Number.isFinite(z)) throw new RangeError(`wilsonInterval: z must be a positive number, got ${z}`);
  const p = correct / n, z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const lo = correct === 0 ? 0 : Math.max(0, centre - half);
  const hi = correct === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/**
 * The count behind an accuracy measured on n samples (accuracy = correct / n). Throws when the accuracy is not
 * such a fraction (a results file whose accuracy does not match its sample count).
 */
export function correctCount(accuracy: number, n: number): number {
  const k = Math.round(accuracy * n);
  if (!(Math.abs(k - accuracy * n) <= 1e-6 * Math.max(1, n))) {
    throw new RangeError(`accuracy ${accuracy} is not a whole number of correct answers out of ${n} samples`);
  }
  return k;
}

/** Wilson interval of an accuracy measured on n samples. */
export function accuracyInterval(accuracy: number, n: number, z = Z95): Interval {
  return wilsonInterval(correctCount(accuracy, n), n, z);
}

/** Builds the results' accuracy record from measured fractions and their sample counts (null = not measured). */
export function accuracyRecord(m: {
  float: { value: number; n: number }; quantized: { value: number; n: number };
  ideal: { value: number; n: number } | null; analog: { value: number; n: number } | null;
}): {
  float: number; quantized: number; ideal: number | null; analog: number | null;
  samples: { float: number; quantized: number; ideal: number | null; analog: number | null };
  ci95: { float: Interval; quantized: Interval; ideal: Interval | null; analog: Interval | null };
} {
  const ci = (x: { value: number; n: number } | null) => (x ? accuracyInterval(x.value, x.n) : null);
  return {
    float: m.float.value, quantized: m.quantized.value, ideal: m.ideal?.value ?? null, analog: m.analog?.value ?? null,
    samples: { float: m.float.n, quantized: m.quantized.n, ideal: m.ideal?.n ?? null, analog: m.analog?.n ?? null },
    ci95: { float: ci(m.float)!, quantized: ci(m.quantized)!, ideal: ci(m.ideal), analog: ci(m.analog) },
  };
}

// Cross-field checks of results.json that a JSON Schema cannot express: every accuracy is a whole number of correct
// answers out of its sample count, carries the Wilson interval of that count and was measured on no more images than
// the model's test set holds; training budgets add up and `sameBudget` says what they show. Pure.
import { correctCount, wilsonInterval } from './interval.js';
import type { Accuracies, AccuracyKind, ModelBudget, Results } from './types.js';

const KINDS: readonly AccuracyKind[] = ['float', 'quantized', 'ideal', 'analog'];
/** Interval bounds are recomputed from the counts; stored ones may differ by JSON round-off only. */
const INTERVAL_TOLERANCE = 1e-9;

function kindProblems(a: Accuracies, kind: AccuracyKind, at: string, testSamples: number | undefined): string[] {
  const value = a[kind], n = a.samples[kind], ci = a.ci95[kind];
  if (value === null || n === null || ci === null) {
    return value === null && n === null && ci === null ? []
      : [`${at}: ${kind} is ${JSON.stringify(value)} but samples.${kind} is ${JSON.stringify(n)} and ci95.${kind} is ${JSON.stringify(ci)}; all three must be null (not measured) or all set`];
  }
  const p: string[] = [];
  if (testSamples !== undefined && n > testSamples) {
    p.push(`${at}.samples.${kind}: ${n} samples, but the model's test set has ${testSamples} images`);
  }
  let k: number;
  try {
    k = correctCount(value, n);
  } catch {
    return [...p, `${at}.${kind}: ${value} is not a whole number of correct answers out of samples.${kind} = ${n}`];
  }
  const [lo, hi] = wilsonInterval(k, n);
  if (Math.abs(ci[0] - lo) > INTERVAL_TOLERANCE || Math.abs(ci[1] - hi) > INTERVAL_TOLERANCE) {
    p.push(`${at}.ci95.${kind}: [${ci[0]}, ${ci[1]}] is not the 95 % Wilson interval of ${k}/${n} ([${lo}, ${hi}])`);
  }
  return p;
}

/** Problems of one accuracy map (model name → accuracies) at `at`. */
export function accuracyProblems(r: Results, map: Record<string, Accuracies>, at: string): string[] {
  const models = new Map(r.scenario.models.map((m) => [m.name, m]));
  const p: string[] = [];
  for (const [name, a] of Object.entries(map)) {
    const where = `${at}.${name}`;
    const m = models.get(name);
    if (!m) {
      p.push(`${where}: "${name}" is not one of the scenario's models (${[...models.keys()].join(', ')})`);
      continue;
    }
    for (const kind of KINDS) p.push(...kindProblems(a, kind, where, m.testSamples));
  }
  return p;
}

function variantLabel(b: ModelBudget): string {
  return b.variant === 'merged' ? `merged ${b.name}${b.share !== undefined ? ` (share ${b.share})` : ''}` : `separate ${b.name}`;
}

/** Problems of results.training: sums per phase and model, and sameBudget against the budgets it summarizes. */
export function trainingProblems(r: Results): string[] {
  const t = r.training;
  if (!t) return [];
  const p: string[] = [];
  const names = new Set(r.scenario.models.map((m) => m.name));
  const separate = new Map<string, ModelBudget>();
  t.models.forEach((b, i) => {
    const at = `$.training.models[${i}]`;
    if (!names.has(b.name)) p.push(`${at}.name: "${b.name}" is not one of the scenario's models`);
    b.phases.forEach((ph, j) => {
      if (ph.samplesSeen !== ph.epochs * ph.trainSamples) {
        p.push(`${at}.phases[${j}].samplesSeen: ${ph.samplesSeen}, but epochs × trainSamples = ${ph.epochs * ph.trainSamples}`);
      }
    });
    const epochs = b.phases.reduce((s, ph) => s + ph.epochs, 0), seen = b.phases.reduce((s, ph) => s + ph.samplesSeen, 0);
    if (b.epochs !== epochs) p.push(`${at}.epochs: ${b.epochs}, but its phases add up to ${epochs}`);
    if (b.samplesSeen !== seen) p.push(`${at}.samplesSeen: ${b.samplesSeen}, but its phases add up to ${seen}`);
    if (b.variant === 'separate') {
      if (separate.has(b.name)) p.push(`${at}: a second separate budget for model ${b.name}`);
      separate.set(b.name, b);
    }
  });
  const unequal: string[] = [];
  for (const b of t.models) {
    if (b.variant !== 'merged') continue;
    const s = separate.get(b.name);
    if (!s) unequal.push(`${variantLabel(b)} has no separate budget to compare with`);
    else if (s.samplesSeen !== b.samplesSeen) unequal.push(`${variantLabel(b)} saw ${b.samplesSeen} samples, ${variantLabel(s)} ${s.samplesSeen}`);
  }
  const same = unequal.length === 0 && t.models.some((b) => b.variant === 'merged');
  if (t.sameBudget !== same) {
    p.push(`$.training.sameBudget: ${t.sameBudget}, but ${same ? 'every merged model saw as many samples as its separate one' : unequal[0] ?? 'there is no merged model'}`);
  }
  return p;
}

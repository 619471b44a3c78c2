// Metrics the worker shows: programming cost of an operation, accuracy on the crossbars, number formats.
import { evaluate } from '../../../src/inference/engine.js';
import { forward } from '../../../src/mapping/forward.js';
import type { ProgramReport, ProgramTotals } from '../../../src/programming/report.js';
import type { Deployment } from '../../shared/pipeline.js';
import type { Metric } from '../protocol.js';
import { SAMPLES, type LoadedModel } from './models.js';

export const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
export const int = (v: number): string => v.toLocaleString('en-US');

/** A value with an SI prefix: eng(0.00234, 's') = "2.34 ms". */
export function eng(v: number, unit: string): string {
  const a = Math.abs(v);
  const [k, p] = a === 0 ? [1, ''] : a >= 1e9 ? [1e-9, 'G'] : a >= 1e6 ? [1e-6, 'M'] : a >= 1e3 ? [1e-3, 'k'] : a >= 1 ? [1, '']
    : a >= 1e-3 ? [1e3, 'm'] : a >= 1e-6 ? [1e6, 'µ'] : a >= 1e-9 ? [1e9, 'n'] : [1e12, 'p'];
  return `${+(v * k).toPrecision(3)} ${p}${unit}`;
}

/** Median, p90 and max pulses over the cells that took at least one pulse (histogram[k] = cells with k pulses). */
function touchedDistribution(histogram: readonly number[]): { median: number; p90: number; max: number; cells: number } {
  const cells = histogram.reduce((a, b, k) => a + (k > 0 ? b : 0), 0);
  const at = (q: number): number => {
    let seen = 0;
    for (let k = 1; k < histogram.length; k++) { seen += histogram[k]!; if (seen >= Math.ceil(q * cells)) return k; }
    return 0;
  };
  let max = 0;
  for (let k = histogram.length - 1; k > 0; k--) if (histogram[k]! > 0) { max = k; break; }
  return { median: at(0.5), p90: at(0.9), max, cells };
}

/** Cost of a programming operation (or a switch: `totals` and `latencyS` summed over its operations). */
export function costMetrics(r: ProgramReport, what: string, totals: ProgramTotals = r.totals, latencyS = r.latencyS, distributionNote = ''): Metric[] {
  const t = totals;
  const d = touchedDistribution(r.distribution.histogram);
  return [
    { label: `${what}: cycles`, value: `${int(t.cycles)} (${int(t.setPulses)} SET, ${int(t.resetPulses)} RESET)`, hint: 'write-verify iterations = pulses, each followed by a verify read' },
    { label: `${what}: cells touched`, value: `${int(t.cellsTouched)} of ${int(t.cellsTargeted)} targeted (${pct(t.cellsTouched / Math.max(1, t.cellsTargeted))})` },
    { label: `${what}: energy`, value: eng(t.energyJ, 'J') },
    { label: `${what}: latency`, value: `${eng(latencyS, 's')} (${r.parallelism}-parallel, ${r.crossbarsInParallel} crossbar(s) at once)` },
    {
      label: `${what}: pulses per pulsed cell`,
      value: d.cells ? `median ${d.median}, p90 ${d.p90}, max ${d.max} over the ${int(d.cells)} cells pulsed${distributionNote}` : 'no cell needed a pulse',
    },
    { label: `${what}: failures`, value: `${int(t.failures)} cells out of band after ${r.scheme.toUpperCase()} (${pct(t.failures / Math.max(1, t.cellsTargeted))})` },
  ];
}

export interface AccuracyFigures { kind: 'test accuracy' | 'top-1 agreement with float'; float?: number; ideal: number; analog: number; hint: string }

/** Test images evaluated per accuracy figure (the pack has 500; fewer keeps the analog runs quick). */
export const EVAL_LIMIT = 300;

/** Accuracy on the model's labelled test set (float, ideal, analog), or top-1 agreement with float otherwise. */
export function accuracyOf(d: Pick<Deployment, 'qm' | 'engine'>, m: LoadedModel): AccuracyFigures {
  if (m.test) {
    const acc = evaluate(d.engine, m.test, ['float', 'ideal', 'analog'], { limit: EVAL_LIMIT, batch: 100 });
    return { kind: 'test accuracy', float: acc.float!, ideal: acc.ideal!, analog: acc.analog!, hint: `first ${EVAL_LIMIT} MNIST test images` };
  }
  return {
    kind: 'top-1 agreement with float', ideal: top1Agreement(d, m.samples, 'ideal'), analog: top1Agreement(d, m.samples, 'analog'),
    hint: `${SAMPLES} seeded inputs (no labelled data for this model)`,
  };
}

export function accuracyMetric(what: string, a: AccuracyFigures): Metric {
  const float = a.float === undefined ? '' : `float ${pct(a.float)}, `;
  return { label: `${what} ${a.kind}`, value: `${float}crossbar ideal ${pct(a.ideal)}, analog ${pct(a.analog)}`, hint: a.hint };
}

/** Share of samples whose top-1 output in `mode` equals the float model's. */
function top1Agreement(d: Pick<Deployment, 'qm' | 'engine'>, x: Float32Array, mode: 'quantized' | 'ideal' | 'analog'): number {
  const ref = forward(d.qm.model, x, SAMPLES).data, got = d.engine.run(x, SAMPLES, mode);
  const C = ref.length / SAMPLES;
  const argmax = (y: Float32Array, i: number): number => { let b = 0; for (let c = 1; c < C; c++) if (y[i * C + c]! > y[i * C + b]!) b = c; return b; };
  let same = 0;
  for (let i = 0; i < SAMPLES; i++) if (argmax(ref, i) === argmax(got, i)) same++;
  return same / SAMPLES;
}

/** Ideal crossbar output equals the quantized software model, bit for bit. */
export function sameOutputs(d: Deployment, x: Float32Array): boolean {
  const q = d.engine.run(x, SAMPLES, 'quantized'), i = d.engine.run(x, SAMPLES, 'ideal');
  return q.every((v, k) => Object.is(v, i[k]));
}

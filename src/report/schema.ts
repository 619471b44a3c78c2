// JSON Schema (draft-07) of results.json ("ha3m-results/2") and its validator. Pure: no node: imports, so the
// browser bundle can validate results too. validateResults also checks what a schema cannot say (strategy keys
// equal their names, heatmap grid sizes, model names in the sequence and accuracies, accuracies that are whole
// counts of their samples with their Wilson intervals, training budgets that add up).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { accuracyProblems, trainingProblems } from './checks.js';
import { RESULTS_SCHEMA_ID, type Results } from './types.js';

const num = { type: 'number' } as const;
const nonNeg = { type: 'number', minimum: 0 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const;
const fractionOrNull = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
const str = { type: 'string' } as const;
const nonEmptyStr = { type: 'string', minLength: 1 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
const positiveOrNull = { type: ['integer', 'null'], minimum: 1 } as const;
const interval = { type: 'array', minItems: 2, maxItems: 2, items: fraction } as const;
const intervalOrNull = { type: ['array', 'null'], minItems: 2, maxItems: 2, items: fraction } as const;

export const RESULTS_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'ha3m-results-1',
  title: 'ha3m results (ha3m-results/2)',
  definitions: {
    accuracies: {
      type: 'object',
      required: ['float', 'quantized', 'ideal', 'analog', 'samples', 'ci95'],
      additionalProperties: false,
      properties: {
        float: fraction, quantized: fraction, ideal: fractionOrNull, analog: fractionOrNull,
        samples: {
          type: 'object',
          required: ['float', 'quantized', 'ideal', 'analog'],
          additionalProperties: false,
          properties: { float: positive, quantized: positive, ideal: positiveOrNull, analog: positiveOrNull },
        },
        ci95: {
          type: 'object',
          required: ['float', 'quantized', 'ideal', 'analog'],
          additionalProperties: false,
          properties: { float: interval, quantized: interval, ideal: intervalOrNull, analog: intervalOrNull },
        },
      },
    },
    accuracyMap: {
      type: 'object',
      additionalProperties: { $ref: '#/definitions/accuracies' },
    },
    layer: {
      type: 'object',
      required: ['layer', 'name', 'cells', 'cellsTouched', 'cycles', 'reusedFraction'],
      properties: { layer: count, name: str, cells: count, cellsTouched: count, cycles: nonNeg, reusedFraction: fraction },
    },
    heatmap: {
      type: 'object',
      required: ['crossbars', 'binRows', 'binCols', 'values'],
      properties: {
        crossbars: { type: 'array', items: count },
        binRows: { type: 'integer', minimum: 1, maximum: 32 },
        binCols: { type: 'integer', minimum: 1, maximum: 32 },
        values: { type: 'array', items: { type: 'array', items: fraction } },
      },
    },
    switch: {
      type: 'object',
      required: [
        'index', 'from', 'to', 'cycles', 'setPulses', 'resetPulses', 'verifyReads', 'energyJ', 'latencyS',
        'latencyCellS', 'latencyRowS', 'cellsTargeted', 'cellsTouched', 'failures', 'crossbarsUsed', 'maxWear',
        'switchesLeft', 'matchingSeconds', 'perLayer', 'heatmap', 'accuracy',
      ],
      properties: {
        index: count,
        from: { type: ['string', 'null'] },
        to: nonEmptyStr,
        cycles: nonNeg, setPulses: nonNeg, resetPulses: nonNeg, verifyReads: nonNeg,
        energyJ: nonNeg, latencyS: nonNeg, latencyCellS: nonNeg, latencyRowS: nonNeg,
        cellsTargeted: count, cellsTouched: count, failures: count, crossbarsUsed: count,
        maxWear: nonNeg,
        switchesLeft: { type: ['number', 'null'], minimum: 0 },
        matchingSeconds: nonNeg,
        perLayer: { type: 'array', items: { $ref: '#/definitions/layer' } },
        heatmap: { $ref: '#/definitions/heatmap' },
        accuracy: { $ref: '#/definitions/accuracyMap' },
      },
    },
    strategy: {
      type: 'object',
      required: [
        'name', 'description', 'cyclesPerSwitch', 'energyPerSwitchJ', 'latencyPerSwitchS', 'latencyCellPerSwitchS',
        'latencyRowPerSwitchS', 'cellsTouchedPerSwitch', 'failuresPerSwitch', 'totals', 'accuracy', 'switches',
      ],
      properties: {
        name: { enum: ['full', 'diff', 'blm', 'ha3m'] },
        description: str,
        cyclesPerSwitch: nonNeg, energyPerSwitchJ: nonNeg, latencyPerSwitchS: nonNeg,
        latencyCellPerSwitchS: nonNeg, latencyRowPerSwitchS: nonNeg,
        cellsTouchedPerSwitch: nonNeg, failuresPerSwitch: nonNeg,
        totals: {
          type: 'object',
          required: ['cycles', 'energyJ', 'latencyS', 'failures'],
          properties: { cycles: nonNeg, energyJ: nonNeg, latencyS: nonNeg, failures: nonNeg },
        },
        accuracy: { $ref: '#/definitions/accuracyMap' },
        switches: { type: 'array', minItems: 1, items: { $ref: '#/definitions/switch' } },
        tiedFraction: fraction,
      },
    },
    paretoPoint: {
      type: 'object',
      required: ['share', 'cyclesPerSwitch', 'accuracy'],
      properties: { share: fraction, cyclesPerSwitch: nonNeg, accuracy: { $ref: '#/definitions/accuracyMap' }, tiedFraction: fraction },
    },
    phase: {
      type: 'object',
      required: ['phase', 'epochs', 'trainSamples', 'samplesSeen'],
      additionalProperties: false,
      properties: { phase: nonEmptyStr, epochs: count, trainSamples: count, samplesSeen: count },
    },
    budget: {
      type: 'object',
      required: ['name', 'variant', 'task', 'phases', 'epochs', 'samplesSeen'],
      additionalProperties: false,
      properties: {
        name: nonEmptyStr, variant: { enum: ['separate', 'merged'] }, share: fraction, task: str,
        phases: { type: 'array', minItems: 1, items: { $ref: '#/definitions/phase' } },
        epochs: count, samplesSeen: count,
      },
    },
  },
  type: 'object',
  required: ['schema', 'tool', 'createdAt', 'seed', 'config', 'scenario', 'accuracyInterval', 'training', 'strategies', 'pareto', 'notes'],
  properties: {
    schema: { const: RESULTS_SCHEMA_ID },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { const: 'ha3m' }, version: str },
    },
    createdAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
    seed: { type: 'integer' },
    config: {
      type: 'object',
      required: ['crossbar', 'weights', 'cells', 'io', 'device', 'programming'],
      properties: {
        crossbar: {
          type: 'object',
          required: ['rows', 'cols'],
          properties: { rows: { type: 'integer', minimum: 1 }, cols: { type: 'integer', minimum: 1 } },
        },
        device: { type: 'object', required: ['name'], properties: { name: str } },
        weights: { type: 'object' },
        cells: { type: 'object' },
        io: { type: 'object' },
        programming: { type: 'object' },
      },
    },
    scenario: {
      type: 'object',
      required: ['name', 'models', 'sequence', 'poolCrossbars', 'mapping', 'evalSamples', 'trackSamples'],
      properties: {
        name: str,
        models: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'architecture', 'task', 'crossbars', 'testSamples'],
            properties: { name: nonEmptyStr, architecture: str, task: str, crossbars: count, testSamples: positive },
          },
        },
        sequence: { type: 'array', minItems: 1, items: nonEmptyStr },
        poolCrossbars: count,
        mapping: { enum: ['baseline', 'xamm'] },
        evalSamples: positiveOrNull,
        trackSamples: positive,
      },
    },
    accuracyInterval: {
      type: 'object',
      required: ['method', 'confidence'],
      additionalProperties: false,
      properties: { method: { const: 'wilson' }, confidence: { const: 0.95 } },
    },
    training: {
      type: ['object', 'null'],
      required: ['models', 'sameBudget'],
      additionalProperties: false,
      properties: { models: { type: 'array', minItems: 1, items: { $ref: '#/definitions/budget' } }, sameBudget: { type: 'boolean' } },
    },
    strategies: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { $ref: '#/definitions/strategy' },
    },
    pareto: { type: 'array', items: { $ref: '#/definitions/paretoPoint' } },
    notes: { type: 'array', items: str },
  },
} as const;

/** A results file or object that does not match the schema; `problems` lists "path: what is wrong". */
export class ResultsError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
    this.name = 'ResultsError';
  }
}

/** Converts a JSON pointer (/a/0/b) to a readable path ($.a[0].b). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '$';
  let out = '$';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The value as JSON will store it: non-finite numbers become null, undefined members disappear. */
export function toJsonValue<T>(value: T): unknown {
  // JSON.stringify itself writes NaN and ±Infinity as null (and is much faster without a replacer).
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** True when `v` is already exactly what JSON.parse would give back (no NaN/Infinity, undefined, toJSON, classes). */
function isPlainJson(v: unknown): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'number': return Number.isFinite(v);
    case 'string': case 'boolean': return true;
    case 'object': {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (!isPlainJson((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default: return false;
  }
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    compiled = ajv.compile(RESULTS_JSON_SCHEMA);
  }
  return compiled;
}

function valueAtPointer(obj: unknown, pointer: string): unknown {
  let cur = obj;
  if (pointer === '') return cur;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return cur;
}

function describeError(e: ErrorObject, data: unknown, original: unknown): string {
  const at = pointerToPath(e.instancePath);
  if (e.keyword === 'required') {
    const p = (e.params as { missingProperty: string }).missingProperty;
    return `${pointerToPath(`${e.instancePath}/${p}`)}: missing (required)`;
  }
  const got = valueAtPointer(data, e.instancePath);
  let what = e.message ?? e.keyword;
  if (e.keyword === 'const' || e.keyword === 'enum') {
    what += ` ${JSON.stringify((e.params as { allowedValue?: unknown; allowedValues?: unknown }).allowedValue ?? (e.params as { allowedValues?: unknown }).allowedValues)}`;
  }
  let gotText = JSON.stringify(got);
  if (gotText !== undefined && gotText.length > 40) gotText = gotText.slice(0, 37) + '...';
  if (got === null) {
    const orig = valueAtPointer(original, e.instancePath);
    if (typeof orig === 'number') gotText = String(orig);
    else gotText = 'null (NaN and Infinity are written as null)';
  }
  return `${at}: ${what}, got ${gotText}`;
}

/** Problems a JSON Schema cannot express. */
function crossChecks(r: Results): string[] {
  const p: string[] = [];
  const names = new Set(r.scenario.models.map((m) => m.name));
  if (names.size !== r.scenario.models.length) p.push('$.scenario.models: model names must be unique');
  r.scenario.sequence.forEach((n, i) => {
    if (!names.has(n)) p.push(`$.scenario.sequence[${i}]: "${n}" is not one of the scenario's models (${[...names].join(', ')})`);
  });
  for (const [key, s] of Object.entries(r.strategies)) {
    const base = `$.strategies.${key}`;
    if (s.name !== key) p.push(`${base}.name: must equal its key "${key}", got "${s.name}"`);
    s.switches.forEach((sw, i) => {
      const at = `${base}.switches[${i}]`;
      if (sw.index !== i) p.push(`${at}.index: switches must be numbered 0, 1, 2…; expected ${i}, got ${sw.index}`);
      if (!names.has(sw.to)) p.push(`${at}.to: "${sw.to}" is not one of the scenario's models`);
      if (sw.from !== null && !names.has(sw.from)) p.push(`${at}.from: "${sw.from}" is not one of the scenario's models`);
      if (sw.cellsTouched > sw.cellsTargeted) p.push(`${at}.cellsTouched: ${sw.cellsTouched} exceeds cellsTargeted ${sw.cellsTargeted}`);
      const h = sw.heatmap;
      if (h.values.length !== h.crossbars.length) {
        p.push(`${at}.heatmap.values: ${h.values.length} grids for ${h.crossbars.length} crossbars`);
      }
      h.values.forEach((g, j) => {
        if (g.length !== h.binRows * h.binCols) {
          p.push(`${at}.heatmap.values[${j}]: ${g.length} bins, expected binRows × binCols = ${h.binRows * h.binCols}`);
        }
      });
      sw.perLayer.forEach((l, j) => {
        if (l.cellsTouched > l.cells) p.push(`${at}.perLayer[${j}].cellsTouched: ${l.cellsTouched} exceeds cells ${l.cells}`);
      });
      p.push(...accuracyProblems(r, sw.accuracy, `${at}.accuracy`));
    });
    p.push(...accuracyProblems(r, s.accuracy, `${base}.accuracy`));
  }
  r.pareto.forEach((pt, i) => p.push(...accuracyProblems(r, pt.accuracy, `$.pareto[${i}].accuracy`)));
  p.push(...trainingProblems(r));
  return p;
}

/**
 * Validates a results object (in memory, or parsed from results.json) against schema "ha3m-results/2". Non-finite
 * numbers are checked as JSON will store them (null), so NaN where a number is required is an error. Throws a
 * ResultsError listing the first problems with their paths ($.strategies.full.cyclesPerSwitch: ...).
 */
export function validateResults(obj: unknown, source = 'results'): Results {
  const data = isPlainJson(obj) ? obj : toJsonValue(obj);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ResultsError(`${source}: expected a JSON object (schema "${RESULTS_SCHEMA_ID}"), got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)}`);
  }
  const schema = (data as { schema?: unknown }).schema;
  if (schema !== RESULTS_SCHEMA_ID) {
    throw new ResultsError(
      `${source}: $.schema is ${JSON.stringify(schema) ?? 'missing'}, expected "${RESULTS_SCHEMA_ID}" — ` +
        'not an ha3m results file, or one written by a different ha3m version (re-run the scenario with this version)',
      [`$.schema: expected "${RESULTS_SCHEMA_ID}"`],
    );
  }
  const validate = validator();
  let problems: string[];
  if (!validate(data)) {
    problems = [...new Set((validate.errors ?? []).map((e) => describeError(e, data, obj)))];
  } else {
    problems = crossChecks(data as Results);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 12);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new ResultsError(
      `${source} does not match schema "${RESULTS_SCHEMA_ID}" (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  - ${shown.join('\n  - ')}${more}`,
      problems,
    );
  }
  return data as Results;
}

// `ha3m assign`: minimum-cost assignment of a dense cost matrix (src/matching/assignment.ts).
//   ha3m assign --cost m.json [--json]                     m.json = {"rows": R, "cols": C, "data": [row-major]}
//   ha3m assign --cost m.f64 --rows R --cols C [--json]    raw little-endian f64, row-major
// In JSON files a forbidden pair may be written as null, "inf" or "Infinity" (JSON has no Infinity).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { initSync } from '../../wasm/index.js';
import { AssignmentError, linearAssignment } from '../../matching/assignment.js';
import { UserError } from '../errors.js';

interface AssignOpts { cost: string; rows?: string; cols?: string; json?: boolean }

export function registerAssign(program: Command): void {
  program
    .command('assign')
    .description('solve a linear assignment problem (each row to a distinct column, minimum total cost)')
    .requiredOption('--cost <file>', 'cost matrix: JSON {rows, cols, data} (row-major) or raw little-endian f64 with --rows/--cols')
    .option('--rows <n>', 'rows of a raw f64 file')
    .option('--cols <n>', 'columns of a raw f64 file')
    .option('--json', 'print {rows, cols, total, rowToCol, seconds} as JSON')
    .action((opts: AssignOpts) => {
      const { rows, cols, data } = readCost(opts);
      initSync();
      const t0 = performance.now();
      let result;
      try {
        result = linearAssignment(data, rows, cols);
      } catch (e) {
        if (e instanceof AssignmentError) throw new UserError(`${opts.cost}: ${e.message}`);
        throw e;
      }
      const seconds = (performance.now() - t0) / 1000;
      if (opts.json) {
        console.log(JSON.stringify({ rows, cols, total: result.total, rowToCol: Array.from(result.rowToCol), seconds }));
        return;
      }
      console.log(`total   ${result.total}`);
      console.log(`matrix  ${rows} × ${cols}, solved in ${(seconds * 1000).toFixed(2)} ms`);
      console.log('row -> column');
      const lines: string[] = [];
      for (let i = 0; i < rows; i++) lines.push(`${i} -> ${result.rowToCol[i] < 0 ? 'unassigned' : result.rowToCol[i]}`);
      console.log(lines.join('\n'));
    });
}

function parseDim(name: string, s: string | undefined, file: string): number {
  if (s === undefined) {
    throw new UserError(`${file} is not a JSON file: a raw little-endian f64 matrix needs --rows and --cols (missing --${name})`);
  }
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--${name} must be a non-negative integer, got ${s}`);
  return n;
}

function readCost(opts: AssignOpts): { rows: number; cols: number; data: Float64Array } {
  const file = opts.cost;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read cost file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const first = bytes.subarray(0, 64).toString('utf8').trimStart();
  const looksJson = file.toLowerCase().endsWith('.json') || first.startsWith('{');
  if (looksJson && opts.rows === undefined && opts.cols === undefined) return parseJson(bytes.toString('utf8'), file);
  const rows = parseDim('rows', opts.rows, file), cols = parseDim('cols', opts.cols, file);
  if (bytes.length !== rows * cols * 8) {
    throw new UserError(`${file} has ${bytes.length} bytes, but a ${rows} × ${cols} f64 matrix needs ${rows * cols * 8} ` +
      '(rows × cols × 8); check --rows/--cols or the file (truncated?)');
  }
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = bytes.readDoubleLE(k * 8);
  return { rows, cols, data };
}

function parseJson(text: string, file: string): { rows: number; cols: number; data: Float64Array } {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message}); expected {"rows": R, "cols": C, "data": [...]}`);
  }
  const o = obj as { rows?: unknown; cols?: unknown; data?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.data)) {
    throw new UserError(`${file}: expected {"rows": R, "cols": C, "data": [row-major numbers]}`);
  }
  const rows = o.rows, cols = o.cols;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 0 || (cols as number) < 0) {
    throw new UserError(`${file}: "rows" and "cols" must be non-negative integers, got ${JSON.stringify(rows)} and ${JSON.stringify(cols)}`);
  }
  const r = rows as number, c = cols as number;
  if (o.data.length !== r * c) {
    throw new UserError(`${file}: "data" has ${o.data.length} entries, but rows × cols = ${r} × ${c} = ${r * c}`);
  }
  const data = new Float64Array(r * c);
  for (let k = 0; k < data.length; k++) {
    const x = o.data[k];
    if (typeof x === 'number') data[k] = x;
    else if (x === null || x === 'inf' || x === 'Infinity' || x === '+Infinity') data[k] = Infinity;
    else {
      throw new UserError(`${file}: data[${k}] (cost[${Math.floor(k / c)}, ${k % c}]) is ${JSON.stringify(x)}; ` +
        'use a number, or null / "inf" for a forbidden pair');
    }
  }
  return { rows: r, cols: c, data };
}

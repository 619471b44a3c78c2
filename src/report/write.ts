// Node-only: atomic writes (src/io/atomic.ts) and validated reads of results files. Kept out of src/report/index.ts
// so the browser bundle never sees node:fs; import from src/report/node.ts.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { writeFileAtomic, type AtomicWriteOptions } from '../io/index.js';
import { stringifyResults } from './json.js';
import { ResultsError, validateResults } from './schema.js';
import { RESULTS_SCHEMA_ID, type Results } from './types.js';

export { writeFileAtomic, type AtomicWriteOptions };

/**
 * Validates `results` (NaN/Infinity become null first, so NaN in a required number is an error) and writes it as
 * results.json atomically. Nothing is written when validation fails.
 */
export function writeResultsAtomic(path: string, results: Results | unknown, opts: AtomicWriteOptions = {}): Results {
  const valid = validateResults(results, `results for ${basename(path)}`);
  writeFileAtomic(path, stringifyResults(valid), opts);
  return valid;
}

/** Reads and validates a results file; errors say what is wrong with it and how to get a good one. */
export function readResults(path: string): Results {
  let text: string;
  try {
    if (statSync(path).isDirectory()) {
      throw new ResultsError(`${path} is a directory; pass the results.json file inside it`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ResultsError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ResultsError(`results file not found: ${path} (produce one with \`ha3m switch\` or \`ha3m demo\`)`);
    }
    throw new ResultsError(`cannot read results file ${path}: ${code ?? (e as Error).message}`);
  }
  if (text.trim() === '') throw new ResultsError(`${path} is empty; the run that wrote it did not finish — re-run it`);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const tail = text.trimEnd();
    const truncated = !tail.endsWith('}');
    throw new ResultsError(
      `${path} is not valid JSON${truncated ? ' (it looks truncated: it does not end with "}")' : ''}: ${(e as Error).message}. ` +
        `Re-run the scenario to regenerate it; ha3m writes results atomically, so a partial file comes from elsewhere`,
    );
  }
  if (obj === null || typeof obj !== 'object' || (obj as { schema?: unknown }).schema !== RESULTS_SCHEMA_ID) {
    const s = obj !== null && typeof obj === 'object' ? (obj as { schema?: unknown }).schema : undefined;
    throw new ResultsError(
      `${path} is not an ha3m results file: "schema" is ${JSON.stringify(s) ?? 'missing'}, expected "${RESULTS_SCHEMA_ID}"`,
    );
  }
  return validateResults(obj, path);
}

// Node-only: atomic writes and validated reads of results files. Kept out of src/report/index.ts so the browser
// bundle never sees node:fs; import from src/report/node.ts.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { stringifyResults } from './json.js';
import { ResultsError, validateResults } from './schema.js';
import { RESULTS_SCHEMA_ID, type Results } from './types.js';

export interface AtomicWriteOptions {
  /** Test hook: called after the temp file is complete and before the rename; a throw aborts the write. */
  beforeRename?: (tmpPath: string) => void;
}

/**
 * Writes `data` to `path` atomically: into `path.tmp-<pid>` (fsynced), then renamed over `path`. On any failure the
 * temp file is removed and `path` is left as it was (absent, or the previous complete file).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(`writeFileAtomic(${path}): data must be a string or Uint8Array, got ${data === null ? 'null' : typeof data}`);
  }
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  let stage: 'open' | 'write' | 'rename' = 'open';
  try {
    fd = openSync(tmp, 'w');
    stage = 'write';
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    opts.beforeRename?.(tmp);
    stage = 'rename';
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { rmSync(tmp, { force: true }); } catch { /* best effort */ }
    const err = e as NodeJS.ErrnoException;
    if (stage === 'rename' && (err.code === 'EISDIR' || err.code === 'ENOTEMPTY' || err.code === 'EEXIST')) {
      throw new Error(`cannot write ${path}: a directory is in the way; remove it or choose another output path`);
    }
    if (stage === 'open' && err.code === 'ENOENT') {
      throw new Error(`cannot write ${path}: its directory does not exist; create it first (${err.message})`);
    }
    throw e;
  }
}

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

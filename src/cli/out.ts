// The output directory of a command, checked before the work (a bad --out must not cost a training run), and
// write failures after the work reported without losing what was computed.
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { processAlive } from '../sweep/index.js';
import { UserError } from './errors.js';

const WHY: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'that location cannot hold directories',
};

/** A temp file or directory of an atomic write (NAME.tmp-PID, NAME.old-PID). */
const TEMP = /\.(?:tmp|old)-(\d+)$/;
/** Temps younger than this may belong to a run on another host sharing the directory: left alone. */
const TEMP_GRACE_MS = 60_000;

/**
 * Makes sure `dir` exists and can be written — creating it and writing a probe file, which catches read-only file
 * systems and full disks that permission bits do not show — and removes the temp files of killed runs in it.
 * Throws a UserError naming the option, the path and the reason.
 */
export function prepareOutDir(dir: string, option = '--out'): void {
  const fail = (why: string): never => { throw new UserError(`${option} ${dir}: ${why}; choose another directory`); };
  if (existsSync(dir) && !statSync(dir).isDirectory()) fail('it is a file, not a directory');
  const missing: string[] = []; // the directories to create, outermost first
  for (let p = resolve(dir); ; p = dirname(p)) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) fail(`${p} is a file, not a directory`);
      break;
    }
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  const probe = join(dir, `.ha3m-write-test-${process.pid}`);
  try {
    // one level at a time: mkdirSync(…, { recursive: true }) loops forever where mkdir says ENOENT under an existing
    // parent (e.g. /proc)
    for (const p of missing) {
      try { mkdirSync(p); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
    }
    accessSync(dir, constants.W_OK | constants.X_OK);
    writeFileSync(probe, 'probe');
    unlinkSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    fail(`cannot write there (${WHY[code] ?? code ?? (e as Error).message})`);
  }
  removeStaleTemps(dir);
}

/** Removes NAME.tmp-PID / NAME.old-PID entries of processes that are gone (left by a kill mid-write). */
export function removeStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return removed; }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const p = join(dir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs < TEMP_GRACE_MS) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } catch { /* raced with its owner or another cleaner */ }
  }
  return removed;
}

/** A write that failed after the work: what could not be written and why (results are printed anyway). */
export function writeFailure(what: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why = err.code && WHY[err.code] ? `${WHY[err.code]} (${err.code})` : err.message ?? String(e);
  return `could not write ${what}: ${why}`;
}

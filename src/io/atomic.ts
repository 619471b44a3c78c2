// Node-only: writes that never leave a half-written file that looks complete. Data goes to a temporary name next to
// the target, is fsynced (so a power loss after the rename cannot expose an empty or partial file), then renamed over
// the target; a directory is filled the same way and swapped in whole. Every writer of results, reports, models and
// checkpoints goes through here. Not exported to the browser bundle (node:fs).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface AtomicWriteOptions {
  /** Test hook: called after the temp file is complete and before the rename; a throw aborts the write. */
  beforeRename?: (tmpPath: string) => void;
  /** Create the parent directory when it is missing (default false: a missing directory is an error). */
  mkdir?: boolean;
}

/** Writes `data` to an open-for-writing temp file, fsyncs and closes it. */
function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable: fsyncs the directory that holds the new name (where the platform allows it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms cannot open or fsync a directory; the file itself is already synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function checkData(path: string, data: unknown): asserts data is string | Uint8Array {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(`writeFileAtomic(${path}): data must be a string or Uint8Array, got ${data === null ? 'null' : typeof data}`);
  }
}

/**
 * Writes `data` to `path` atomically: into `path.tmp-<pid>` (fsynced), then renamed over `path`. On any failure the
 * temp file is removed and `path` is left as it was (absent, or the previous complete file).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  checkData(path, data);
  if (opts.mkdir) mkdirSync(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  let stage: 'write' | 'rename' = 'write';
  try {
    writeSynced(tmp, data);
    opts.beforeRename?.(tmp);
    stage = 'rename';
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* best effort */ }
    const err = e as NodeJS.ErrnoException;
    if (stage === 'rename' && (err.code === 'EISDIR' || err.code === 'ENOTEMPTY' || err.code === 'EEXIST')) {
      throw new Error(`cannot write ${path}: a directory is in the way; remove it or choose another output path`);
    }
    if (stage === 'write' && err.code === 'ENOENT' && err.syscall === 'open') {
      throw new Error(`cannot write ${path}: its directory does not exist; create it first (${err.message})`);
    }
    throw e;
  }
  syncDir(dirname(resolve(path)));
}

/**
 * Writes a whole directory atomically: fills `dir.tmp-<pid>` with `files` (name → contents, each fsynced), then
 * swaps it in for `dir` (the previous directory, if any, is removed after the swap). The parent is created if
 * missing.
 */
export function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  let moved = false;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      checkData(join(dir, name), data);
      writeSynced(join(tmp, name), data);
    }
    syncDir(tmp);
    rmSync(old, { recursive: true, force: true });
    try { renameSync(dir, old); moved = true; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
    renameSync(tmp, dir);
  } catch (e) {
    if (moved) { try { renameSync(old, dir); } catch { /* the previous directory stays at its .old name */ } }
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  syncDir(dirname(resolve(dir)));
  rmSync(old, { recursive: true, force: true });
}

// An exclusive lock on a sweep's records file, so that two runs (or a --resume while a run is going) never both
// run its points. The lock is a file created with O_EXCL next to the records, holding the owner's pid, host and
// command. A lock whose owner is gone (same host, no such process: a kill -9, a crash, a power cut) is stale and
// taken over; a lock held from another host cannot be checked from here, so it is refused with the way out.
import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export class SweepLockError extends Error {
  constructor(message: string) { super(message); this.name = 'SweepLockError'; }
}

interface LockInfo { pid: number; host: string; started: string; command: string }

export interface SweepLock {
  path: string;
  /** Removes the lock (when it is still ours); idempotent. */
  release(): void;
}

/** A lock file cut short by a kill between create and write is stale once this old. */
const TORN_LOCK_MS = 10_000;

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

function readLock(path: string): { text: string; info: LockInfo | null; ageMs: number } | null {
  try {
    const text = readFileSync(path, 'utf8');
    const ageMs = Date.now() - statSync(path).mtimeMs;
    let info: LockInfo | null = null;
    try {
      const j = JSON.parse(text) as Partial<LockInfo>;
      if (typeof j.pid === 'number' && typeof j.host === 'string') info = { pid: j.pid, host: j.host, started: String(j.started ?? '?'), command: String(j.command ?? '?') };
    } catch { /* torn */ }
    return { text, info, ageMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Why the lock at `path` is stale, or null when its owner may still be running. */
function staleReason(l: { info: LockInfo | null; ageMs: number }): string | null {
  if (!l.info) return l.ageMs > TORN_LOCK_MS ? 'an unreadable lock left by a killed run' : null;
  if (l.info.host !== hostname()) return null;
  return processAlive(l.info.pid) ? null : `its process ${l.info.pid} is gone`;
}

/**
 * Takes the lock at `path` (what: the thing locked, for messages), taking over a stale one. Throws SweepLockError
 * naming the owner when another run holds it.
 */
export function acquireLock(path: string, what: string, onStale?: (message: string) => void): SweepLock {
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  const text = JSON.stringify(info) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(path);
      if (!held) continue; // released meanwhile
      const why = staleReason(held);
      if (!why) {
        const o = held.info;
        throw new SweepLockError(o
          ? `${what} is in use by another run (pid ${o.pid} on ${o.host}, since ${o.started}: ${o.command}); wait for it to finish, or, if it no longer runs, delete ${path}`
          : `${what} is being locked by another run right now (${path} is still empty); try again, or delete it if no other run is going`);
      }
      // re-read just before removing, so a lock another process has just taken over is not removed in its place
      if (readLock(path)?.text !== held.text) continue;
      unlinkSync(path);
      onStale?.(`took over the lock of ${what}: ${why}`);
      continue;
    }
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        if (readLock(path)?.text === text) unlinkSync(path);
      } catch { /* gone already */ }
    };
    process.on('exit', release); // a second Ctrl-C exits at once: the lock goes with it
    return { path, release };
  }
  throw new SweepLockError(`could not take the lock ${path} for ${what}: other runs keep taking it; try again`);
}

/**
 * Takes the lock at `path`, waiting while another live run holds it (e.g. shards that need the same retrained
 * models: one retrains, the others wait and then reuse its result). Says once that it waits, and for whom.
 */
export async function waitForLock(path: string, what: string, log: (message: string) => void, pollMs = 2000): Promise<SweepLock> {
  let said = false;
  for (;;) {
    try {
      return acquireLock(path, what, log);
    } catch (e) {
      if (!(e instanceof SweepLockError)) throw e;
      if (!said) { log(`waiting: ${e.message}`); said = true; }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

// Shared by the browser test files: visible notes on stderr (uvu prints test dots on stdout).
const YELLOW = '\u001b[33m', RESET = '\u001b[39m';

/** A loud, visible line saying which browser tests were skipped and why. */
export function reportSkip(what: string, reason: string): void {
  process.stderr.write(`\n${YELLOW}SKIPPED: ${what} — ${reason}. They run (and must pass) when CI is set.${RESET}\n`);
}

/** An informational line (e.g. per-suite browser totals). Quiet with HA3M_QUIET_BROWSER=1. */
export function note(line: string): void {
  if (!process.env.HA3M_QUIET_BROWSER) process.stderr.write(`  ${line}\n`);
}

/**
 * One Chromium per test file, launched by the first test that asks (not in a before hook: uvu 0.5 swallows errors
 * thrown by hooks, so a launch failure there would not fail the run). Close it in test.after.
 */
export function lazy<T>(make: () => Promise<T>): { get(): Promise<T>; peek(): T | null } {
  let value: T | null = null;
  let pending: Promise<T> | null = null;
  return {
    get: () => (pending ??= make().then((v) => (value = v))),
    peek: () => value,
  };
}

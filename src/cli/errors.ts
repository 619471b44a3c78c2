/** An error caused by the user's input: printed without a stack, exit code 2. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * Exit codes, one rule for every command (README "Exit codes"):
 *   0  ran, and the results are complete (stuck or failed cells are results, reported in them, not errors);
 *   1  an unexpected error (a bug, or the environment failing mid-run, e.g. out of memory);
 *   2  bad input: refused before any work, with a message naming the problem and the fix;
 *   3  ran, but the results are incomplete: some sweep points failed or were not run (stopped), shards are
 *      missing from a merge, or an output file could not be written (what was computed is still printed);
 *   130 aborted by a second Ctrl-C.
 */
export const EXIT = { ok: 0, error: 1, badInput: 2, incomplete: 3, aborted: 130 } as const;

/** Marks the run incomplete (exit code 3) without hiding a worse code already set. */
export function markIncomplete(): void {
  if (!process.exitCode || process.exitCode === EXIT.ok) process.exitCode = EXIT.incomplete;
}

// Runs the `ha3m` CLI in-process and captures what it prints and its exit code (shared by the CLI tests).
import { main } from '../../src/cli/main.js';

export interface CliRun { out: string; err: string; outLines: string[]; errLines: string[]; code: number }

export async function runCli(args: string[]): Promise<CliRun> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.join(' ')); };
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await main(['node', 'ha3m', ...args]);
  } finally {
    console.log = log; console.error = error;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out: out.join('\n'), err: err.join('\n'), outLines: out, errLines: err, code };
}

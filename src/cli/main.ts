// The `ha3m` command line. Each command lives in src/cli/commands/<name>.ts and is listed in commands/index.ts.
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { EXIT, UserError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('ha3m')
    .description('Simulate switching DNNs on RRAM crossbar accelerators: write-verify cost, XAMM, BLM and MMR (HA3M)')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(); // lets a subcommand's options (sweep merge --out) differ from its parent's
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`ha3m: ${msg}`);
    if (!(err instanceof UserError) && process.env.HA3M_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = err instanceof UserError ? EXIT.badInput : EXIT.error;
  }
}

import type { Command } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/program.js';
import type { Config } from '../../src/config.js';
import type { Runtime } from '../../src/server/runtime.js';

export interface CliRunner {
  /** Runs `muhafiz <args>` in-process against the test runtime; resolves with the lines it printed (commander's own output too). */
  run(...args: string[]): Promise<string[]>;
  /** A fresh program over the same context (for --help and the command tree). */
  program(): Command;
  /** What the last run printed so far (also after it failed). */
  readonly lines: string[];
  /** What the last run wrote raw (CSV streams). */
  readonly written: string;
}

/**
 * The `muhafiz` command line over a test runtime: output collected instead of
 * printed, commander's exits turned into exceptions, and process.exitCode reset
 * before each run (a command sets it to 1 to report a failure).
 */
export function cliRunner(rt: Runtime, opts: { config?: () => Config } = {}): CliRunner {
  const state = { lines: [] as string[], written: '' };
  const ctx: CliContext = {
    config: opts.config ?? (() => rt.config),
    withRuntime: (fn) => fn(rt),
    out: (text) => void state.lines.push(...text.split('\n')),
    write: async (chunk) => void (state.written += chunk),
    progress: () => ({ update: () => undefined, end: () => undefined }),
  };
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: (s) => void state.lines.push(s), writeErr: (s) => void state.lines.push(s) });
    c.commands.forEach(quiet);
  };
  return {
    program: () => buildProgram(ctx),
    async run(...args) {
      state.lines = [];
      state.written = '';
      process.exitCode = undefined;
      const program = buildProgram(ctx);
      quiet(program);
      await program.parseAsync(['node', 'muhafiz', ...args]);
      return state.lines;
    },
    get lines() {
      return state.lines;
    },
    get written() {
      return state.written;
    },
  };
}

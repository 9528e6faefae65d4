import { AppError } from './core/errors.js';
import { buildProgram } from './cli/program.js';
import { processCli } from './cli/context.js';

/** The `muhafiz` command line (see `muhafiz --help` and README.md "Command line"). */
export async function main(argv: string[]): Promise<void> {
  await buildProgram(processCli()).parseAsync(argv);
}

/** One line a person can act on: the message, and the field when an AppError names one. */
export function errorLine(err: unknown): string {
  if (err instanceof AppError) {
    const field = err.errors?.[0];
    return field && !err.message.includes(field.message) ? `${err.message} (${field.path}: ${field.message})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv).catch((err: unknown) => {
    console.error(`muhafiz: ${errorLine(err)}`);
    process.exit(1);
  });
}

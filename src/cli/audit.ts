import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { verifyAuditLog } from '../core/audit.js';
import { exportAuditCsv } from '../domains/audit/service.js';
import { AuditFilter } from '../domains/audit/schema.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, orgByShortName, type CliContext } from './context.js';

export interface AuditExportInput {
  org: string;
  from?: string | undefined;
  to?: string | undefined;
  action?: string | undefined;
}

/** `2026-03-01` -> `2026-03-01T00:00:00Z`; full timestamps pass through. */
function day(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/**
 * Streams an org's audit log as CSV (oldest first) through `write`, with the
 * same service and filters as the API's export, acting as the system in that
 * org. Returns the number of records.
 */
export async function auditExport(rt: Runtime, input: AuditExportInput, write: (chunk: string) => Promise<void>, onProgress?: (records: number) => void): Promise<number> {
  const parsed = AuditFilter.safeParse({ from: day(input.from), to: day(input.to), action: input.action });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`--${String(issue.path[0])}: ${issue.message} (use 2026-03-01 or 2026-03-01T12:00:00Z)`);
  }
  const org = await orgByShortName(rt, input.org);
  let records = 0;
  let first = true;
  for await (const chunk of exportAuditCsv(cliCtx(rt, org), parsed.data)) {
    if (!first) records += chunk.split('\r\n').length - 1;
    first = false;
    await write(chunk);
    onProgress?.(records);
  }
  return records;
}

export function registerAuditCommands(program: Command, cli: CliContext): void {
  const auditCmd = program.command('audit-log').description('the hash-chained audit log');

  auditCmd
    .command('verify')
    .description('walk every chain; exit 1 and report the first broken link if any record was modified, deleted or reordered')
    .action(() =>
      cli.withRuntime(async (rt) => {
        const progress = cli.progress('verified records');
        const r = await verifyAuditLog(rt.db, (n) => progress.update(n));
        progress.end();
        if (r.ok) {
          cli.out(`audit log intact: ${r.records} records in ${r.chains} chains`);
        } else {
          cli.out(`audit log BROKEN at org ${r.problem!.orgId}, record ${r.problem!.seq}: ${r.problem!.reason}`);
          process.exitCode = 1;
        }
      }),
    );

  auditCmd
    .command('export')
    .description("write an org's audit log as CSV (to stdout, or --output)")
    .requiredOption('--org <short>', 'organisation short name')
    .option('--from <date>', 'records at or after this date/time (2026-03-01 or ISO 8601)')
    .option('--to <date>', 'records before this date/time')
    .option('--action <prefix>', 'only actions starting with this, e.g. auth. or members.add')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText('after', '\nExample:\n  muhafiz audit-log export --org NovaBank --from 2026-01-01 --to 2026-04-01 > novabank-q1.csv')
    .action((o: AuditExportInput & { output?: string }) =>
      cli.withRuntime(async (rt) => {
        const progress = cli.progress('exported records');
        if (!o.output) {
          await auditExport(rt, o, cli.write, (n) => progress.update(n));
          progress.end();
          return;
        }
        const file = createWriteStream(o.output, { mode: 0o600 });
        const n = await auditExport(rt, o, async (chunk) => {
          if (!file.write(chunk)) await once(file, 'drain');
        }, (done) => progress.update(done));
        progress.end();
        file.end();
        await once(file, 'finish');
        cli.out(`exported ${n} records to ${o.output}`);
      }),
    );
}

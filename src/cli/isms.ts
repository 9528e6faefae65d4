import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { exportAssetsCsv, exportAssetsXlsx, importAssets } from '../domains/assets/transfer.js';
import { registerPdf, registerXlsx } from '../domains/risks/reports.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, orgByShortName, type CliContext } from './context.js';

async function orgCtx(rt: Runtime, shortName: string) {
  const org = await orgByShortName(rt, shortName);
  return { ...cliCtx(rt, org), orgName: org.name };
}

function formatOf(file: string, given?: string): 'csv' | 'xlsx' {
  const f = (given ?? extname(file).slice(1)).toLowerCase();
  if (f !== 'csv' && f !== 'xlsx') throw new Error(`cannot tell the format of ${file}; pass --format csv|xlsx`);
  return f;
}

/** `muhafiz assets import|export` and `muhafiz risks export`: the same services as the API. */
export function registerIsmsCommands(program: Command, cli: CliContext): void {
  const assets = program.command('assets').description("an organisation's asset inventory");
  assets
    .command('import <file>')
    .description('import assets from CSV or XLSX; every bad cell is listed with line and column; all-or-nothing')
    .requiredOption('--org <short>', "the organisation's short name")
    .option('--dry-run', 'check the file and report, write nothing')
    .addOption(new Option('--format <format>', 'csv or xlsx (default: from the file extension)').choices(['csv', 'xlsx']))
    .action((file: string, o: { org: string; dryRun?: boolean; format?: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const content = await readFile(file);
        try {
          const r = await importAssets(ctx, { format: formatOf(file, o.format), content, dryRun: Boolean(o.dryRun) });
          for (const e of r.errors) cli.out(`line ${e.line}, column ${e.column}: ${e.message}`);
          if (r.errors.length) {
            cli.out(`${r.errors.length} problem(s) in ${r.rows} row(s); nothing was written`);
            process.exitCode = 1;
          } else {
            cli.out(`${r.dryRun ? 'dry run: would create' : 'created'} ${r.created}, ${r.dryRun ? 'would update' : 'updated'} ${r.updated} of ${r.rows} row(s)${r.dryRun ? '; nothing was written' : ''}`);
          }
        } catch (err) {
          const e = err as { errors?: Array<{ path: string; message: string }>; message: string };
          for (const p of e.errors ?? []) cli.out(`${p.path}: ${p.message}`);
          throw err;
        }
      }),
    );
  assets
    .command('export')
    .description('export the inventory (import layout) to a file or stdout')
    .requiredOption('--org <short>', "the organisation's short name")
    .addOption(new Option('--format <format>', 'csv or xlsx').choices(['csv', 'xlsx']).default('csv'))
    .option('-o, --out <file>', 'write here instead of stdout (required for xlsx)')
    .action((o: { org: string; format: 'csv' | 'xlsx'; out?: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        if (o.format === 'xlsx' && !o.out) throw new Error('--out is required for xlsx');
        const body = o.format === 'xlsx' ? await exportAssetsXlsx(ctx, {}) : await exportAssetsCsv(ctx, {});
        if (o.out) {
          await writeFile(o.out, body);
          cli.out(`wrote ${o.out} (${body.length} bytes)`);
        } else {
          await cli.write(body.toString('utf8'));
        }
      }),
    );

  const risks = program.command('risks').description("an organisation's risk register");
  risks
    .command('export')
    .description('export the risk register as XLSX or PDF')
    .requiredOption('--org <short>', "the organisation's short name")
    .addOption(new Option('--format <format>', 'xlsx or pdf').choices(['xlsx', 'pdf']).default('xlsx'))
    .requiredOption('-o, --out <file>', 'the file to write')
    .action((o: { org: string; format: 'xlsx' | 'pdf'; out: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const body = o.format === 'pdf' ? await registerPdf(ctx, {}, ctx.orgName) : await registerXlsx(ctx, {});
        await writeFile(o.out, body);
        cli.out(`wrote ${o.out} (${body.length} bytes)`);
      }),
    );
}

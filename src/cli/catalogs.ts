import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { AppError } from '../core/errors.js';
import { exportCatalog } from '../domains/catalogs/export.js';
import { importOscalCatalog } from '../domains/catalogs/import.js';
import { FRAMEWORK_KEY } from '../domains/catalogs/model.js';
import { listFrameworks } from '../domains/catalogs/service.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, platformOrg, printRows, type CliContext } from './context.js';
import { progressBar } from './intel.js';

/** Catalogs are platform-wide reference data: the CLI acts as the system in the platform org. */
async function platformCtx(rt: Runtime) {
  return cliCtx(rt, await platformOrg(rt));
}

/** `muhafiz catalogs list|import|export`: the same services as the API. */
export function registerCatalogCommands(program: Command, cli: CliContext): void {
  const catalogs = program.command('catalogs').description('frameworks: ISO/IEC 27001:2022, NIST CSF 2.0 and imported OSCAL catalogs');
  catalogs
    .command('list')
    .description('list the frameworks with their keys')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await listFrameworks(await platformCtx(rt));
        printRows(cli, o.json, rows, [
          ['key', (r) => r.key],
          ['name', (r) => r.name],
          ['version', (r) => r.version],
          ['origin', (r) => r.origin],
          ['requirements', (r) => String(r.requirementCount)],
        ]);
      }),
    );
  catalogs
    .command('import <file>')
    .description('import an OSCAL 1.x catalog (JSON), validated against the NIST schema; all or nothing; the same key again replaces that catalog in place')
    .option('--key <key>', 'framework key (default: a slug of the catalog title)')
    .action((file: string, o: { key?: string }) =>
      cli.withRuntime(async (rt) => {
        if (o.key !== undefined && !FRAMEWORK_KEY.test(o.key)) throw new Error('--key: lower-case letters, digits, dots and dashes, 2-63 characters');
        const started = performance.now();
        let doc: unknown;
        try {
          doc = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          cli.out(`${file} is not JSON: ${(err as Error).message}`);
          process.exitCode = 1;
          return;
        }
        try {
          const r = await importOscalCatalog(await platformCtx(rt), doc, { ...(o.key ? { key: o.key } : {}), onProgress: progressBar('import') });
          if (process.stderr.isTTY) process.stderr.write('\n');
          const kinds = Object.entries(r.kinds).map(([k, n]) => `${n} ${k}`).join(', ');
          cli.out(`${r.status} ${r.key} (${r.name}): ${r.requirements} requirements (${kinds}), OSCAL schema v${r.schemaVersion}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
        } catch (err) {
          if (process.stderr.isTTY) process.stderr.write('\n');
          if (err instanceof AppError) {
            cli.out(err.message);
            process.exitCode = 1;
            return;
          }
          throw err;
        }
      }),
    );
  catalogs
    .command('export <key>')
    .description('write a framework as CSV (one row per requirement) or JSON (with its mappings)')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((key: string, o: { format: 'csv' | 'json'; out?: string }) =>
      cli.withRuntime(async (rt) => {
        const r = await exportCatalog(await platformCtx(rt), key, o.format);
        if (o.out) {
          await writeFile(o.out, r.body);
          cli.out(`wrote ${key} to ${o.out}`);
        } else await cli.write(r.body);
      }),
    );
}

import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { textTable } from '../core/text-table.js';
import { listControls } from '../domains/controls/service.js';
import { controlsCsv, importControls } from '../domains/controls/transfer.js';
import { complianceOverview } from '../domains/soa/compliance.js';
import { loadSoaDocument, soaPdf, soaXlsx } from '../domains/soa/exports.js';
import { soaOscalSsp } from '../domains/soa/oscal.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, orgByShortName, type CliContext } from './context.js';

async function orgCtx(rt: Runtime, shortName: string) {
  const org = await orgByShortName(rt, shortName);
  return { ...cliCtx(rt, org), orgName: org.name };
}

/** `muhafiz soa export|compliance` and `muhafiz controls list|import|export`: the same services as the API. */
export function registerSoaCommands(program: Command, cli: CliContext): void {
  const soa = program.command('soa').description("an organisation's Statement of Applicability");
  soa
    .command('export')
    .description('write the SoA as XLSX or PDF (current or an approved version), or the implementation as an OSCAL system security plan')
    .requiredOption('--org <short>', "the organisation's short name")
    .addOption(new Option('--format <format>', 'xlsx, pdf or oscal').choices(['xlsx', 'pdf', 'oscal']).makeOptionMandatory())
    .option('--version <n>', 'an approved version (xlsx/pdf; default: the SoA as it stands)')
    .option('--framework <key>', 'the framework of the SoA', 'iso27001-2022')
    .requiredOption('-o, --out <file>', 'the file to write')
    .action((o: { org: string; format: 'xlsx' | 'pdf' | 'oscal'; version?: string; framework: string; out: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const version = o.version ? Number(o.version) : undefined;
        if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw new Error('--version: a version number (1, 2, ...)');
        let body: Buffer;
        if (o.format === 'oscal') body = Buffer.from(JSON.stringify(await soaOscalSsp(ctx, ctx.orgName, o.framework), null, 2));
        else {
          const d = await loadSoaDocument(ctx, ctx.orgName, o.framework, version);
          body = o.format === 'pdf' ? await soaPdf(d) : await soaXlsx(d);
        }
        await writeFile(o.out, body);
        cli.out(`wrote ${o.out} (${body.length} bytes)`);
      }),
    );
  soa
    .command('compliance')
    .description('% implemented overall and per group for a framework (any catalog; CSF 2.0 is derived through the mapping), and the number of gaps')
    .requiredOption('--org <short>', "the organisation's short name")
    .option('--framework <key>', 'framework key', 'iso27001-2022')
    .action((o: { org: string; framework: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const c = await complianceOverview(ctx, o.framework);
        const row = (label: string, t: { applicable: number; implemented: number; partial: number; percent: number }) => [label, String(t.applicable), String(t.implemented), String(t.partial), `${t.percent}%`];
        cli.out(`${c.frameworkName}: ${c.gaps.length} gap(s)`);
        cli.out(textTable(['scope', 'applicable', 'implemented', 'partial', '% implemented'], [row('overall', c.overall), ...c.groups.filter((g) => g.level === 0).map((g) => row(`${g.ref} ${g.title}`, g))]).join('\n'));
      }),
    );

  const controls = program.command('controls').description("an organisation's applied controls");
  controls
    .command('list')
    .description('list applied controls with status, mappings and evidence counts')
    .requiredOption('--org <short>', "the organisation's short name")
    .option('--framework <key>', 'only controls mapped to this framework')
    .option('--ref <ref>', 'only controls mapped to this requirement (with --framework)')
    .action((o: { org: string; framework?: string; ref?: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const rows = [];
        for (let offset = 0; ; offset += 500) {
          const page = await listControls(ctx, { limit: 500, offset, sort: 'ref', order: 'asc', ...(o.framework ? { framework: o.framework } : {}), ...(o.ref ? { ref: o.ref } : {}) });
          rows.push(...page.items);
          if (rows.length >= page.total) break;
        }
        cli.out(textTable(['ref', 'name', 'status', 'owner', 'requirements', 'evidence (valid/total)'], rows.map((r) => [r.ref, r.name, r.status, r.owner?.displayName ?? '', r.requirements.map((q) => q.ref).join(' '), `${r.evidence.valid}/${r.evidence.total}`])).join('\n'));
      }),
    );
  controls
    .command('import <file>')
    .description('import applied controls from CSV (ref,name,description,owner,status,frequency,requirements); every problem listed with line and column; all-or-nothing')
    .requiredOption('--org <short>', "the organisation's short name")
    .option('--dry-run', 'check the file and report, write nothing')
    .action((file: string, o: { org: string; dryRun?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        try {
          const r = await importControls(ctx, { content: await readFile(file), dryRun: Boolean(o.dryRun) });
          for (const e of r.errors) cli.out(`line ${e.line}, column ${e.column}: ${e.message}`);
          if (r.errors.length) {
            cli.out(`${r.errors.length} problem(s) in ${r.rows} row(s); nothing was written`);
            process.exitCode = 1;
          } else cli.out(`${r.dryRun ? 'dry run: would create' : 'created'} ${r.created}, ${r.dryRun ? 'would update' : 'updated'} ${r.updated} of ${r.rows} row(s)`);
        } catch (err) {
          const e = err as { errors?: Array<{ path: string; message: string }> };
          for (const p of e.errors ?? []) cli.out(`${p.path}: ${p.message}`);
          throw err;
        }
      }),
    );
  controls
    .command('export')
    .description('write the applied controls as CSV in the import layout')
    .requiredOption('--org <short>', "the organisation's short name")
    .requiredOption('-o, --out <file>', 'the file to write')
    .action((o: { org: string; out: string }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org);
        const rows = [];
        for (let offset = 0; ; offset += 500) {
          const page = await listControls(ctx, { limit: 500, offset, sort: 'ref', order: 'asc' });
          rows.push(...page.items);
          if (rows.length >= page.total) break;
        }
        const ownerIds = [...new Set(rows.flatMap((r) => (r.owner ? [r.owner.id] : [])))];
        const users = ownerIds.length ? await rt.db.kysely.selectFrom('users').select(['id', 'email']).where('id', 'in', ownerIds).execute() : [];
        const body = controlsCsv(rows, new Map(users.map((u) => [u.id, u.email])));
        await writeFile(o.out, body);
        cli.out(`wrote ${o.out} (${rows.length} control(s))`);
      }),
    );
}

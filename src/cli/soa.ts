import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { ZodError } from 'zod';
import { authorize } from '../core/access/index.js';
import { inTx, type Ctx } from '../core/context.js';
import { textTable } from '../core/text-table.js';
import { createFileEvidence, createLinkEvidence, listEvidence } from '../domains/controls/evidence.js';
import { ControlActions } from '../domains/controls/policy.js';
import { EvidenceFileFields, EvidenceLinkBody, EvidenceQuery, type EvidenceRow } from '../domains/controls/schema.js';
import { listControls } from '../domains/controls/service.js';
import { controlsCsv, importControls } from '../domains/controls/transfer.js';
import { complianceOverview } from '../domains/soa/compliance.js';
import { loadSoaDocument, soaPdf, soaXlsx } from '../domains/soa/exports.js';
import { soaOscalSsp } from '../domains/soa/oscal.js';
import type { Runtime } from '../server/runtime.js';
import { actAs, actAsOptions, cliCtx, orgByShortName, printRows, storeLocalFile, type CliContext } from './context.js';

async function orgCtx(rt: Runtime, shortName: string) {
  const org = await orgByShortName(rt, shortName);
  return { ...cliCtx(rt, org), orgName: org.name };
}

/** Applied-control refs (C-001) or ids of the acting org, in the order given; an unknown one names itself. */
async function controlIdsByRef(ctx: Ctx, refs: readonly string[]): Promise<string[]> {
  const rows = await inTx(ctx, (tx) =>
    tx
      .selectFrom('applied_controls')
      .select(['id', 'ref'])
      .where('org_id', '=', ctx.actor.orgId)
      .where((eb) => eb.or([eb('ref', 'in', refs), eb(eb.cast('id', 'text'), 'in', refs)]))
      .execute(),
  );
  return refs.map((r) => {
    const hit = rows.find((c) => c.ref === r || c.id === r);
    if (!hit) throw new Error(`--control ${r}: no applied control with this ref in the organisation (see \`muhafiz controls list\`)`);
    return hit.id;
  });
}

const EVIDENCE_OPTION: Record<string, string> = { title: '--title', description: '--description', validFrom: '--valid-from', validUntil: '--valid-until', controlIds: '--control', url: '<file-or-url>' };

/** The first problem of an evidence input, named by the option that carried it. */
function evidenceOptionError(err: ZodError): Error {
  const issue = err.issues[0];
  const key = String(issue?.path[0] ?? '');
  return new Error(`${EVIDENCE_OPTION[key] ?? key}: ${issue?.message ?? 'invalid value'}`);
}

const evidenceColumns: Array<[string, (e: EvidenceRow) => string]> = [
  ['ref', (e) => e.ref],
  ['title', (e) => e.title],
  ['kind', (e) => e.kind],
  ['state', (e) => e.state],
  ['valid', (e) => `${e.validFrom}..${e.validUntil ?? ''}`],
  ['controls', (e) => e.controls.map((c) => c.ref).join(' ')],
  ['file or link', (e) => (e.file ? `${e.file.name} (${e.file.mediaType}, sha256 ${e.file.sha256.slice(0, 12)}…)` : (e.url ?? ''))],
];

/** `muhafiz soa export|compliance`, `muhafiz controls list|import|export` and `muhafiz evidence add|list`: the same services as the API. */
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

  const evidence = program.command('evidence').description("evidence for an organisation's applied controls: stored files and links");
  actAsOptions(
    evidence
      .command('add <file-or-url>')
      .description('add a file (streamed into the content-addressed store, type sniffed) or an http(s) link as evidence for one or more applied controls')
      .requiredOption('--control <ref...>', 'applied control ref(s) or id(s) it supports, e.g. --control C-001 C-004 (see `muhafiz controls list`)')
      .requiredOption('--title <text>', 'what the evidence is')
      .option('--description <text>', 'more detail')
      .option('--valid-from <date>', 'YYYY-MM-DD (default today)')
      .option('--valid-until <date>', 'YYYY-MM-DD; after it the evidence counts as expired')
      .option('--json', 'print the evidence item as JSON')
      .addHelpText('after', '\nExample (a nightly scan report as evidence for the vulnerability-management control):\n  muhafiz evidence add scan-2026-12-01.pdf --as ciso@bank.example --org BANK --control C-007 --title "Weekly vulnerability scan" --valid-until 2026-12-08'),
    'act as this member (org_admin, isms_manager or control_owner); recorded as the uploader',
  ).action((target: string, o: { as: string; org: string; control: string[]; title: string; description?: string; validFrom?: string; validUntil?: string; json?: boolean }) =>
    cli.withRuntime(async (rt) => {
      const ctx = await actAs(rt, o.as, o.org);
      // Refused before a byte is stored, as the upload route does.
      authorize(ctx.actor, ControlActions['controls.evidence']);
      const controlIds = await controlIdsByRef(ctx, o.control);
      const common = { title: o.title, description: o.description, validFrom: o.validFrom, validUntil: o.validUntil };
      let row: EvidenceRow;
      if (/^https?:\/\//i.test(target)) {
        const input = EvidenceLinkBody.safeParse({ ...common, kind: 'link', url: target, controlIds });
        if (!input.success) throw evidenceOptionError(input.error);
        row = await createLinkEvidence(ctx, input.data);
      } else {
        const input = EvidenceFileFields.safeParse({ ...common, controlIds: controlIds.join(',') });
        if (!input.success) throw evidenceOptionError(input.error);
        const stored = await storeLocalFile(rt.files, target);
        row = await createFileEvidence(ctx, input.data, { store: rt.files, stored, filename: basename(target) });
      }
      if (o.json) return void cli.out(JSON.stringify(row, null, 2));
      cli.out(`added ${row.ref} for ${row.controls.map((c) => c.ref).join(', ')}${row.file ? `: ${row.file.name}, ${row.file.mediaType}, ${row.file.size} bytes, sha256 ${row.file.sha256}` : `: ${row.url}`}`);
    }),
  );
  actAsOptions(
    evidence
      .command('list')
      .description('evidence items with their state, period and controls; filters as in the UI')
      .option('--control <ref>', 'only evidence for this applied control')
      .addOption(new Option('--state <state>', 'valid, expired, pending, rejected, expiring (within 30 days) or unreviewed').choices(['valid', 'expired', 'pending', 'rejected', 'expiring', 'unreviewed']))
      .addOption(new Option('--kind <kind>', 'file or link').choices(['file', 'link']))
      .option('--q <text>', 'search ref, title, file name and link')
      .option('--json', 'print JSON'),
    'act as this member',
  ).action((o: { as: string; org: string; control?: string; state?: string; kind?: string; q?: string; json?: boolean }) =>
    cli.withRuntime(async (rt) => {
      const ctx = await actAs(rt, o.as, o.org);
      const controlId = o.control ? (await controlIdsByRef(ctx, [o.control]))[0] : undefined;
      const rows: EvidenceRow[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await listEvidence(ctx, EvidenceQuery.parse({ limit: 500, offset, controlId, state: o.state, kind: o.kind, q: o.q }));
        rows.push(...page.items);
        if (rows.length >= page.total || page.items.length === 0) break;
      }
      printRows(cli, o.json, rows, evidenceColumns);
    }),
  );
}

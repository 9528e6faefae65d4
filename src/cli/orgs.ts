import type { Command } from 'commander';
import type { OrgKind } from '../db/types.js';
import { createOrg, listOrgs, relateOrgs } from '../domains/tenancy/orgs.js';
import { OrgCreateBody, OrgKind as OrgKindSchema } from '../domains/tenancy/schema.js';
import type { OrgRow } from '../domains/tenancy/schema.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, orgByShortName, parseOption, platformOrg, printRows, type CliContext } from './context.js';

/** The directory of organisations (all pages), through the same service as GET /api/orgs. */
export async function orgsList(rt: Runtime, opts: { kind?: string | undefined; q?: string | undefined }): Promise<OrgRow[]> {
  const kind = opts.kind ? (parseOption(OrgKindSchema, opts.kind, '--kind') as OrgKind) : undefined;
  const ctx = cliCtx(rt, await platformOrg(rt));
  const out: OrgRow[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await listOrgs(ctx, { kind, q: opts.q, limit: 500, offset });
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

export interface OrgCreateInput {
  name: string;
  short: string;
  kind: string;
  sector?: string | undefined;
  country?: string | undefined;
}

/** Creates an organisation, validated by the API's own body schema. */
export async function orgsCreate(rt: Runtime, input: OrgCreateInput): Promise<OrgRow> {
  const parsed = OrgCreateBody.safeParse({ name: input.name, shortName: input.short, kind: input.kind, sector: input.sector, country: input.country });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = { shortName: '--short', name: '--name', kind: '--kind', sector: '--sector', country: '--country' }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new Error(`${flag}: ${issue.message}`);
  }
  return createOrg(cliCtx(rt, await platformOrg(rt)), parsed.data);
}

/** `<a> supervises <b>` or `<a> serves <b>`, by short names. */
export async function orgsRelate(rt: Runtime, from: string, kind: string, to: string): Promise<void> {
  if (kind !== 'supervises' && kind !== 'serves') throw new Error(`relation must be "supervises" or "serves", not "${kind}"`);
  const a = await orgByShortName(rt, from);
  const b = await orgByShortName(rt, to);
  await relateOrgs(cliCtx(rt, await platformOrg(rt)), a.id, kind, b.id);
}

export function registerOrgCommands(program: Command, cli: CliContext): void {
  const orgs = program.command('orgs').description('manage organisations and who supervises or serves whom');

  orgs
    .command('list')
    .description('list organisations')
    .option('--kind <kind>', `only this kind (${OrgKindSchema.options.filter((k) => k !== 'platform').join(', ')})`)
    .option('--q <text>', 'search names and short names')
    .option('--json', 'print JSON instead of a table')
    .action((o: { kind?: string; q?: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await orgsList(rt, o);
        printRows(cli, o.json, rows, [
          ['short name', (r) => r.shortName],
          ['name', (r) => r.name],
          ['kind', (r) => r.kind],
          ['sector', (r) => r.sector ?? ''],
          ['id', (r) => r.id],
        ]);
      }),
    );

  orgs
    .command('create')
    .description('create an organisation')
    .requiredOption('--name <name>', 'full name, e.g. "Nova Digital Bank"')
    .requiredOption('--short <short>', 'short name used on the command line and in the UI, e.g. NovaBank')
    .requiredOption('--kind <kind>', 'regulator, cert, regulated_entity, service_provider or certification_body')
    .option('--sector <sector>', 'e.g. banking, insurance, telecommunications')
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code')
    .action((o: OrgCreateInput) =>
      cli.withRuntime(async (rt) => {
        const org = await orgsCreate(rt, o);
        cli.out(`created ${org.shortName} (${org.kind}) ${org.id}`);
      }),
    );

  orgs
    .command('relate <org> <relation> <related>')
    .description('record that <org> supervises or serves <related> (short names); e.g. a regulator supervises an entity, a CERT serves its constituents')
    .addHelpText('after', '\nExamples:\n  muhafiz orgs relate CMAS supervises NovaBank\n  muhafiz orgs relate SahilFin-CERT serves NovaBank')
    .action((from: string, kind: string, to: string) =>
      cli.withRuntime(async (rt) => {
        await orgsRelate(rt, from, kind, to);
        cli.out(`${from} ${kind} ${to}`);
      }),
    );
}

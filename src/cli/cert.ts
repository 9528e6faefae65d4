import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Ctx } from '../core/context.js';
import { newId } from '../core/ids.js';
import { listAdvisories, publishAdvisory } from '../domains/advisories/service.js';
import { incidentsWorkbook, statsWorkbook } from '../domains/incidents/export.js';
import { IncidentQuery } from '../domains/incidents/schema.js';
import { exportRows, listIncidents } from '../domains/incidents/service/queue.js';
import { incidentStats } from '../domains/incidents/service/stats.js';
import type { Runtime } from '../server/runtime.js';
import { memberActor, orgByShortName, type CliContext } from './context.js';

/**
 * A context acting as a person in one of their orgs, so the CLI goes through
 * the same roles and row-level security as the API (a CERT analyst sees its
 * constituency, an entity its own reports).
 */
export async function actAs(rt: Runtime, email: string, orgShortName: string): Promise<Ctx> {
  const actor = await memberActor(rt, email, await orgByShortName(rt, orgShortName));
  return { db: rt.db, clock: rt.clock, requestId: `cli-${newId()}`, ip: null, actor };
}

const filters = (c: Command) =>
  c
    .requiredOption('--as <email>', 'act as this user')
    .requiredOption('--org <short-name>', "in this org (the user's membership decides what is visible)")
    .option('--status <status>', 'new, triage, analysis, containment, eradication, recovery, post_incident, closed, rejected')
    .option('--severity <severity>', 'low, medium, high, critical')
    .option('--deadline <due|missed>', 'a deadline within 24 h, or missed')
    .option('--q <text>', 'search ref, title, entity')
    .option('--sort <deadline|created|severity>', 'order', 'created');

type FilterOpts = { as: string; org: string; status?: string; severity?: string; deadline?: string; q?: string; sort?: string };
const query = (o: FilterOpts, extra: Record<string, unknown> = {}) => IncidentQuery.parse({ status: o.status, severity: o.severity, deadline: o.deadline, q: o.q, sort: o.sort, ...extra });

/** `muhafiz incidents list|export` and `muhafiz advisories list|publish`. */
export function registerCertCommands(program: Command, cli: CliContext): void {
  const incidents = program.command('incidents').description('incident reports and the CERT triage queue');
  filters(incidents.command('list').description('list incidents (own reports, or the CERT queue)'))
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'print JSON')
    .action((o: FilterOpts & { limit: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const page = await listIncidents(await actAs(rt, o.as, o.org), query(o, { limit: o.limit }));
        if (o.json) return void cli.out(JSON.stringify(page, null, 2));
        for (const i of page.items) {
          cli.out([i.ref, i.orgName, i.status, i.severity ?? '-', i.major ? 'MAJOR' : '', i.nextDueAt ? `${i.nextDueStage} due ${i.nextDueAt}${i.overdue ? ' OVERDUE' : ''}` : '-', i.title].join('\t'));
        }
        cli.out(`${page.items.length} of ${page.total}`);
      }),
    );
  filters(incidents.command('export').description('export the filtered list (or --stats) as XLSX'))
    .requiredOption('--out <file.xlsx>', 'output file')
    .option('--stats', 'export the statistics workbook instead of the list')
    .action((o: FilterOpts & { out: string; stats?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await actAs(rt, o.as, o.org);
        const { limit: _l, offset: _o, ...q } = query(o);
        const body = o.stats ? await statsWorkbook(await incidentStats(ctx, {})) : await incidentsWorkbook(await exportRows(ctx, q));
        await writeFile(o.out, body);
        cli.out(`wrote ${o.out} (${body.length} bytes)`);
      }),
    );

  const advisories = program.command('advisories').description('CERT advisories');
  advisories
    .command('list')
    .description("list the CERT's advisories, or those delivered to the org")
    .requiredOption('--as <email>', 'act as this user')
    .requiredOption('--org <short-name>', 'in this org')
    .option('--status <status>', 'draft, published, withdrawn')
    .option('--q <text>', 'search')
    .action((o: { as: string; org: string; status?: 'draft' | 'published' | 'withdrawn'; q?: string }) =>
      cli.withRuntime(async (rt) => {
        const page = await listAdvisories(await actAs(rt, o.as, o.org), { status: o.status, q: o.q, limit: 100, offset: 0 });
        for (const a of page.items) cli.out([a.id, a.ref, a.status, `TLP:${a.tlp.toUpperCase()}`, a.severity, a.cveIds.join(',') || '-', a.title].join('\t'));
        cli.out(`${page.items.length} of ${page.total}`);
      }),
    );
  advisories
    .command('publish <id>')
    .description('publish a draft advisory to its audience (in-app and mail)')
    .requiredOption('--as <email>', 'act as this CERT analyst or duty officer')
    .requiredOption('--org <short-name>', 'the CERT')
    .action((id: string, o: { as: string; org: string }) =>
      cli.withRuntime(async (rt) => {
        const r = await publishAdvisory(await actAs(rt, o.as, o.org), { mailer: rt.mailer }, id);
        cli.out(`published ${r.ref} to ${r.recipients} organisation(s)`);
      }),
    );
}

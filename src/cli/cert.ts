import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { listAdvisories, progress, publishAdvisory, respond } from '../domains/advisories/service.js';
import { ResponseBody } from '../domains/advisories/schema.js';
import { incidentsWorkbook, statsWorkbook } from '../domains/incidents/export.js';
import { IncidentQuery, IncidentStatus } from '../domains/incidents/schema.js';
import { stageRuleText } from '../domains/incidents/regimes/schema.js';
import { PRESET_KEYS, type PresetKey } from '../domains/incidents/regimes/presets.js';
import { installPreset, listRegimes } from '../domains/incidents/service/regimes.js';
import { addAttachment, assertAttachable } from '../domains/incidents/service/attachments.js';
import { getIncident } from '../domains/incidents/service/reports.js';
import { transition } from '../domains/incidents/service/handling.js';
import { textTable } from '../core/text-table.js';
import { exportRows, listIncidents } from '../domains/incidents/service/queue.js';
import { incidentStats } from '../domains/incidents/service/stats.js';
import { actAs, actAsOptions, storeLocalFile, type CliContext } from './context.js';

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

/** `muhafiz regimes`, `muhafiz incidents` and `muhafiz advisories`. */
export function registerCertCommands(program: Command, cli: CliContext): void {
  const incidents = program.command('incidents').description('incident reports and the CERT triage queue');
  filters(incidents.command('list').description('list incidents (own reports, or the CERT queue)'))
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'print JSON')
    .action((o: FilterOpts & { limit: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const page = await listIncidents(await actAs(rt, o.as, o.org), query(o, { limit: o.limit }));
        if (o.json) return void cli.out(JSON.stringify(page, null, 2));
        const rows = page.items.map((i) => [i.id, i.ref, i.orgName, i.status, i.severity ?? '-', i.major ? 'MAJOR' : '', i.nextDueAt ? `${i.nextDueStage} due ${i.nextDueAt}${i.overdue ? ' OVERDUE' : ''}` : '-', i.title]);
        for (const line of textTable(['id', 'ref', 'entity', 'status', 'severity', 'major', 'next deadline', 'title'], rows)) cli.out(line);
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

  actAsOptions(incidents.command('show <id>').description("one incident: status, severity and each stage's deadline (due time, state, rule)"), 'act as a reporter of the entity or a CERT member')
    .option('--json', 'print JSON')
    .action((id: string, o: { as: string; org: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const inc = await getIncident(await actAs(rt, o.as, o.org), id);
        if (o.json) return void cli.out(JSON.stringify(inc, null, 2));
        cli.out(`${inc.ref}  ${inc.title}`);
        cli.out(`${inc.orgName} · ${inc.status} · severity ${inc.severity ?? '-'}${inc.major ? ' · MAJOR' : ''} · regime ${inc.regime.name}`);
        for (const line of textTable(['stage', 'state', 'due', 'submitted', 'rule'], inc.deadlines.map((d) => [d.stage, d.state, d.dueAt ?? '-', d.submittedAt ?? '-', d.basis ?? '-']))) cli.out(line);
      }),
    );
  actAsOptions(incidents.command('transition <id> <state>').description(`move an incident through the NIST SP 800-61 lifecycle (${IncidentStatus.options.filter((x) => x !== 'draft').join(', ')})`), 'act as this CERT analyst or duty officer')
    .option('--reason <text>', 'why (kept in the journal)', '')
    .action((id: string, state: string, o: { as: string; org: string; reason: string }) =>
      cli.withRuntime(async (rt) => {
        const to = IncidentStatus.exclude(['draft']).safeParse(state);
        if (!to.success) throw new Error(`state: ${state} is not one of ${IncidentStatus.options.filter((x) => x !== 'draft').join(', ')}`);
        const inc = await transition(await actAs(rt, o.as, o.org), { mailer: rt.mailer }, id, to.data, o.reason);
        cli.out(`${inc.ref} is now ${inc.status}`);
      }),
    );

  actAsOptions(incidents.command('attach <id> <file>').description('attach a file (logs, screenshots, a forensic report) to an open report of the entity; listed in the next submitted stage'), 'act as a reporter of the entity')
    .option('--description <text>', 'what the file is', '')
    .option('--json', 'print the attachment as JSON')
    .action((id: string, file: string, o: { as: string; org: string; description: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const ctx = await actAs(rt, o.as, o.org);
        // Refused before a byte is stored, as the upload route does (another entity's report is 404).
        await assertAttachable(ctx, id);
        const stored = await storeLocalFile(rt.files, file);
        const a = await addAttachment(ctx, rt.files, id, { stored, filename: basename(file), description: o.description || undefined });
        if (o.json) return void cli.out(JSON.stringify(a, null, 2));
        cli.out(`attached ${a.filename} (${a.mediaType}, ${a.size} bytes, sha256 ${a.sha256}) as ${a.id}`);
      }),
    );

  const regimes = program.command('regimes').description("a CERT's reporting regimes (what is major, and the deadline of each stage)");
  actAsOptions(regimes.command('list').description("the CERT's regimes with their stage deadlines"), 'act as a CERT member')
    .option('--json', 'print JSON')
    .action((o: { as: string; org: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await listRegimes(await actAs(rt, o.as, o.org));
        if (o.json) return void cli.out(JSON.stringify(rows, null, 2));
        const lines = rows.flatMap((r) => r.definition.stages.map((s, i) => [i ? '' : r.key, i ? '' : r.isDefault ? 'yes' : '', i ? '' : r.definition.name, `${s.stage} (${s.label})`, stageRuleText(s)]));
        for (const line of textTable(['key', 'default', 'name', 'stage', 'deadline'], lines)) cli.out(line);
      }),
    );
  actAsOptions(regimes.command('install <preset>').description(`install a preset regime (${PRESET_KEYS.join(', ')}); tune it afterwards in the UI or with PATCH /api/regimes/:id`), 'act as the CERT duty officer')
    .option('--key <key>', 'its key (default: the preset name)')
    .option('--default', 'make it the default for new reports')
    .action((preset: string, o: { as: string; org: string; key?: string; default?: boolean }) =>
      cli.withRuntime(async (rt) => {
        if (!(PRESET_KEYS as readonly string[]).includes(preset)) throw new Error(`preset: ${preset} is not one of ${PRESET_KEYS.join(', ')}`);
        const r = await installPreset(await actAs(rt, o.as, o.org), { preset: preset as PresetKey, key: o.key, isDefault: o.default });
        cli.out(`installed ${r.key} (${r.definition.name})${r.isDefault ? ' as the default' : ''}`);
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
    .option('--json', 'print JSON')
    .action((o: { as: string; org: string; status?: 'draft' | 'published' | 'withdrawn'; q?: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const page = await listAdvisories(await actAs(rt, o.as, o.org), { status: o.status, q: o.q, limit: 100, offset: 0 });
        if (o.json) return void cli.out(JSON.stringify(page, null, 2));
        const rows = page.items.map((a) => [a.id, a.ref, a.status, `TLP:${a.tlp.toUpperCase()}`, a.severity, a.cveIds.join(',') || '-', a.title]);
        for (const line of textTable(['id', 'ref', 'status', 'tlp', 'severity', 'cve', 'title'], rows)) cli.out(line);
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
  actAsOptions(advisories.command('progress <id>').description('per recipient org: acknowledged, applicability, remediation status and date, reminders sent'), 'act as a CERT member')
    .option('--json', 'print JSON')
    .action((id: string, o: { as: string; org: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const p = await progress(await actAs(rt, o.as, o.org), id);
        if (o.json) return void cli.out(JSON.stringify(p, null, 2));
        const rows = p.items.map((i) => [i.orgName, i.acknowledgedAt ?? 'SILENT', i.applicability, i.remediationStatus, i.remediationDate ?? '-', String(i.remindersSent)]);
        for (const line of textTable(['org', 'acknowledged', 'applicability', 'remediation', 'by', 'reminders'], rows)) cli.out(line);
        cli.out(`${p.acknowledged} of ${p.recipients} acknowledged, ${p.affected} affected, ${p.remediated} remediated`);
      }),
    );
  actAsOptions(advisories.command('respond <id>').description("acknowledge an advisory delivered to the org and report applicability and remediation"), 'act as a member of the recipient org')
    .option('--ack', 'acknowledge it')
    .option('--applicability <a>', 'unknown, affected, not_affected')
    .option('--remediation <status>', 'not_started, in_progress, remediated, not_applicable')
    .option('--remediation-date <date>', 'planned or actual date, YYYY-MM-DD')
    .option('--note <text>', 'a note for the CERT')
    .action((id: string, o: { as: string; org: string; ack?: boolean; applicability?: string; remediation?: string; remediationDate?: string; note?: string }) =>
      cli.withRuntime(async (rt) => {
        const parsed = ResponseBody.safeParse({ acknowledge: o.ack || undefined, applicability: o.applicability, remediationStatus: o.remediation, remediationDate: o.remediationDate, note: o.note });
        if (!parsed.success) {
          const flag: Record<string, string> = { acknowledge: '--ack', applicability: '--applicability', remediationStatus: '--remediation', remediationDate: '--remediation-date', note: '--note' };
          const issue = parsed.error.issues[0]!;
          throw new Error(`${flag[String(issue.path[0])] ?? issue.path.join('.')}: ${issue.message}`);
        }
        const r = await respond(await actAs(rt, o.as, o.org), id, parsed.data);
        const m = r.myResponse!;
        cli.out(`${r.ref}: ${m.acknowledgedAt ? 'acknowledged' : 'not acknowledged'}, ${m.applicability}, remediation ${m.remediationStatus}${m.remediationDate ? ` by ${m.remediationDate}` : ''}`);
      }),
    );
}

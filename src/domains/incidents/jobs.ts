import { sql } from 'kysely';
import { systemActor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import type { Ctx, Tx } from '../../core/context.js';
import type { AppDeps } from '../../server/deps.js';
import { RegimeDefinition } from './regimes/schema.js';
import { CERT_DUTY, ENTITY_REPORTERS, notifyOrg } from './service/access.js';
import { incidentDeadlines } from './service/clock.js';

/** The longest reminder window a regime may set (RegimeDefinition.remindBeforeHours max). */
const MAX_REMIND_MS = 24 * 14 * 3_600_000;

export interface DeadlineSweep {
  reminders: number;
  escalations: number;
  checked: number;
}

/**
 * One pass over the clocks: for every open incident whose next deadline is
 * within reach, recompute every stage's deadline from the stored timestamps
 * and send a reminder inside the regime's window before it, and an
 * escalation once it has passed, to the entity's reporters and the CERT's
 * duty officer (and assignee). incident_deadline_notices makes each notice
 * go out once per stage, kind and due time, on any number of nodes.
 */
export async function sweepDeadlines(deps: AppDeps): Promise<DeadlineSweep> {
  const now = deps.clock.now();
  const out: DeadlineSweep = { reminders: 0, escalations: 0, checked: 0 };
  await deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const due = await tx
      .selectFrom('incidents as i')
      .innerJoin('reporting_regimes as r', (j) => j.onRef('r.org_id', '=', 'i.regime_org_id').onRef('r.id', '=', 'i.regime_id'))
      .selectAll('i')
      .select('r.definition')
      .where('i.next_due_at', 'is not', null)
      .where('i.next_due_at', '<=', new Date(now.getTime() + MAX_REMIND_MS))
      .where('i.status', 'not in', ['draft', 'closed', 'rejected'])
      .execute();
    for (const inc of due) {
      out.checked += 1;
      const def = RegimeDefinition.parse(inc.definition);
      const ctx: Ctx = { db: deps.db, actor: systemActor(inc.org_id, 'regulated_entity', 'system:incident-deadlines'), requestId: 'job:incidents.deadlines', ip: null, clock: deps.clock };
      for (const d of incidentDeadlines(def, inc, now)) {
        if (!d.dueAt || d.submittedAt) continue;
        const kind = d.state === 'overdue' ? 'escalation' : d.state === 'due_soon' ? 'reminder' : null;
        if (!kind) continue;
        if (!(await claimNotice(tx, inc.org_id, inc.id, d.stage, kind, d.dueAt, now))) continue;
        const when = d.dueAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
        const title = kind === 'reminder' ? `${inc.ref}: ${d.label} due ${when}` : `${inc.ref}: ${d.label} OVERDUE (was due ${when})`;
        const link = `/incidents/${inc.id}`;
        await notifyOrg(tx, ctx, deps.mailer, { orgId: inc.org_id, roles: ENTITY_REPORTERS, extraUserIds: [inc.created_by], kind: `incident.deadline.${kind}`, title, body: inc.title, link, email: true });
        await notifyOrg(tx, ctx, deps.mailer, { orgId: inc.cert_org_id, roles: CERT_DUTY, extraUserIds: [inc.assignee_id], kind: `incident.deadline.${kind}`, title, body: inc.title, link, email: true });
        await audit(tx, ctx, { action: `incidents.deadline_${kind}`, entityType: 'incident', entityId: inc.id, details: { stage: d.stage, dueAt: d.dueAt.toISOString() } });
        if (kind === 'reminder') out.reminders += 1;
        else out.escalations += 1;
      }
    }
  });
  return out;
}

async function claimNotice(tx: Tx, orgId: string, incidentId: string, stage: string, kind: 'reminder' | 'escalation', dueAt: Date, now: Date): Promise<boolean> {
  const r = await tx
    .insertInto('incident_deadline_notices')
    .values({ org_id: orgId, incident_id: incidentId, stage, kind, due_at: dueAt, sent_at: now })
    .onConflict((oc) => oc.doNothing())
    .returning('stage')
    .executeTakeFirst();
  return r !== undefined;
}

/** Registers the deadline sweep (every 5 minutes; the schedule row survives restarts). */
export async function registerIncidentJobs(deps: AppDeps): Promise<void> {
  deps.jobs.register('incidents.deadlines', async () => ({ ...(await sweepDeadlines(deps)) }));
  await deps.jobs.schedule('incidents.deadlines', 300);
}

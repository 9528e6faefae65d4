import { sql } from 'kysely';
import { systemActor } from '../../core/access/index.js';
import type { Clock } from '../../core/clock.js';
import type { Ctx, Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { notify } from '../../core/notify.js';
import type { Database } from '../../db/connect.js';

/** Days ahead a review or an acceptance expiry is announced. */
export const REVIEW_LEAD_DAYS = 14;
export const ACCEPTANCE_LEAD_DAYS = 30;

interface Due {
  org_id: string;
  entity_id: string;
  user_id: string;
  due_on: string;
  title: string;
  link: string;
}

async function alreadySent(tx: Tx, kind: string, d: Due, now: Date): Promise<boolean> {
  const r = await tx
    .insertInto('risk_reminders')
    .values({ org_id: d.org_id, kind, entity_id: d.entity_id, due_on: d.due_on, sent_at: now })
    .onConflict((oc) => oc.doNothing())
    .returning('entity_id')
    .executeTakeFirst();
  return !r;
}

/**
 * The daily scan: from stored dates only, notifies risk owners of reviews due
 * within 14 days or overdue, task owners (or the risk owner) of overdue
 * treatment tasks, and risk owners of acceptances expiring within 30 days.
 * Each (item, kind, due date) is announced once; moving the date re-arms it.
 */
export async function scanRiskReminders(deps: { db: Database; clock: Clock; mailer?: Mailer }): Promise<{ reviews: number; overdueReviews: number; tasks: number; acceptances: number }> {
  const today = deps.clock.now().toISOString().slice(0, 10);
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const plus = (days: number) => sql<string>`(${today}::date + ${days}::int)`;
    const reviews = await tx
      .selectFrom('risks')
      .select(['org_id', 'id as entity_id', 'owner_id as user_id', sql<string>`review_due_on::text`.as('due_on'), sql<string>`ref || ': ' || title`.as('title'), sql<string>`'/risks/' || id`.as('link')])
      .where('status', '=', 'open')
      .where('review_due_on', 'is not', null)
      .where(sql<boolean>`review_due_on <= ${plus(REVIEW_LEAD_DAYS)}`)
      .execute();
    const tasks = await tx
      .selectFrom('risk_tasks as t')
      .innerJoin('risks as r', (j) => j.onRef('r.org_id', '=', 't.org_id').onRef('r.id', '=', 't.risk_id'))
      .select(['t.org_id', 't.id as entity_id', sql<string>`coalesce(t.owner_id, r.owner_id)`.as('user_id'), sql<string>`t.due_on::text`.as('due_on'), sql<string>`r.ref || ': ' || t.title`.as('title'), sql<string>`'/risks/' || r.id`.as('link')])
      .where('t.status', 'in', ['open', 'in_progress'])
      .where('t.due_on', 'is not', null)
      .where(sql<boolean>`t.due_on < ${today}::date`)
      .execute();
    const acceptances = await tx
      .selectFrom('risk_acceptances as a')
      .innerJoin('risks as r', (j) => j.onRef('r.org_id', '=', 'a.org_id').onRef('r.id', '=', 'a.risk_id'))
      .select(['a.org_id', 'a.id as entity_id', 'r.owner_id as user_id', sql<string>`a.expires_on::text`.as('due_on'), sql<string>`r.ref || ': ' || r.title`.as('title'), sql<string>`'/risks/' || r.id`.as('link')])
      .where('a.revoked_at', 'is', null)
      .where('r.status', '=', 'open')
      .where(sql<boolean>`a.expires_on <= ${plus(ACCEPTANCE_LEAD_DAYS)}`)
      .execute();
    const out = { reviews: 0, overdueReviews: 0, tasks: 0, acceptances: 0 };
    const send = async (kind: string, d: Due, title: string, body: string) => {
      if (await alreadySent(tx, kind, d, deps.clock.now())) return false;
      const ctx: Ctx = { db: deps.db, actor: systemActor(d.org_id, 'regulated_entity', 'system:risk-reminders'), requestId: `job-${newId()}`, ip: null, clock: deps.clock };
      await notify(tx, ctx, deps.mailer, { orgId: d.org_id, userIds: [d.user_id], kind, title, body, link: d.link, email: Boolean(deps.mailer) });
      return true;
    };
    for (const d of reviews) {
      const overdue = d.due_on < today;
      const kind = overdue ? 'risk.review_overdue' : 'risk.review_due';
      if (await send(kind, d, overdue ? `Risk review overdue: ${d.title}` : `Risk review due ${d.due_on}: ${d.title}`, `The review of ${d.title} is ${overdue ? 'overdue since' : 'due on'} ${d.due_on}.`)) {
        if (overdue) out.overdueReviews++;
        else out.reviews++;
      }
    }
    for (const d of tasks) if (await send('risk.task_overdue', d, `Treatment task overdue: ${d.title}`, `The task was due on ${d.due_on}.`)) out.tasks++;
    for (const d of acceptances) {
      const expired = d.due_on < today;
      if (await send(expired ? 'risk.acceptance_expired' : 'risk.acceptance_expiring', d, `${expired ? 'Risk acceptance expired' : 'Risk acceptance expires'} ${d.due_on}: ${d.title}`, 'Review the risk and renew or withdraw the acceptance.')) out.acceptances++;
    }
    return out;
  });
}

/** Registers the daily risk reminder scan. */
export async function registerRiskJobs(deps: { db: Database; clock: Clock; mailer: Mailer; jobs: { register: (n: string, h: () => Promise<Record<string, unknown>>) => void; schedule: (n: string, s: number) => Promise<void> } }): Promise<void> {
  deps.jobs.register('risks.reminders', async () => scanRiskReminders(deps));
  await deps.jobs.schedule('risks.reminders', 86_400);
}

import { sql } from 'kysely';
import { authorize, systemActor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import type { Clock } from '../../core/clock.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { notify } from '../../core/notify.js';
import type { PagedResult } from '../../core/paging.js';
import type { Database } from '../../db/connect.js';
import { ControlErrors } from './errors.js';
import { ControlActions as A } from './policy.js';
import * as repo from './repo.js';
import type { CheckQuery, CheckRecord, CheckRow } from './schema.js';
import { findControlOr404, nextDue, toCheckRow, today } from './service.js';

/** Days ahead a recurring check is created and announced. */
export const CHECK_LEAD_DAYS = 7;

/** Control checks: open, overdue or done, for one control or all; soonest first. */
export async function listChecks(ctx: Ctx, q: CheckQuery): Promise<PagedResult<CheckRow>> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => {
    const d = today(ctx);
    const build = () => {
      let b = repo.selectChecks(tx).where('k.org_id', '=', ctx.actor.orgId);
      if (q.controlId) b = b.where('k.control_id', '=', q.controlId);
      if (q.state === 'open') b = b.where('k.result', 'is', null);
      if (q.state === 'overdue') b = b.where('k.result', 'is', null).where('k.due_on', '<', d);
      if (q.state === 'done') b = b.where('k.result', 'is not', null);
      return b;
    };
    const [rows, total] = await Promise.all([
      build().orderBy('k.due_on', q.state === 'done' ? 'desc' : 'asc').orderBy('c.ref').limit(q.limit).offset(q.offset).execute(),
      build().clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toCheckRow(ctx, r)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

/**
 * Records the result of a control's check: the earliest open check (the one
 * the schedule created), or a new one dated today for a control checked
 * ad hoc. Evidence given is linked to the control. A recurring control's next
 * check moves one period past the recorded due date (and past today).
 */
export async function recordCheck(ctx: Ctx, controlId: string, input: CheckRecord): Promise<CheckRow> {
  authorize(ctx.actor, A['controls.evidence']);
  return inTx(ctx, async (tx) => {
    const c = await findControlOr404(tx, ctx, controlId);
    const d = today(ctx);
    if (input.evidenceId) await linkEvidence(tx, ctx, input.evidenceId, controlId);
    const open = await tx.selectFrom('control_checks').select(['id', sql<string>`due_on::text`.as('due_on')]).where('org_id', '=', ctx.actor.orgId).where('control_id', '=', controlId).where('result', 'is', null).orderBy('due_on').executeTakeFirst();
    let id = open?.id;
    const dueOn = open?.due_on ?? (c.next_check_on && c.next_check_on <= d ? c.next_check_on : d);
    if (!id) {
      id = newId();
      await tx.insertInto('control_checks').values({ org_id: ctx.actor.orgId, id, control_id: controlId, due_on: dueOn, created_at: ctx.clock.now() }).onConflict((oc) => oc.columns(['org_id', 'control_id', 'due_on']).doNothing()).execute();
      const again = await tx.selectFrom('control_checks').select(['id', 'result']).where('org_id', '=', ctx.actor.orgId).where('control_id', '=', controlId).where('due_on', '=', dueOn).executeTakeFirstOrThrow();
      if (again.result) throw ControlErrors.CHECK_DONE(`The check of ${c.ref} due ${dueOn} is already recorded`);
      id = again.id;
    }
    const set = { result: input.result, note: input.note ?? '', evidence_id: input.evidenceId ?? null, performed_by: ctx.actor.userId, performed_at: ctx.clock.now() };
    await tx.updateTable('control_checks').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    if (c.frequency) {
      let next = nextDue(dueOn, c.frequency);
      while (next <= d) next = nextDue(next, c.frequency);
      if (!c.next_check_on || next > c.next_check_on) await tx.updateTable('applied_controls').set({ next_check_on: next, updated_at: ctx.clock.now() }).where('org_id', '=', ctx.actor.orgId).where('id', '=', controlId).execute();
    }
    await audit(tx, ctx, { action: 'controls.check', entityType: 'control_check', entityId: id, after: set, details: { control: c.ref, dueOn, result: input.result } });
    return toCheckRow(ctx, await repo.selectChecks(tx).where('k.org_id', '=', ctx.actor.orgId).where('k.id', '=', id).executeTakeFirstOrThrow());
  });
}

async function linkEvidence(tx: Tx, ctx: Ctx, evidenceId: string, controlId: string): Promise<void> {
  const e = await tx.selectFrom('evidence').select('id').where('org_id', '=', ctx.actor.orgId).where('id', '=', evidenceId).executeTakeFirst();
  if (!e) throw invalid('body.evidenceId', 'no such evidence in this organisation');
  await tx.insertInto('evidence_controls').values({ org_id: ctx.actor.orgId, evidence_id: evidenceId, control_id: controlId }).onConflict((oc) => oc.doNothing()).execute();
}

interface Due {
  org_id: string;
  entity_id: string;
  user_id: string | null;
  due_on: string;
  title: string;
  link: string;
}

/**
 * The daily scan, from stored dates only: creates the checks of recurring
 * controls due within 7 days, reminds control owners of checks due or
 * overdue, and the owners of the controls an evidence item supports (or its
 * uploader) when it expires within 30 days or has expired. Each (item, kind,
 * date) is announced once; a moved date reminds again.
 */
export async function scanControlJobs(deps: { db: Database; clock: Clock; mailer?: Mailer }): Promise<{ checksCreated: number; checkReminders: number; evidenceReminders: number }> {
  const d = deps.clock.now().toISOString().slice(0, 10);
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const created = await sql`
      insert into control_checks (org_id, id, control_id, due_on, created_at)
      select c.org_id, gen_random_uuid(), c.id, c.next_check_on, ${deps.clock.now()}
        from applied_controls c
       where c.frequency is not null and c.next_check_on <= ${d}::date + ${CHECK_LEAD_DAYS}::int
      on conflict (org_id, control_id, due_on) do nothing
      returning id`.execute(tx);
    const checks = await tx
      .selectFrom('control_checks as k')
      .innerJoin('applied_controls as c', (j) => j.onRef('c.org_id', '=', 'k.org_id').onRef('c.id', '=', 'k.control_id'))
      .select(['k.org_id', 'k.id as entity_id', 'c.owner_id as user_id', sql<string>`k.due_on::text`.as('due_on'), sql<string>`c.ref || ': ' || c.name`.as('title'), sql<string>`'/controls/' || c.id`.as('link')])
      .where('k.result', 'is', null)
      .where(sql<boolean>`k.due_on <= ${d}::date + ${CHECK_LEAD_DAYS}::int`)
      .execute();
    const evidence = await sql<Due & { owners: string[] }>`
      select e.org_id, e.id as entity_id, e.created_by as user_id, e.valid_until::text as due_on, e.ref || ': ' || e.title as title, '/evidence/' || e.id as link,
             coalesce(array_agg(distinct c.owner_id) filter (where c.owner_id is not null), '{}') as owners
        from evidence e
        left join evidence_controls ec on ec.org_id = e.org_id and ec.evidence_id = e.id
        left join applied_controls c on c.org_id = ec.org_id and c.id = ec.control_id
       where e.valid_until is not null and e.valid_until <= ${d}::date + ${repo.EXPIRY_LEAD_DAYS}::int
         and e.review_outcome is distinct from 'rejected'
       group by e.org_id, e.id`.execute(tx);
    const out = { checksCreated: created.rows.length, checkReminders: 0, evidenceReminders: 0 };
    const send = async (kind: string, item: Due, users: string[], title: string, body: string) => {
      if (users.length === 0) return false;
      const fresh = await tx
        .insertInto('control_reminders')
        .values({ org_id: item.org_id, kind, entity_id: item.entity_id, due_on: item.due_on, sent_at: deps.clock.now() })
        .onConflict((oc) => oc.doNothing())
        .returning('entity_id')
        .executeTakeFirst();
      if (!fresh) return false;
      const ctx: Ctx = { db: deps.db, actor: systemActor(item.org_id, 'regulated_entity', 'system:control-reminders'), requestId: `job-${newId()}`, ip: null, clock: deps.clock };
      await notify(tx, ctx, deps.mailer, { orgId: item.org_id, userIds: users, kind, title, body, link: item.link, email: Boolean(deps.mailer) });
      return true;
    };
    for (const k of checks) {
      const overdue = k.due_on < d;
      const kind = overdue ? 'controls.check_overdue' : 'controls.check_due';
      if (await send(kind, k, k.user_id ? [k.user_id] : [], overdue ? `Control check overdue: ${k.title}` : `Control check due ${k.due_on}: ${k.title}`, `Check that ${k.title} works and record the result${overdue ? `; it was due on ${k.due_on}` : ''}.`)) out.checkReminders++;
    }
    for (const e of evidence.rows) {
      const expired = e.due_on < d;
      const users = e.owners.length ? e.owners : e.user_id ? [e.user_id] : [];
      const kind = expired ? 'controls.evidence_expired' : 'controls.evidence_expiring';
      if (await send(kind, e, users, `${expired ? 'Evidence expired' : 'Evidence expires'} ${e.due_on}: ${e.title}`, 'Renew the evidence (upload a current version) or extend its validity after review.')) out.evidenceReminders++;
    }
    return out;
  });
}

/** Registers the daily control scan (due checks, check and evidence-expiry reminders). */
export async function registerControlJobs(deps: { db: Database; clock: Clock; mailer: Mailer; jobs: { register: (n: string, h: () => Promise<Record<string, unknown>>) => void; schedule: (n: string, s: number) => Promise<void> } }): Promise<void> {
  deps.jobs.register('controls.reminders', async () => scanControlJobs(deps));
  await deps.jobs.schedule('controls.reminders', 86_400);
}

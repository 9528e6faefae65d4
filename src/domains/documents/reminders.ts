import { sql } from 'kysely';
import { systemActor } from '../../core/access/index.js';
import type { Clock } from '../../core/clock.js';
import type { Ctx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { notify } from '../../core/notify.js';
import type { Database } from '../../db/connect.js';
import { remindPending } from './campaigns.js';

/** Days ahead a document review, or a campaign's due date, is announced. */
export const DOCUMENT_REVIEW_LEAD_DAYS = 14;
export const CAMPAIGN_LEAD_DAYS = 3;

/**
 * The daily scan, from stored dates only: tells owners of documents whose
 * review is due within 14 days (and again once overdue), and reminds people
 * who have not acknowledged a campaign's version 3 days before its due date
 * and once it is overdue. Each (item, person, kind, date) is sent once.
 */
export async function scanDocumentReminders(deps: { db: Database; clock: Clock; mailer?: Mailer }): Promise<{ reviews: number; acknowledgements: number }> {
  const now = deps.clock.now();
  const today = now.toISOString().slice(0, 10);
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const out = { reviews: 0, acknowledgements: 0 };
    const firstTime = async (orgId: string, kind: string, entityId: string, userId: string, dueOn: string) =>
      Boolean(
        await tx
          .insertInto('document_reminders')
          .values({ org_id: orgId, kind, entity_id: entityId, user_id: userId, due_on: dueOn, sent_at: now })
          .onConflict((oc) => oc.doNothing())
          .returning('entity_id')
          .executeTakeFirst(),
      );
    const ctxFor = (orgId: string): Ctx => ({ db: deps.db, actor: systemActor(orgId, 'regulated_entity', 'system:document-reminders'), requestId: `job-${newId()}`, ip: null, clock: deps.clock });

    const docs = await tx
      .selectFrom('documents')
      .select(['org_id', 'id', 'title', 'owner_id', sql<string>`next_review_on::text`.as('due_on')])
      .where('retired_at', 'is', null)
      .where('next_review_on', 'is not', null)
      .where(sql<boolean>`next_review_on <= ${today}::date + ${DOCUMENT_REVIEW_LEAD_DAYS}::int`)
      .execute();
    for (const d of docs) {
      const overdue = d.due_on < today;
      const kind = overdue ? 'document.review_overdue' : 'document.review_due';
      if (!(await firstTime(d.org_id, kind, d.id, d.owner_id, d.due_on))) continue;
      await notify(tx, ctxFor(d.org_id), deps.mailer, {
        orgId: d.org_id,
        userIds: [d.owner_id],
        kind,
        title: overdue ? `Document review overdue: ${d.title}` : `Document review due ${d.due_on}: ${d.title}`,
        body: `Review ${d.title} and publish a new version or confirm it is still right.`,
        link: `/documents/${d.id}`,
        email: Boolean(deps.mailer),
      });
      out.reviews++;
    }

    const campaigns = await tx
      .selectFrom('document_campaigns')
      .select(['org_id', 'id', sql<string>`due_on::text`.as('due_on')])
      .where('closed_at', 'is', null)
      .where(sql<boolean>`due_on <= ${today}::date + ${CAMPAIGN_LEAD_DAYS}::int`)
      .execute();
    for (const c of campaigns) {
      const kind = c.due_on < today ? 'document.acknowledge_overdue' : 'document.acknowledge_due';
      const targets = await tx.selectFrom('document_campaign_targets').select('user_id').where('org_id', '=', c.org_id).where('campaign_id', '=', c.id).execute();
      const fresh: string[] = [];
      for (const t of targets) if (await firstTime(c.org_id, kind, c.id, t.user_id, c.due_on)) fresh.push(t.user_id);
      if (fresh.length) out.acknowledgements += await remindPending(tx, ctxFor(c.org_id), deps.mailer, c.id, kind, fresh);
    }
    return out;
  });
}

/** Registers the daily document reminder scan. */
export async function registerDocumentJobs(deps: { db: Database; clock: Clock; mailer: Mailer; jobs: { register: (n: string, h: () => Promise<Record<string, unknown>>) => void; schedule: (n: string, s: number) => Promise<void> } }): Promise<void> {
  deps.jobs.register('documents.reminders', async () => scanDocumentReminders(deps));
  await deps.jobs.schedule('documents.reminders', 86_400);
}

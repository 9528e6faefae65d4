import { sql } from 'kysely';
import { systemActor } from '../../core/access/index.js';
import type { Ctx } from '../../core/context.js';
import type { AppDeps } from '../../server/deps.js';
import { notifyOrg } from '../incidents/service/access.js';

/** A silent recipient is chased after this long, and again after the same interval. */
export const CHASE_AFTER_MS = 3 * 86_400_000;

/**
 * Chases recipients that have not acknowledged a published, still valid
 * advisory: one reminder per interval, recorded on the recipient row so a
 * restart or a second node sends nothing twice.
 */
export async function chaseSilentRecipients(deps: AppDeps): Promise<{ reminded: number }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - CHASE_AFTER_MS);
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const silent = await tx
      .selectFrom('advisory_recipients as r')
      .innerJoin('advisories as a', (j) => j.onRef('a.org_id', '=', 'r.cert_org_id').onRef('a.id', '=', 'r.advisory_id'))
      .select(['r.org_id', 'r.advisory_id', 'a.ref', 'a.title', 'a.tlp'])
      .where('a.status', '=', 'published')
      .where((eb) => eb.or([eb('a.valid_until', 'is', null), eb('a.valid_until', '>', now)]))
      .where('r.acknowledged_at', 'is', null)
      .where('r.delivered_at', '<=', cutoff)
      .where((eb) => eb.or([eb('r.last_reminded_at', 'is', null), eb('r.last_reminded_at', '<=', cutoff)]))
      .execute();
    let reminded = 0;
    for (const s of silent) {
      // Claim by a conditional update, so two nodes never chase the same org twice.
      const claimed = await tx
        .updateTable('advisory_recipients')
        .set({ last_reminded_at: now, reminders_sent: sql`reminders_sent + 1` })
        .where('org_id', '=', s.org_id)
        .where('advisory_id', '=', s.advisory_id)
        .where('acknowledged_at', 'is', null)
        .where((eb) => eb.or([eb('last_reminded_at', 'is', null), eb('last_reminded_at', '<=', cutoff)]))
        .returning('org_id')
        .executeTakeFirst();
      if (!claimed) continue;
      reminded += 1;
      const ctx: Ctx = { db: deps.db, actor: systemActor(s.org_id, 'regulated_entity', 'system:advisory-reminders'), requestId: 'job:advisories.reminders', ip: null, clock: deps.clock };
      await notifyOrg(tx, ctx, deps.mailer, { orgId: s.org_id, roles: ['org_admin', 'isms_manager'], kind: 'advisory.reminder', title: `Reminder: acknowledge ${s.ref} [TLP:${s.tlp.toUpperCase()}] ${s.title}`, link: `/advisories/${s.advisory_id}`, email: true });
    }
    return { reminded };
  });
}

/** Registers the chase (hourly; the schedule row survives restarts). */
export async function registerAdvisoryJobs(deps: AppDeps): Promise<void> {
  deps.jobs.register('advisories.reminders', async () => chaseSilentRecipients(deps));
  await deps.jobs.schedule('advisories.reminders', 3600);
}

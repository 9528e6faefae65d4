import { sql } from 'kysely';
import { pruneChangeLog } from '../core/change-watch.js';
import { registerAdvisoryJobs } from '../domains/advisories/jobs.js';
import { registerIncidentJobs } from '../domains/incidents/jobs.js';
import { registerIntelJobs } from '../domains/intel/jobs.js';
import type { AppDeps } from './deps.js';
import { registerRiskJobs } from '../domains/risks/reminders.js';
import { registerDocumentJobs } from '../domains/documents/reminders.js';
import { registerControlJobs } from '../domains/controls/checks.js';

/** Analyzes the tables whose planner statistics are missing or stale (migration 0070); returns how many. */
export async function refreshStaleStatistics(db: AppDeps['db']): Promise<number> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const { rows } = await sql<{ n: number }>`select refresh_stale_statistics() as n`.execute(tx);
    return rows[0]!.n;
  });
}

/** Registers every recurring and on-demand job; domains add theirs here. */
export async function registerJobs(deps: AppDeps): Promise<void> {
  deps.jobs.register('maintenance.cleanup', async () => {
    const now = deps.clock.now();
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
    return deps.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      const sessions = await tx.deleteFrom('sessions').where((eb) => eb.or([eb('absolute_expires_at', '<', dayAgo), eb('revoked_at', '<', dayAgo)])).executeTakeFirst();
      const limits = await tx.deleteFrom('rate_limits').where('window_start', '<', dayAgo).executeTakeFirst();
      const jobs = await tx.deleteFrom('jobs').where('status', 'in', ['done', 'cancelled']).where('finished_at', '<', monthAgo).executeTakeFirst();
      return { sessions: Number(sessions.numDeletedRows), rateLimits: Number(limits.numDeletedRows), jobs: Number(jobs.numDeletedRows) };
    });
  });
  await deps.jobs.schedule('maintenance.cleanup', 3600);
  // PGlite has no autovacuum: without this its planner keeps the statistics of
  // empty tables (migration 0070). PostgreSQL's autovacuum does it on its own.
  deps.jobs.register('maintenance.statistics', async () => ({ analyzed: await refreshStaleStatistics(deps.db) }));
  if (deps.db.driver === 'pglite') await deps.jobs.schedule('maintenance.statistics', 300);
  // The change log (0080) grows by a row per writing transaction and topic; a
  // prune makes everything kept be read again once, so daily.
  deps.jobs.register('maintenance.changes.prune', async () => ({ removed: await pruneChangeLog(deps.db) }));
  await deps.jobs.schedule('maintenance.changes.prune', 86_400);
  await registerRiskJobs(deps);
  await registerDocumentJobs(deps);
  await registerControlJobs(deps);
  await registerIncidentJobs(deps);
  await registerAdvisoryJobs(deps);
  await registerIntelJobs(deps);
}

import { systemActor } from '../../core/access/index.js';
import type { AppDeps } from '../../server/deps.js';
import type { OrgKind } from '../../db/types.js';
import { runImportJob } from './imports.js';
import { recorrelate } from './sightings.js';
import { deliverWebhook } from './alerts.js';
import { pollDueFeeds } from '../taxii/feeds.js';

/** The intel domain's jobs: storing queued bundle imports, full re-correlation, polling TAXII feeds. */
export async function registerIntelJobs(deps: AppDeps): Promise<void> {
  deps.jobs.register('intel.feeds.poll', async () => pollDueFeeds(deps));
  deps.jobs.register('intel.webhook', async (job) => deliverWebhook(job.payload as { url: string; matches: unknown[] }));
  await deps.jobs.schedule('intel.feeds.poll', 300);
  deps.jobs.register('intel.import', async (job) => {
    const r = await runImportJob(deps, job.orgId!, String(job.payload.importId));
    return r as unknown as Record<string, unknown>;
  });
  deps.jobs.register('intel.recorrelate', async (job, ctl) => {
    const actor = systemActor(job.orgId!, (job.payload.orgKind as OrgKind | undefined) ?? 'platform', 'system:intel-recorrelate');
    return recorrelate({ db: deps.db, clock: deps.clock, actor, requestId: `job:${job.id}`, ip: null }, ctl, deps.mailer);
  });
}

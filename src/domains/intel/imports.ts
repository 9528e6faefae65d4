import { sql } from 'kysely';
import { authorize, systemActor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { asSystem, inTx, type Ctx, type Tx } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { JobQueue } from '../../core/jobs.js';
import type { Mailer } from '../../core/mail.js';
import type { Database } from '../../db/connect.js';
import type { Clock } from '../../core/clock.js';
import { resolveSharing } from '../sharing/service.js';
import type { SharingSpec } from '../sharing/schema.js';
import { bundleObjects, parseBundleText, validateObjects } from './bundle.js';
import { addAndCorrelate } from './correlation.js';
import { IntelErrors } from './errors.js';
import { IntelActions } from './policy.js';
import type { ImportRow } from './schema.js';
import { storeObjects } from './store.js';
import './tables.js';

export interface ImportProgress {
  phase: 'validate' | 'store';
  done: number;
  total: number;
}

export interface ImportOptions {
  source: string;
  sharing: SharingSpec;
  /** Lets the CERT re-share the objects anonymised (source stripped) with the community. */
  allowAnonymisedReshare?: boolean;
  importId?: string | null;
  mailer?: Mailer | undefined;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportResult {
  total: number;
  inserted: number;
  unchanged: number;
  observables: number;
  matches: number;
}

/**
 * Imports STIX objects under the acting org, all or nothing: every object
 * is validated first (any problem refuses the whole bundle, naming id, path
 * and reason), then all are stored in one transaction with their
 * observables correlated. Re-importing the same bundle changes nothing.
 * The CLI, the API's import job and feeds call this.
 */
export async function importObjects(ctx: Ctx, objects: readonly Record<string, unknown>[], opts: ImportOptions): Promise<ImportResult> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const total = objects.length;
  validateObjects(objects, (done) => opts.onProgress?.({ phase: 'validate', done, total }));
  opts.onProgress?.({ phase: 'validate', done: total, total });
  const result = await inTx(ctx, (tx) => storeValidated(tx, ctx, objects, opts));
  // The planner needs fresh statistics after a large import: PGlite has no
  // autovacuum, and PostgreSQL's may be off or a minute behind (0323).
  if (result.inserted >= ANALYZE_AFTER) await inTx(ctx, (tx) => sql`select intel_refresh_statistics(${result.inserted}::bigint)`.execute(tx));
  return result;
}

/**
 * Imports STIX objects inside the caller's transaction (for another
 * domain's write that must be atomic with it, e.g. publishing an advisory):
 * the same validation, storage, correlation and audit as importObjects.
 */
export async function importObjectsIn(tx: Tx, ctx: Ctx, objects: readonly Record<string, unknown>[], opts: Omit<ImportOptions, 'onProgress' | 'importId'>): Promise<ImportResult> {
  authorize(ctx.actor, IntelActions['intel.import']);
  validateObjects(objects);
  return storeValidated(tx, ctx, objects, opts);
}

async function storeValidated(tx: Tx, ctx: Ctx, objects: readonly Record<string, unknown>[], opts: Omit<ImportOptions, 'onProgress'> & { onProgress?: ImportOptions['onProgress'] }): Promise<ImportResult> {
  const total = objects.length;
  const sharing = await resolveSharing(tx, ctx, opts.sharing);
  const r = await storeObjects(tx, ctx, objects, {
    source: opts.source,
    importId: opts.importId ?? null,
    sharing,
    allowAnonymisedReshare: opts.allowAnonymisedReshare ?? false,
    onProgress: (done) => opts.onProgress?.({ phase: 'store', done, total }),
  });
  await dropStaleObservables(tx, ctx.actor.orgId, r.refreshed, r.observables);
  const matches = await addAndCorrelate(tx, ctx, r.observables, { mailer: opts.mailer });
  await audit(tx, ctx, {
    action: 'intel.import',
    entityType: 'stix_bundle',
    entityId: opts.importId ?? null,
    details: { source: opts.source, tlp: sharing.tlp, total, inserted: r.inserted, unchanged: r.unchanged, observables: r.observables.length },
  });
  return { total, inserted: r.inserted, unchanged: r.unchanged, observables: r.observables.length, matches: matches.length };
}

/** Rows an import adds before the statistics are checked (smaller ones are counted by the next check). */
const ANALYZE_AFTER = 50;

/**
 * A new latest version (a changed pattern, a revocation) no longer stands
 * for the values its older versions named: those observables are removed so
 * they stop matching; unchanged ones keep their ids (and their matches).
 */
async function dropStaleObservables(tx: Tx, orgId: string, ids: readonly string[], current: ReadonlyArray<{ sourceRef: string; kind: string; value: string }>): Promise<void> {
  if (!ids.length) return;
  const keep = new Set(current.map((o) => `${o.sourceRef}\u0000${o.kind}\u0000${o.value}`));
  for (let i = 0; i < ids.length; i += 1000) {
    const existing = await tx.selectFrom('intel_observables').select(['id', 'source_ref', 'kind', 'value']).where('org_id', '=', orgId).where('source_kind', '=', 'stix').where('source_ref', 'in', ids.slice(i, i + 1000)).execute();
    const stale = existing.filter((e) => !keep.has(`${e.source_ref}\u0000${e.kind}\u0000${e.value}`)).map((e) => e.id);
    if (stale.length) await tx.deleteFrom('intel_observables').where('org_id', '=', orgId).where('id', 'in', stale).execute();
  }
}

/** Parses and validates a bundle up front (fast: the API answers 400 at once), returning its objects. */
export function checkBundle(bundle: unknown): Record<string, unknown>[] {
  const objects = bundleObjects(typeof bundle === 'string' ? parseBundleText(bundle) : bundle);
  validateObjects(objects);
  return objects;
}

/**
 * Accepts a bundle through the API: validates it now, records an import
 * (queued) holding the bundle, and enqueues the job that stores it; the
 * import row carries progress and the outcome.
 */
export async function queueImport(ctx: Ctx, jobs: JobQueue, bundle: unknown, q: { source: string; sharing: SharingSpec; allowAnonymisedReshare?: boolean }): Promise<ImportRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const objects = checkBundle(bundle);
  const id = newId();
  return inTx(ctx, async (tx) => {
    await resolveSharing(tx, ctx, q.sharing);
    const row = await tx
      .insertInto('intel_imports')
      .values({
        org_id: ctx.actor.orgId,
        id,
        source: q.source,
        status: 'queued',
        options: JSON.stringify({ sharing: q.sharing, allowAnonymisedReshare: q.allowAnonymisedReshare ?? false }),
        bundle: JSON.stringify(bundle),
        total: objects.length,
        errors: '[]',
        created_by: ctx.actor.userId,
        created_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await jobs.enqueue(tx, { name: 'intel.import', orgId: ctx.actor.orgId, payload: { importId: id }, maxAttempts: 1 });
    await audit(tx, ctx, { action: 'intel.import.queue', entityType: 'stix_bundle', entityId: id, details: { source: q.source, total: objects.length } });
    return toImportRow(row);
  });
}

type ImportDb = { id: string; source: string; status: ImportRow['status']; total: number; processed: number; inserted: number; unchanged: number; errors: unknown; created_at: Date; finished_at: Date | null };

function toImportRow(r: ImportDb): ImportRow {
  return {
    id: r.id,
    source: r.source,
    status: r.status,
    total: r.total,
    processed: r.processed,
    inserted: r.inserted,
    unchanged: r.unchanged,
    progress: r.status === 'done' ? 1 : r.total ? Math.min(1, r.processed / r.total) : 0,
    errors: (r.errors as ImportRow['errors']) ?? [],
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

const IMPORT_COLS = ['id', 'source', 'status', 'total', 'processed', 'inserted', 'unchanged', 'errors', 'created_at', 'finished_at'] as const;

/** Queues a full re-correlation of the acting org (one at a time per org); returns the job id. */
export async function queueRecorrelation(ctx: Ctx, jobs: JobQueue): Promise<string> {
  authorize(ctx.actor, IntelActions['intel.recorrelate']);
  return inTx(ctx, async (tx) => {
    const jobId = await asSystem(tx, ctx.actor, async () => {
      const running = await tx.selectFrom('jobs').select('id').where('singleton_key', '=', `intel.recorrelate:${ctx.actor.orgId}`).where('status', 'in', ['queued', 'running']).executeTakeFirst();
      if (running) return running.id;
      return jobs.enqueue(tx, { name: 'intel.recorrelate', orgId: ctx.actor.orgId, payload: { orgKind: ctx.actor.orgKind }, singletonKey: `intel.recorrelate:${ctx.actor.orgId}`, maxAttempts: 1 });
    });
    await audit(tx, ctx, { action: 'intel.recorrelate.queue', entityType: 'org', entityId: ctx.actor.orgId, details: { jobId } });
    return jobId;
  });
}

/** One import of the acting org, with its progress. */
export async function getImport(ctx: Ctx, id: string): Promise<ImportRow> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const r = await tx.selectFrom('intel_imports').select(IMPORT_COLS).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!r) throw IntelErrors.STIX_IMPORT_NOT_FOUND();
    return toImportRow(r);
  });
}

/**
 * The `intel.import` job: stores a queued bundle as the org (system actor
 * acting in it). Progress goes to the import row from a second connection,
 * which PGlite (one connection) cannot offer while the import transaction is
 * open, so there it is recorded for validation and at the end only.
 */
export async function runImportJob(deps: { db: Database; clock: Clock; mailer?: Mailer }, orgId: string, importId: string): Promise<ImportResult | { failed: string }> {
  const sys = systemActor(orgId, 'platform', 'system:intel-import');
  const sysCtx: Ctx = { db: deps.db, clock: deps.clock, actor: sys, requestId: `job:${importId}`, ip: null };
  const row = await inTx(sysCtx, (tx) =>
    asSystem(tx, sys, () => tx.selectFrom('intel_imports').select(['bundle', 'options', 'source', 'status']).where('org_id', '=', orgId).where('id', '=', importId).executeTakeFirst()),
  );
  if (!row || row.status !== 'queued' || row.bundle === null) return { failed: 'import not queued' };
  const setRow = (patch: Record<string, unknown>) =>
    inTx(sysCtx, (tx) => tx.updateTable('intel_imports').set(patch).where('org_id', '=', orgId).where('id', '=', importId).execute());
  await setRow({ status: 'running' });
  const canReportMidTx = deps.db.driver === 'postgres';
  let lastReported = 0;
  try {
    const objects = bundleObjects(JSON.parse(row.bundle));
    const { sharing, allowAnonymisedReshare } = row.options as { sharing: SharingSpec; allowAnonymisedReshare?: boolean };
    const pending: Promise<unknown>[] = [];
    const result = await importObjects(sysCtx, objects, {
      source: row.source,
      sharing,
      allowAnonymisedReshare: allowAnonymisedReshare ?? false,
      importId,
      ...(deps.mailer ? { mailer: deps.mailer } : {}),
      onProgress: (p) => {
        // Validation is half the work, storing the other half.
        const processed = Math.round((p.phase === 'validate' ? p.done / 2 : p.total / 2 + p.done / 2));
        if ((p.phase === 'validate' || canReportMidTx) && processed - lastReported >= 1000) {
          lastReported = processed;
          pending.push(setRow({ processed }).catch(() => undefined));
        }
      },
    });
    await Promise.all(pending);
    await setRow({ status: 'done', processed: result.total, inserted: result.inserted, unchanged: result.unchanged, bundle: null, finished_at: deps.clock.now() });
    return result;
  } catch (err) {
    const problems = err instanceof AppError ? (err.errors ?? [{ path: '$', message: err.message }]) : [{ path: '$', message: err instanceof Error ? err.message : String(err) }];
    await setRow({ status: 'failed', errors: JSON.stringify(problems), bundle: null, finished_at: deps.clock.now() });
    return { failed: problems[0]?.message ?? 'failed' };
  }
}

import { sql } from 'kysely';
import { z } from 'zod';
import { authorize, systemActor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import type { Clock } from '../../core/clock.js';
import { asSystem, inTx, type Ctx } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import type { SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/connect.js';
import { importObjects } from '../intel/imports.js';
import { IntelActions } from '../intel/policy.js';
import { TlpLevel } from '../sharing/schema.js';
import { TaxiiErrors } from './errors.js';
import { TAXII_MEDIA } from './routes.js';
import type { Timestamp } from '../../db/types.js';

export interface IntelFeedsTable {
  org_id: string;
  id: string;
  name: string;
  kind: 'taxii';
  url: string;
  username: string | null;
  secret_sealed: string | null;
  tlp: z.infer<typeof TlpLevel>;
  interval_seconds: number;
  enabled: boolean;
  cursor: string | null;
  next_run_at: Timestamp;
  last_run_at: Timestamp | null;
  last_status: string | null;
  last_error: string | null;
  last_count: number | null;
  total_count: number;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    intel_feeds: IntelFeedsTable;
  }
}

export const FeedCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** The collection URL, e.g. https://taxii.example/api1/collections/<id>/ */
  url: z.string().url().max(2000),
  username: z.string().max(200).optional(),
  /** Password or token for HTTP Basic (or a bearer token when no username is given); stored sealed. */
  secret: z.string().max(2000).optional(),
  tlp: TlpLevel.default('amber'),
  intervalSeconds: z.number().int().min(60).max(7 * 86400).default(3600),
});

export const FeedRow = z.object({
  id: z.string().uuid(),
  name: z.string(),
  url: z.string(),
  tlp: z.string(),
  intervalSeconds: z.number(),
  enabled: z.boolean(),
  cursor: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastStatus: z.string().nullable(),
  lastError: z.string().nullable(),
  lastCount: z.number().nullable(),
  totalCount: z.number(),
});
export type FeedRow = z.infer<typeof FeedRow>;

type FeedDb = Pick<IntelFeedsTable, 'id' | 'name' | 'url' | 'tlp' | 'interval_seconds' | 'enabled' | 'cursor' | 'last_status' | 'last_error' | 'last_count' | 'total_count'> & { last_run_at: Date | null };

function toRow(r: FeedDb): FeedRow {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    tlp: r.tlp,
    intervalSeconds: r.interval_seconds,
    enabled: r.enabled,
    cursor: r.cursor,
    lastRunAt: r.last_run_at?.toISOString() ?? null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastCount: r.last_count,
    totalCount: r.total_count,
  };
}

/** Subscribes the acting org to an external TAXII 2.1 collection. */
export async function createFeed(ctx: Ctx, secrets: SecretBox, input: z.infer<typeof FeedCreateBody>): Promise<FeedRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const url = input.url.endsWith('/') ? input.url : `${input.url}/`;
  return inTx(ctx, async (tx) => {
    const row = await tx
      .insertInto('intel_feeds')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        name: input.name,
        kind: 'taxii',
        url,
        username: input.username ?? null,
        secret_sealed: input.secret ? secrets.seal(input.secret) : null,
        tlp: input.tlp,
        interval_seconds: input.intervalSeconds,
        enabled: true,
        next_run_at: ctx.clock.now(),
        total_count: 0,
        created_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'intel.feeds.create', entityType: 'intel_feed', entityId: row.id, after: { name: row.name, url: row.url, tlp: row.tlp } });
    return toRow(row);
  });
}

/** The acting org's feeds with their last run, counts and errors. */
export async function listFeeds(ctx: Ctx): Promise<FeedRow[]> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => (await tx.selectFrom('intel_feeds').selectAll().where('org_id', '=', ctx.actor.orgId).orderBy('name').execute()).map(toRow));
}

interface FeedDeps {
  db: Database;
  clock: Clock;
  secrets: SecretBox;
  mailer?: Mailer;
}

/**
 * Polls one feed: GET objects/ with added_after = the cursor, following
 * `next` until `more` is false (no database transaction is open while
 * fetching), then imports everything under the feed's provenance and TLP
 * in one all-or-nothing import, and moves the cursor to the last page's
 * X-TAXII-Date-Added-Last. The outcome is recorded on the feed.
 */
export async function runFeed(deps: FeedDeps, orgId: string, feedId: string): Promise<FeedRow> {
  const actor = systemActor(orgId, 'platform', 'system:feed');
  const ctx: Ctx = { db: deps.db, clock: deps.clock, actor, requestId: `feed:${feedId}`, ip: null };
  const feed = await inTx(ctx, (tx) => asSystem(tx, actor, () => tx.selectFrom('intel_feeds').selectAll().where('org_id', '=', orgId).where('id', '=', feedId).executeTakeFirst()));
  if (!feed) throw TaxiiErrors.TAXII_COLLECTION_NOT_FOUND('Feed not found');
  const secret = feed.secret_sealed ? deps.secrets.open(feed.secret_sealed) : undefined;
  const headers: Record<string, string> = { accept: TAXII_MEDIA };
  if (secret) headers.authorization = feed.username ? `Basic ${Buffer.from(`${feed.username}:${secret}`).toString('base64')}` : `Bearer ${secret}`;
  const objects: Record<string, unknown>[] = [];
  let cursor = feed.cursor;
  let status = 'ok';
  let error: string | null = null;
  let count = 0;
  try {
    let next: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const qs = new URLSearchParams({ limit: '1000' });
      if (feed.cursor) qs.set('added_after', feed.cursor);
      if (next) qs.set('next', next);
      const res = await fetch(`${feed.url}objects/?${qs.toString()}`, { headers, signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} from the feed: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { more?: boolean; next?: string; objects?: Record<string, unknown>[] };
      objects.push(...(body.objects ?? []));
      const last = res.headers.get('x-taxii-date-added-last');
      if (last && (!cursor || last > cursor)) cursor = last;
      if (!body.more || !body.next) break;
      next = body.next;
    }
    if (objects.length) {
      const r = await importObjects(ctx, objects, { source: `feed:${feed.name}`, sharing: { tlp: feed.tlp, recipientOrgs: [], recipientUsers: [], sharingGroups: [] }, mailer: deps.mailer });
      count = r.inserted;
    }
  } catch (err) {
    status = 'failed';
    error = err instanceof AppError ? `${err.message}${err.errors?.[0] ? ` (${err.errors[0].path}: ${err.errors[0].message})` : ''}` : err instanceof Error ? err.message : String(err);
    cursor = feed.cursor;
  }
  const now = deps.clock.now();
  return inTx(ctx, async (tx) => {
    const row = await tx
      .updateTable('intel_feeds')
      .set({ cursor, last_run_at: now, last_status: status, last_error: error, last_count: count, total_count: feed.total_count + count, next_run_at: new Date(now.getTime() + feed.interval_seconds * 1000) })
      .where('org_id', '=', orgId)
      .where('id', '=', feedId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'intel.feeds.run', entityType: 'intel_feed', entityId: feedId, details: { status, count, fetched: objects.length } });
    return toRow(row);
  });
}

/** Runs a feed of the acting org now (the API's "poll now" button). */
export async function runFeedNow(ctx: Ctx, deps: FeedDeps, feedId: string): Promise<FeedRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const exists = await inTx(ctx, (tx) => tx.selectFrom('intel_feeds').select('id').where('org_id', '=', ctx.actor.orgId).where('id', '=', feedId).executeTakeFirst());
  if (!exists) throw TaxiiErrors.TAXII_COLLECTION_NOT_FOUND('Feed not found');
  return runFeed(deps, ctx.actor.orgId, feedId);
}

/** The scheduled job: polls every enabled feed that is due, one after another. */
export async function pollDueFeeds(deps: FeedDeps): Promise<{ feeds: number }> {
  const now = deps.clock.now();
  const due = await deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return tx.selectFrom('intel_feeds').select(['org_id', 'id']).where('enabled', '=', true).where('next_run_at', '<=', now).execute();
  });
  for (const f of due) await runFeed(deps, f.org_id, f.id);
  return { feeds: due.length };
}

import { sql } from 'kysely';
import type { z } from 'zod';
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
import { pullFeedEvents } from '../misp/service.js';
import { IntelActions } from '../intel/policy.js';
import { TaxiiErrors } from './errors.js';
import type { FeedRow} from './schema.js';
import { type FeedCreateBody, type FeedUpdateBody } from './schema.js';
import type { TlpLevel } from '../sharing/schema.js';
import { TAXII_MEDIA } from './routes.js';
import type { Timestamp } from '../../db/types.js';

export interface IntelFeedsTable {
  org_id: string;
  id: string;
  name: string;
  kind: 'taxii' | 'misp';
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
  last_fetched: number | null;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    intel_feeds: IntelFeedsTable;
  }
}

type FeedDb = Pick<IntelFeedsTable, 'id' | 'kind' | 'name' | 'url' | 'username' | 'secret_sealed' | 'tlp' | 'interval_seconds' | 'enabled' | 'cursor' | 'last_status' | 'last_error' | 'last_count' | 'last_fetched' | 'total_count'> & {
  last_run_at: Date | null;
  next_run_at: Date;
};

function toRow(r: FeedDb): FeedRow {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    url: r.url,
    username: r.username,
    hasSecret: r.secret_sealed !== null,
    tlp: r.tlp,
    intervalSeconds: r.interval_seconds,
    enabled: r.enabled,
    cursor: r.cursor,
    lastRunAt: r.last_run_at?.toISOString() ?? null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastCount: r.last_count,
    lastFetched: r.last_fetched,
    totalCount: r.total_count,
    nextRunAt: r.next_run_at.toISOString(),
  };
}

/** A collection or feed folder URL with its trailing slash (relative paths are resolved against it). */
const feedUrl = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

/** Subscribes the acting org to an external TAXII 2.1 collection or MISP feed. */
export async function createFeed(ctx: Ctx, secrets: SecretBox, input: z.infer<typeof FeedCreateBody>): Promise<FeedRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const url = feedUrl(input.url);
  if (input.kind === 'misp' && input.username) throw TaxiiErrors.INTEL_FEED_INVALID('A MISP feed takes a bearer token (secret) only, no username', [{ path: 'username', message: 'not used for MISP feeds' }]);
  return inTx(ctx, async (tx) => {
    const row = await tx
      .insertInto('intel_feeds')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        name: input.name,
        kind: input.kind,
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
    await audit(tx, ctx, { action: 'intel.feeds.create', entityType: 'intel_feed', entityId: row.id, after: { kind: row.kind, name: row.name, url: row.url, tlp: row.tlp, intervalSeconds: row.interval_seconds } });
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
 * Polls a TAXII collection: GET objects/ with added_after = the cursor,
 * following `next` until `more` is false (no database transaction is open
 * while fetching), then imports everything under the feed's provenance and
 * TLP in one all-or-nothing import. The new cursor is the last page's
 * X-TAXII-Date-Added-Last.
 */
async function pollTaxii(ctx: Ctx, feed: Pick<FeedDb, 'url' | 'name' | 'tlp' | 'cursor' | 'username'>, secret: string | undefined, mailer: Mailer | undefined): Promise<{ fetched: number; inserted: number; cursor: string | null }> {
  const headers: Record<string, string> = { accept: TAXII_MEDIA };
  if (secret) headers.authorization = feed.username ? `Basic ${Buffer.from(`${feed.username}:${secret}`).toString('base64')}` : `Bearer ${secret}`;
  const objects: Record<string, unknown>[] = [];
  let cursor = feed.cursor;
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
  let inserted = 0;
  if (objects.length) {
    const r = await importObjects(ctx, objects, { source: `feed:${feed.name}`, sharing: { tlp: feed.tlp, recipientOrgs: [], recipientUsers: [], sharingGroups: [] }, mailer });
    inserted = r.inserted;
  }
  return { fetched: objects.length, inserted, cursor };
}

/**
 * Polls one feed (TAXII collection or MISP feed) and records the outcome on
 * it: last run, status, error, counts, the moved cursor and the next run.
 * A failed run keeps the old cursor, so the next run fetches the same
 * window again (imports are idempotent).
 */
export async function runFeed(deps: FeedDeps, orgId: string, feedId: string): Promise<FeedRow> {
  const actor = systemActor(orgId, 'platform', 'system:feed');
  const ctx: Ctx = { db: deps.db, clock: deps.clock, actor, requestId: `feed:${feedId}`, ip: null };
  const feed = await inTx(ctx, (tx) => asSystem(tx, actor, () => tx.selectFrom('intel_feeds').selectAll().where('org_id', '=', orgId).where('id', '=', feedId).executeTakeFirst()));
  if (!feed) throw TaxiiErrors.INTEL_FEED_NOT_FOUND();
  const secret = feed.secret_sealed ? deps.secrets.open(feed.secret_sealed) : undefined;
  let cursor = feed.cursor;
  let status = 'ok';
  let error: string | null = null;
  let count = 0;
  let fetched = 0;
  try {
    if (feed.kind === 'misp') {
      const r = await pullFeedEvents(ctx, feed.url, { token: secret, tlp: feed.tlp, mailer: deps.mailer, since: feed.cursor, source: `feed:${feed.name}` });
      ({ cursor } = r);
      count = r.inserted;
      fetched = r.events;
    } else {
      const r = await pollTaxii(ctx, feed, secret, deps.mailer);
      ({ cursor } = r);
      count = r.inserted;
      fetched = r.fetched;
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
      .set({ cursor, last_run_at: now, last_status: status, last_error: error, last_count: count, last_fetched: fetched, total_count: feed.total_count + count, next_run_at: new Date(now.getTime() + feed.interval_seconds * 1000) })
      .where('org_id', '=', orgId)
      .where('id', '=', feedId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'intel.feeds.run', entityType: 'intel_feed', entityId: feedId, details: { kind: feed.kind, status, count, fetched } });
    return toRow(row);
  });
}

/** Changes a feed of the acting org (schedule, enabled, name, TLP, credentials). */
export async function updateFeed(ctx: Ctx, secrets: SecretBox, feedId: string, input: z.infer<typeof FeedUpdateBody>): Promise<FeedRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  return inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('intel_feeds').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', feedId).executeTakeFirst();
    if (!before) throw TaxiiErrors.INTEL_FEED_NOT_FOUND();
    if (before.kind === 'misp' && input.username) throw TaxiiErrors.INTEL_FEED_INVALID('A MISP feed takes a bearer token (secret) only, no username', [{ path: 'username', message: 'not used for MISP feeds' }]);
    const interval = input.intervalSeconds ?? before.interval_seconds;
    const url = input.url === undefined ? before.url : feedUrl(input.url);
    const moved = url !== before.url;
    const row = await tx
      .updateTable('intel_feeds')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        // Another collection: poll it from its beginning, now.
        ...(moved ? { url, cursor: null, next_run_at: ctx.clock.now() } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(input.tlp !== undefined ? { tlp: input.tlp } : {}),
        ...(input.username !== undefined ? { username: input.username || null } : {}),
        ...(input.secret !== undefined ? { secret_sealed: input.secret ? secrets.seal(input.secret) : null } : {}),
        interval_seconds: interval,
        // A shorter schedule takes effect from the last run, not after the old interval.
        ...(moved ? {} : { next_run_at: before.last_run_at ? new Date(Math.min(before.next_run_at.getTime(), before.last_run_at.getTime() + interval * 1000)) : before.next_run_at }),
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', feedId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, {
      action: 'intel.feeds.update',
      entityType: 'intel_feed',
      entityId: feedId,
      before: { name: before.name, url: before.url, enabled: before.enabled, intervalSeconds: before.interval_seconds, tlp: before.tlp, username: before.username },
      after: { name: row.name, url: row.url, enabled: row.enabled, intervalSeconds: row.interval_seconds, tlp: row.tlp, username: row.username, secretChanged: input.secret !== undefined },
    });
    return toRow(row);
  });
}

/** Removes a feed of the acting org (what it imported stays). */
export async function deleteFeed(ctx: Ctx, feedId: string): Promise<void> {
  authorize(ctx.actor, IntelActions['intel.import']);
  await inTx(ctx, async (tx) => {
    const r = await tx.deleteFrom('intel_feeds').where('org_id', '=', ctx.actor.orgId).where('id', '=', feedId).returning(['name', 'url']).executeTakeFirst();
    if (!r) throw TaxiiErrors.INTEL_FEED_NOT_FOUND();
    await audit(tx, ctx, { action: 'intel.feeds.delete', entityType: 'intel_feed', entityId: feedId, before: { name: r.name, url: r.url } });
  });
}

/** Runs a feed of the acting org now (the API's "poll now" button). */
export async function runFeedNow(ctx: Ctx, deps: FeedDeps, feedId: string): Promise<FeedRow> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const exists = await inTx(ctx, (tx) => tx.selectFrom('intel_feeds').select('id').where('org_id', '=', ctx.actor.orgId).where('id', '=', feedId).executeTakeFirst());
  if (!exists) throw TaxiiErrors.INTEL_FEED_NOT_FOUND();
  return runFeed(deps, ctx.actor.orgId, feedId);
}

/** The scheduled job: polls every enabled feed (TAXII and MISP) that is due, one after another. */
export async function pollDueFeeds(deps: FeedDeps): Promise<{ feeds: number }> {
  const now = deps.clock.now();
  const due = await deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return tx.selectFrom('intel_feeds').select(['org_id', 'id']).where('enabled', '=', true).where('next_run_at', '<=', now).execute();
  });
  for (const f of due) await runFeed(deps, f.org_id, f.id);
  return { feeds: due.length };
}

import { sql, type RawBuilder } from 'kysely';
import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import type { Database } from '../../db/connect.js';
import { newId, nameId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { importObjects } from '../intel/imports.js';
import { IntelActions } from '../intel/policy.js';
import { validateStixObject } from '../intel/validate.js';
import type { SharingSpec } from '../sharing/schema.js';
import { TaxiiErrors } from './errors.js';
import type { KeptPages, KeptPage } from './kept-pages.js';
import '../intel/tables.js';
import '../sharing/tables.js';
import './tables.js';

/**
 * TAXII 2.1 collections are audiences over the one STIX store; every read
 * runs as the caller with row-level security on (intel_can_see), so a
 * collection can never show more than its reader may see:
 *   all        everything visible to the reader (read only)
 *   community  CLEAR and GREEN objects; writes are stored as GREEN
 *   org        the reader's own org's objects; writes are AMBER to nobody else
 *   <group id> objects shared with one sharing group; writes are AMBER to it
 */
const NS = '6c3f0f4e-5a7d-4c1a-9d8e-2f6b7a1c9e01';
export const COLLECTION_IDS = { all: nameId('all', NS), community: nameId('community', NS), org: nameId('org', NS), public: nameId('public', NS) } as const;

export interface Collection {
  id: string;
  title: string;
  description: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
  /** Filter over stix_objects (aliased o) and the sharing of writes; not sent to clients. */
  filter: RawBuilder<boolean>;
  /** Every reader allowed in sees the same objects (only CLEAR/GREEN in it): its pages are kept once for all. */
  sameForEveryReader?: boolean;
  writeSharing: SharingSpec | null;
}

const STIX_MEDIA = 'application/stix+json;version=2.1';

/** The collections every reader has (all, community, own org), without a database read. */
function fixedCollections(ctx: Ctx): Collection[] {
  const write = can(ctx.actor, IntelActions['intel.import']);
  const none = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
  return [
    { id: COLLECTION_IDS.all, title: 'All visible intelligence', description: 'Every object your organisation may see', can_read: true, can_write: false, media_types: [STIX_MEDIA], filter: sql<boolean>`true`, writeSharing: null },
    { id: COLLECTION_IDS.community, title: 'Community (TLP:CLEAR and TLP:GREEN)', description: 'Shared with every organisation of the platform; objects added here are TLP:GREEN', can_read: true, can_write: write, media_types: [STIX_MEDIA], filter: sql<boolean>`o.tlp in ('clear', 'green')`, sameForEveryReader: true, writeSharing: { tlp: 'green', ...none } },
    { id: COLLECTION_IDS.org, title: 'My organisation', description: "Your organisation's own objects; objects added here are TLP:AMBER, shared with no one", can_read: true, can_write: write, media_types: [STIX_MEDIA], filter: sql<boolean>`o.org_id = ${ctx.actor.orgId}::uuid`, writeSharing: { tlp: 'amber', ...none } },
  ];
}

/** The collections the caller may read (and which it may write). */
export async function listCollections(ctx: Ctx): Promise<Collection[]> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const write = can(ctx.actor, IntelActions['intel.import']);
  const out = fixedCollections(ctx);
  const groups = await inTx(ctx, (tx) => tx.selectFrom('sharing_groups').select(['id', 'name']).orderBy('name').execute());
  for (const g of groups) {
    out.push({ id: g.id, title: `Sharing group: ${g.name}`, description: 'Objects shared with this sharing group (TLP:AMBER)', can_read: true, can_write: write, media_types: [STIX_MEDIA], filter: sql<boolean>`${g.id}::uuid = any(o.sharing_groups)`, writeSharing: { tlp: 'amber', recipientOrgs: [], recipientUsers: [], sharingGroups: [g.id] } });
  }
  return out;
}

/** One collection; the fixed ones are answered without reading the sharing groups (every page request asks). */
export async function getCollection(ctx: Ctx, id: string): Promise<Collection> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const c = fixedCollections(ctx).find((x) => x.id === id) ?? (await listCollections(ctx)).find((x) => x.id === id);
  if (!c) throw TaxiiErrors.TAXII_COLLECTION_NOT_FOUND();
  return c;
}

export interface ObjectFilter {
  addedAfter?: string | undefined;
  limit: number;
  next?: string | undefined;
  ids?: string[] | undefined;
  types?: string[] | undefined;
  versions?: string[] | undefined;
  specVersions?: string[] | undefined;
}

export interface Page<T> {
  items: T[];
  more: boolean;
  next?: string;
  first?: string;
  last?: string;
}

interface Row {
  stix_id: string;
  version: string;
  added: string;
  spec_version: string | null;
}

/**
 * A page of objects as a TAXII envelope (`{"more":...,"next":...,"objects":[...]}`
 * with each object's stored JSON text spliced in), and what its headers need.
 */
export type DocPage = KeptPage;

function cursor(r: { added: string; stix_id: string; version: string }): string {
  return Buffer.from(JSON.stringify([r.added, r.stix_id, r.version])).toString('base64url');
}

/**
 * One page of a collection's object versions, ordered by date added (the
 * manifest and versions endpoints). match[version]: `last` (default),
 * `first`, `all` or version timestamps; the `next` token is a keyset cursor
 * (date added, id, version).
 */
export async function queryObjects(ctx: Ctx, c: Collection, f: ObjectFilter): Promise<Page<Row>> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, (tx) => queryRows(tx, c, f));
}

/**
 * The same page as objects (the objects endpoints): the envelope, with
 * `objects` even when empty when `always` (an object by id).
 */
export async function queryObjectDocs(ctx: Ctx, c: Collection, f: ObjectFilter, always = false, pages: KeptPages): Promise<DocPage> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const read = (mark: (tx: Tx) => Promise<void>) =>
    inTx(ctx, async (tx) => {
      await mark(tx);
      return queryDocs(tx, c, f, always);
    });
  const reader = c.sameForEveryReader ? null : { orgId: ctx.actor.orgId, userId: ctx.actor.userId };
  return pages.get(ctx.db, { collection: c.id, reader, request: [f, always] }, read, ctx.arrival);
}

/**
 * The public collection (MUHAFIZ_TAXII_PUBLIC): TLP:CLEAR objects whose
 * owner's latest version is CLEAR too (an object later re-marked GREEN or
 * higher leaves it whole), read-only.
 */
export const PUBLIC_COLLECTION: Collection = {
  id: COLLECTION_IDS.public,
  title: 'Public (TLP:CLEAR)',
  description: 'Threat intelligence marked TLP:CLEAR, for anyone; read-only',
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA],
  sameForEveryReader: true,
  filter: sql<boolean>`o.tlp = 'clear' and exists (select 1 from stix_objects n where n.org_id = o.org_id and n.stix_id = o.stix_id and n.is_latest and n.tlp = 'clear')`,
  writeSharing: null,
};

/**
 * A page of the public collection for an anonymous reader. Two locks: the
 * transaction runs as muhafiz_app with no org and no user, so row-level
 * security (intel_can_see) already hides everything above GREEN, and the
 * collection's filter keeps CLEAR only.
 */
export async function queryPublicObjects(db: Database, f: ObjectFilter): Promise<Page<Row>> {
  return asAnonymous(db, (tx) => queryRows(tx, PUBLIC_COLLECTION, f));
}

/** The public page as objects (see queryPublicObjects). */
export async function queryPublicObjectDocs(db: Database, f: ObjectFilter, always = false, pages: KeptPages, arrival?: number): Promise<DocPage> {
  const read = (mark: (tx: Tx) => Promise<void>) =>
    asAnonymous(db, async (tx) => {
      await mark(tx);
      return queryDocs(tx, PUBLIC_COLLECTION, f, always);
    });
  return pages.get(db, { collection: PUBLIC_COLLECTION.id, reader: null, request: [f, always] }, read, arrival);
}

function asAnonymous<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_app', true), set_config('app.org_id', '', true), set_config('app.user_id', '', true)`.execute(tx);
    return fn(tx);
  });
}

const ADDED = sql`to_char(o.added_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

async function queryRows(tx: Tx, c: Collection, f: ObjectFilter): Promise<Page<Row>> {
  const { rows } = await sql<Row>`${pageSql(c, f, sql`o.stix_id, o.version, ${ADDED} as added, o.spec_version`, keyset(f.next), f.limit + 1)}`.execute(tx);
  return paged(rows, f.limit);
}

/**
 * The page as a TAXII envelope: each object's stored JSON text (doc_text,
 * 0324) spliced in, never parsed or re-serialised, so objects stay exactly
 * as received and a page costs one join of strings.
 */
async function queryDocs(tx: Tx, c: Collection, f: ObjectFilter, always: boolean): Promise<DocPage> {
  const { rows } = await sql<Row & { doc_text: string }>`${pageSql(c, f, sql`o.stix_id, o.version, ${ADDED} as added, o.spec_version, o.doc_text`, keyset(f.next), f.limit + 1)}`.execute(tx);
  const page = paged(rows, f.limit);
  const objects = page.items.length || always ? `,"objects":[${page.items.map((i) => i.doc_text).join(',')}]` : '';
  const body = Buffer.from(`{"more":${page.more}${page.next ? `,"next":"${page.next}"` : ''}${objects}}`);
  return { count: page.items.length, body, more: page.more, first: page.first, last: page.last };
}

/** A page of `limit` rows out of the limit + 1 read (the extra one says there is more). */
function paged<T extends Row>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    items,
    more,
    ...(more ? { next: cursor(items.at(-1)!) } : {}),
    ...(items.length ? { first: items[0]!.added, last: items.at(-1)!.added } : {}),
  };
}

/** The keyset position a `next` token stands for: (date added, id, version) of the last row sent. */
type Keyset = [string, string, string];

function keyset(next: string | undefined): Keyset | undefined {
  if (!next) return undefined;
  let after: [string, string, string];
  try {
    after = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as [string, string, string];
    if (!Array.isArray(after) || after.length !== 3 || !after.every((x) => typeof x === 'string')) throw new Error('bad');
  } catch {
    throw TaxiiErrors.TAXII_BAD_REQUEST('The next parameter is not one this server issued');
  }
  return after;
}

/**
 * The rows of one page (`columns` of stix_objects `o`) in cursor order
 * after `after`, at most `limit`. Keyset page straight off the index on
 * (added_at, stix_id, version) (0321): rows are read in page order and each
 * is kept or skipped by index lookups on (stix_id, version), so a page
 * costs its own rows, not the collection's.
 */
function pageSql(c: Collection, f: ObjectFilter, columns: RawBuilder<unknown>, after: Keyset | undefined, limit: number): RawBuilder<unknown> {
  const versions = f.versions?.length ? f.versions : ['last'];
  const explicit = versions.filter((v) => !['last', 'first', 'all'].includes(v));
  const conds: RawBuilder<unknown>[] = [c.filter];
  if (f.ids?.length) conds.push(sql`o.stix_id = any(${f.ids}::text[])`);
  if (f.types?.length) conds.push(sql`o.type = any(${f.types}::text[])`);
  if (f.specVersions?.length) conds.push(sql`coalesce(o.spec_version, '2.1') = any(${f.specVersions}::text[])`);
  if (f.addedAfter) conds.push(sql`o.added_at > ${f.addedAfter}::timestamptz`);
  const where = sql.join(conds, sql` and `);
  // `same` is the filtered set again (`o` inside it is its own alias), for
  // the lookups of another row `n` of the same STIX id that excludes o:
  //  - several orgs may hold the same version: one row per (id, version),
  //    the earliest added (then the lowest org id);
  //  - `last`/`first`: no other version in the set ranks before it by
  //    modified (desc/asc, nulls last), then version.
  const same = sql`(select o.org_id, o.stix_id, o.version, o.modified, o.added_at from stix_objects o where ${where})`;
  const duplicate = sql`(n.version = o.version and (n.added_at, n.org_id) < (o.added_at, o.org_id))`;
  const ranksBefore = {
    last: sql`(n.version <> o.version and ((n.modified is not null and o.modified is null) or n.modified > o.modified or (n.modified is not distinct from o.modified and n.version > o.version)))`,
    first: sql`(n.version <> o.version and ((n.modified is not null and o.modified is null) or n.modified < o.modified or (n.modified is not distinct from o.modified and n.version < o.version)))`,
  };
  // Each lookup stays a per-row index probe (`offset 0` keeps the planner
  // from turning it into a hash anti-join): with imports stamping thousands
  // of rows with one added_at, its estimate of the rows after a cursor is
  // far off, and it would then hash the whole collection and sort it
  // instead of walking the index for one page.
  let keep: RawBuilder<unknown>;
  if (versions.length === 1 && (versions[0] === 'last' || versions[0] === 'first')) {
    // The usual request: one lookup per row answers both questions.
    keep = sql`not exists (select 1 from ${same} n where n.stix_id = o.stix_id and (${duplicate} or ${ranksBefore[versions[0]]}) offset 0)`;
  } else {
    const pick: RawBuilder<unknown>[] = [];
    if (versions.includes('all')) pick.push(sql`true`);
    if (versions.includes('last')) pick.push(sql`not exists (select 1 from ${same} n where n.stix_id = o.stix_id and ${ranksBefore.last} offset 0)`);
    if (versions.includes('first')) pick.push(sql`not exists (select 1 from ${same} n where n.stix_id = o.stix_id and ${ranksBefore.first} offset 0)`);
    if (explicit.length) pick.push(sql`o.version = any(${explicit}::text[])`);
    keep = sql`not exists (select 1 from ${same} n where n.stix_id = o.stix_id and ${duplicate} offset 0) and (${sql.join(pick, sql` or `)})`;
  }
  const cur = after ? sql`and (o.added_at, o.stix_id, o.version) > (${after[0]}::timestamptz, ${after[1]}, ${after[2]})` : sql``;
  return sql`
    select ${columns}
      from stix_objects o
     where ${where} ${cur} and ${keep}
     order by o.added_at, o.stix_id, o.version
     limit ${limit}`;
}

/** The manifest entry of one row. */
export function manifestEntry(r: Row) {
  return { id: r.stix_id, date_added: r.added, version: r.version || r.added, media_type: `application/stix+json;version=${r.spec_version ?? '2.1'}` };
}

export interface StatusResource {
  id: string;
  status: 'pending' | 'complete';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes: Array<{ id: string; version?: string; message?: string }>;
  failures: Array<{ id: string; version?: string; message?: string }>;
}

/**
 * Adds objects to a writable collection: each valid object is stored (all
 * of them in one transaction, with the collection's sharing); each invalid
 * one is a failure in the status resource with the reason. Stored at once,
 * so the status answered with the 202 is already complete.
 */
export async function addObjects(ctx: Ctx, c: Collection, objects: unknown[], mailer?: Mailer): Promise<StatusResource> {
  if (!c.can_write || !c.writeSharing) throw TaxiiErrors.TAXII_FORBIDDEN('This collection is read-only');
  authorize(ctx.actor, IntelActions['intel.import']);
  const valid: Record<string, unknown>[] = [];
  const failures: StatusResource['failures'] = [];
  objects.forEach((o, i) => {
    const p = validateStixObject(o, `objects[${i}]`);
    if (p) failures.push({ id: p.id ?? `objects[${i}]`, message: `${p.path}: ${p.reason}` });
    else valid.push(o as Record<string, unknown>);
  });
  const now = ctx.clock.now();
  if (valid.length) await importObjects(ctx, valid, { source: `taxii:${c.title}`, sharing: c.writeSharing, mailer });
  const status: StatusResource = {
    id: newId(),
    status: 'complete',
    request_timestamp: now.toISOString().replace('Z', '000Z'),
    total_count: objects.length,
    success_count: valid.length,
    failure_count: failures.length,
    pending_count: 0,
    successes: valid.map((o) => ({ id: o.id as string, version: (o.modified ?? o.created ?? '') as string })),
    failures,
  };
  await inTx(ctx, async (tx) => {
    await tx
      .insertInto('taxii_status')
      .values({
        org_id: ctx.actor.orgId,
        id: status.id,
        collection_id: c.id,
        status: status.status,
        request_timestamp: now,
        total_count: status.total_count,
        success_count: status.success_count,
        failure_count: status.failure_count,
        pending_count: 0,
        successes: JSON.stringify(status.successes),
        failures: JSON.stringify(status.failures),
      })
      .execute();
    await audit(tx, ctx, { action: 'taxii.add_objects', entityType: 'taxii_collection', entityId: c.id, details: { status: status.id, total: status.total_count, failures: status.failure_count } });
  });
  return status;
}

/** A status resource of the caller's org. */
export async function getStatus(ctx: Ctx, id: string): Promise<StatusResource> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const r = await tx.selectFrom('taxii_status').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!r) throw TaxiiErrors.TAXII_STATUS_NOT_FOUND();
    return {
      id: r.id,
      status: r.status,
      request_timestamp: r.request_timestamp.toISOString().replace('Z', '000Z'),
      total_count: r.total_count,
      success_count: r.success_count,
      failure_count: r.failure_count,
      pending_count: r.pending_count,
      successes: r.successes as StatusResource['successes'],
      failures: r.failures as StatusResource['failures'],
    };
  });
}

/** Deletes the caller's own versions of an object in a writable collection (match[version] narrows). */
export async function deleteObject(ctx: Ctx, c: Collection, stixId: string, versions?: string[]): Promise<number> {
  if (!c.can_write) throw TaxiiErrors.TAXII_FORBIDDEN('This collection is read-only');
  authorize(ctx.actor, IntelActions['intel.import']);
  return inTx(ctx, async (tx) => {
    let q = tx.deleteFrom('stix_objects').where('org_id', '=', ctx.actor.orgId).where('stix_id', '=', stixId);
    const explicit = versions?.filter((v) => !['all', 'last', 'first'].includes(v));
    if (explicit?.length) q = q.where('version', 'in', explicit);
    const r = await q.executeTakeFirst();
    const n = Number(r.numDeletedRows);
    if (!n) throw TaxiiErrors.TAXII_OBJECT_NOT_FOUND();
    await tx.deleteFrom('intel_observables').where('org_id', '=', ctx.actor.orgId).where('source_kind', '=', 'stix').where('source_ref', '=', stixId).execute();
    // The newest remaining version becomes the latest again.
    await sql`update stix_objects s set is_latest = (s.version = (select max(version) from stix_objects x where x.org_id = s.org_id and x.stix_id = s.stix_id))
               where s.org_id = ${ctx.actor.orgId} and s.stix_id = ${stixId}`.execute(tx);
    await audit(tx, ctx, { action: 'taxii.delete_object', entityType: 'stix_object', entityId: stixId, details: { versions: n } });
    return n;
  });
}

import { sql, type SelectQueryBuilder } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import type { DB } from '../../db/types.js';
import { IntelErrors } from './errors.js';
import { IntelActions } from './policy.js';
import type { ObjectQuery, ObjectSummary } from './schema.js';
import './tables.js';

/*
 * Every read here runs as the acting org with row-level security on: the
 * stix_objects policy is intel_can_see(), so search, object view, versions,
 * graph and export all see exactly what the org may see, and nothing else.
 * Several orgs may hold the same STIX id; the newest visible version wins.
 */

const SUMMARY_COLS = [
  'stix_id', 'type', 'name', 'version', 'created', 'modified', 'tlp', 'pap', 'revoked', 'deprecated', 'source', 'org_id',
  'producer_org_id', 'created_by_ref', 'pattern_type', 'labels', 'added_at',
] as const;

/** An indicator's pattern, read from the document. */
const PATTERN = sql<string | null>`doc->>'pattern'`.as('pattern');

type SummaryDb = {
  stix_id: string; type: string; name: string | null; version: string; created: Date | null; modified: Date | null; tlp: string | null; pap: string | null;
  revoked: boolean; deprecated: boolean; source: string; org_id: string; producer_org_id: string | null; created_by_ref: string | null; pattern_type: string | null;
  pattern: string | null; labels: string[]; added_at: Date;
};

function toSummary(r: SummaryDb): ObjectSummary {
  return {
    id: r.stix_id,
    type: r.type,
    name: r.name,
    version: r.version,
    created: r.created?.toISOString() ?? null,
    modified: r.modified?.toISOString() ?? null,
    tlp: r.tlp,
    pap: r.pap,
    revoked: r.revoked,
    deprecated: r.deprecated,
    source: r.source,
    ownerOrgId: r.org_id,
    producerOrgId: r.producer_org_id,
    createdByRef: r.created_by_ref,
    patternType: r.pattern_type,
    pattern: r.pattern,
    labels: r.labels,
    addedAt: r.added_at.toISOString(),
  };
}

type Filtered = SelectQueryBuilder<DB, 'stix_objects', object>;

function applyFilters(base: Filtered, q: ObjectQuery): Filtered {
  let b = base.where('is_latest', '=', true);
  if (q.includeRevoked !== 'true') b = b.where('revoked', '=', false);
  if (q.type?.length) b = b.where('type', 'in', q.type);
  if (q.tlp?.length) b = b.where('tlp', 'in', q.tlp as never[]);
  if (q.source) b = b.where('source', '=', q.source);
  if (q.producerOrgId) b = b.where('producer_org_id', '=', q.producerOrgId);
  if (q.modifiedAfter) b = b.where('modified', '>', new Date(q.modifiedAfter));
  if (q.modifiedBefore) b = b.where('modified', '<', new Date(q.modifiedBefore));
  if (q.q) {
    const text = q.q;
    if (/^[a-z0-9-]+--[0-9a-f-]{36}$/i.test(text)) b = b.where('stix_id', '=', text.toLowerCase());
    else {
      const p = likePattern(text);
      b = b.where((eb) =>
        eb.or([
          eb('name', 'ilike', p),
          eb(sql<string>`doc->>'description'`, 'ilike', p),
          eb(sql<string>`doc->>'pattern'`, 'ilike', p),
          eb(sql<string>`doc->'external_references'->0->>'external_id'`, 'ilike', p),
        ]),
      );
    }
  }
  if (q.sighted === 'true') b = b.where(sql<boolean>`exists (select 1 from intel_sightings s where s.indicator_id = stix_objects.stix_id)`);
  if (q.sighted === 'false') b = b.where(sql<boolean>`not exists (select 1 from intel_sightings s where s.indicator_id = stix_objects.stix_id)`);
  return b;
}

/** Search over every object visible to the acting org (latest versions; revoked hidden unless asked). */
export async function listObjects(ctx: Ctx, q: ObjectQuery): Promise<PagedResult<ObjectSummary>> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    // Relevance first when searching: an exact external id (T1059) or name, then a name hit.
    const text = q.q ?? '';
    const rank = q.q
      ? sql<number>`(case when lower(doc->'external_references'->0->>'external_id') = lower(${text}) or lower(name) = lower(${text}) then 2 when name ilike ${likePattern(text)} then 1 else 0 end)`
      : sql<number>`0`;
    const newest = applyFilters(tx.selectFrom('stix_objects'), q)
      .select([...SUMMARY_COLS, rank.as('rank')])
      .distinctOn('stix_id')
      .orderBy('stix_id')
      .orderBy('modified', (ob) => ob.desc().nullsLast());
    const rows = await tx
      .selectFrom(newest.as('o'))
      .selectAll()
      // Read from the document for the page's rows only (after the sort and limit), not for every match.
      .select(sql<string | null>`case when o.type = 'indicator' then (select s.doc->>'pattern' from stix_objects s where s.org_id = o.org_id and s.stix_id = o.stix_id and s.version = o.version) end`.as('pattern'))
      .orderBy('rank', 'desc')
      .orderBy('modified', (ob) => ob.desc().nullsLast())
      .orderBy('stix_id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    const total = await applyFilters(tx.selectFrom('stix_objects'), q)
      .select(sql<number>`count(distinct stix_id)`.as('n'))
      .executeTakeFirstOrThrow();
    return { items: (rows as SummaryDb[]).map(toSummary), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

/** The newest visible version of an object (or the version asked for), or STIX_OBJECT_NOT_FOUND. */
export async function getObjectIn(tx: Tx, stixId: string, version?: string): Promise<{ summary: ObjectSummary; object: Record<string, unknown> } | undefined> {
  let b = tx.selectFrom('stix_objects').select([...SUMMARY_COLS, PATTERN, 'doc']).where('stix_id', '=', stixId);
  b = version ? b.where('version', '=', version) : b;
  const r = await b.orderBy('modified', (ob) => ob.desc().nullsLast()).orderBy('added_at', 'desc').limit(1).executeTakeFirst();
  return r ? { summary: toSummary(r), object: r.doc } : undefined;
}

/** One object with its sighting counts (visible ones only). */
export async function getObject(ctx: Ctx, stixId: string, version?: string) {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const o = await getObjectIn(tx, stixId, version);
    if (!o) throw IntelErrors.STIX_OBJECT_NOT_FOUND();
    return { ...o, sightings: await sightingCountsIn(tx, stixId) };
  });
}

/** Sighting counts on an indicator, over the sightings the viewer may see (RLS). */
export async function sightingCountsIn(tx: Tx, indicatorId: string): Promise<{ seen: number; falsePositive: number; orgs: number }> {
  const r = await tx
    .selectFrom('intel_sightings')
    .select([
      sql<number>`coalesce(sum(count) filter (where kind = 'seen'), 0)`.as('seen'),
      sql<number>`coalesce(sum(count) filter (where kind = 'false_positive'), 0)`.as('fp'),
      sql<number>`count(distinct org_id)`.as('orgs'),
    ])
    .where('indicator_id', '=', indicatorId)
    .executeTakeFirstOrThrow();
  return { seen: Number(r.seen), falsePositive: Number(r.fp), orgs: Number(r.orgs) };
}

/** Every visible version of an object, newest first. */
export async function listVersions(ctx: Ctx, stixId: string): Promise<ObjectSummary[]> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const rows = await tx.selectFrom('stix_objects').select([...SUMMARY_COLS, PATTERN]).where('stix_id', '=', stixId).orderBy('modified', (ob) => ob.desc().nullsLast()).execute();
    if (!rows.length) throw IntelErrors.STIX_OBJECT_NOT_FOUND();
    return rows.map(toSummary);
  });
}

/** The relationships around an object (latest, visible) and the objects at their other ends, for the graph view. */
export async function objectGraph(ctx: Ctx, stixId: string) {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const center = await getObjectIn(tx, stixId);
    if (!center) throw IntelErrors.STIX_OBJECT_NOT_FOUND();
    const rels = await tx
      .selectFrom('stix_objects')
      .select(['stix_id', 'type', sql<string | null>`doc->>'relationship_type'`.as('rt'), sql<string>`coalesce(doc->>'source_ref', doc->>'sighting_of_ref')`.as('src'), sql<string>`coalesce(doc->>'target_ref', ${stixId})`.as('dst')])
      .where('type', 'in', ['relationship', 'sighting'])
      .where('is_latest', '=', true)
      .where('revoked', '=', false)
      .where((eb) => eb.or([eb(sql`doc->>'source_ref'`, '=', stixId), eb(sql`doc->>'target_ref'`, '=', stixId), eb(sql`doc->>'sighting_of_ref'`, '=', stixId)]))
      .limit(500)
      .execute();
    const ends = [...new Set(rels.flatMap((r) => [r.src, r.dst]).filter((x) => x !== stixId))];
    const nodes = ends.length
      ? await tx.selectFrom('stix_objects').select(['stix_id', 'type', 'name']).distinctOn('stix_id').where('stix_id', 'in', ends).where('is_latest', '=', true).orderBy('stix_id').execute()
      : [];
    const seen = new Set([stixId, ...nodes.map((n) => n.stix_id)]);
    return {
      nodes: [{ id: stixId, type: center.summary.type, name: center.summary.name }, ...nodes.map((n) => ({ id: n.stix_id, type: n.type, name: n.name }))],
      // An edge to an object the viewer cannot see is left out with the object.
      edges: rels.filter((r) => seen.has(r.src) && seen.has(r.dst)).map((r) => ({ id: r.stix_id, type: r.type, relationshipType: r.rt, source: r.src, target: r.dst })),
    };
  });
}

/**
 * A STIX bundle of the latest visible version of every object matching the
 * filters, as text: each object is the stored JSON, so an export equals
 * what was imported.
 */
export async function exportBundle(ctx: Ctx, q: Omit<ObjectQuery, 'limit' | 'offset'>, bundleId: string): Promise<{ text: string; count: number }> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const rows = await applyFilters(tx.selectFrom('stix_objects'), { ...q, limit: 1, offset: 0 })
      .select(['stix_id', sql<string>`doc::text`.as('doc')])
      .distinctOn('stix_id')
      .orderBy('stix_id')
      .orderBy('modified', (ob) => ob.desc().nullsLast())
      .execute();
    return { text: `{"type":"bundle","id":"${bundleId}","objects":[${rows.map((r) => r.doc).join(',')}]}`, count: rows.length };
  });
}
